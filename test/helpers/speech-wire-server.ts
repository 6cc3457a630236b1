/**
 * A local HTTP server standing in for cloud speech APIs (OpenAI's and Groq's
 * `/audio/transcriptions` and `/audio/speech`), which cannot be reached from the test
 * machines. It records each request with its raw bytes and parsed body (multipart form or
 * JSON) and answers through a handler, which may do real work (run pocketsphinx on the
 * uploaded WAV, espeak-ng on the text) so the answers are real speech results.
 */
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface SpeechRequest {
  method: string;
  path: string;
  headers: IncomingHttpHeaders;
  bytes: Buffer;
  /** The multipart form, for `multipart/form-data` bodies. */
  form: FormData | undefined;
  /** The parsed JSON body, for JSON bodies. */
  json: unknown;
  /** Aborts when the client goes away before the reply is complete. */
  signal: AbortSignal;
}

export interface SpeechReply {
  status?: number;
  headers?: Record<string, string>;
  body?: Buffer | string | object;
  /** Never answer (until the client goes away). */
  hang?: boolean;
}

export interface SpeechWireServer {
  readonly url: string;
  readonly requests: SpeechRequest[];
  /** How many requests the client abandoned before their reply was complete. */
  readonly abandoned: number;
  close(): Promise<void>;
}

export async function startSpeechWireServer(
  handler: (req: SpeechRequest) => Promise<SpeechReply> | SpeechReply,
): Promise<SpeechWireServer> {
  const requests: SpeechRequest[] = [];
  let abandoned = 0;
  const server: Server = createServer((req, res) => {
    const parts: Buffer[] = [];
    req.on('data', (c: Buffer) => parts.push(c));
    req.on('end', () => {
      void (async () => {
        const bytes = Buffer.concat(parts);
        const type = req.headers['content-type'] ?? '';
        const gone = new AbortController();
        res.on('close', () => {
          if (!res.writableFinished) {
            abandoned++;
            gone.abort();
          }
        });
        let form: FormData | undefined;
        let json: unknown;
        if (type.startsWith('multipart/form-data'))
          form = await new Response(bytes, { headers: { 'content-type': type } }).formData();
        else if (type.includes('json')) json = JSON.parse(bytes.toString('utf8'));
        const recorded: SpeechRequest = {
          method: req.method ?? '',
          path: req.url ?? '',
          headers: req.headers,
          bytes,
          form,
          json,
          signal: gone.signal,
        };
        requests.push(recorded);
        const reply = await handler(recorded);
        if (reply.hang) return;
        const body =
          reply.body === undefined
            ? ''
            : Buffer.isBuffer(reply.body) || typeof reply.body === 'string'
              ? reply.body
              : JSON.stringify(reply.body);
        const headers = {
          ...(typeof reply.body === 'object' && !Buffer.isBuffer(reply.body)
            ? { 'content-type': 'application/json' }
            : {}),
          ...reply.headers,
        };
        res.writeHead(reply.status ?? 200, headers);
        res.end(body);
      })().catch((e: unknown) => {
        if (!res.headersSent) res.writeHead(500, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ error: { message: `speech wire server: ${String(e)}` } }));
      });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    get abandoned() {
      return abandoned;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
