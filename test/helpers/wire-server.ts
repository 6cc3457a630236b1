/**
 * A scripted HTTP server on 127.0.0.1 for wire-level tests. It records every request
 * (method, path, headers, parsed JSON body) and answers with scripted replies: JSON bodies,
 * SSE streams written event by event, a socket destroyed mid-stream, or a stream left open
 * until the client goes away.
 *
 * It stands in for cloud APIs (which cannot be reached from the test machines) and for
 * local servers such as Ollama or vLLM.
 */
import { createServer, type IncomingHttpHeaders, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** One request the server received. */
export interface RecordedRequest {
  method: string;
  /** Path with query string, e.g. `/v1beta/models/x:streamGenerateContent?alt=sse`. */
  path: string;
  /** Lower-cased header names, as Node gives them. */
  headers: IncomingHttpHeaders;
  /** The body parsed as JSON, or the raw text when it is not JSON. */
  body: unknown;
  rawBody: string;
  /** `performance.now()` when the request arrived. */
  receivedAt: number;
  /** Resolves when the client closed the connection before the reply was complete. */
  clientClosed: Promise<void>;
  /** True once the client closed the connection before the reply was complete. */
  readonly closedEarly: boolean;
}

/** What the server does with one request. */
export interface Reply {
  status?: number;
  headers?: Record<string, string>;
  /** A whole body: objects are sent as JSON. Ignored when `chunks` is given. */
  body?: string | object;
  /** Body pieces written one after another (SSE events), flushed separately. */
  chunks?: readonly string[];
  /** Pause between chunks, in milliseconds (default 2). */
  chunkDelayMs?: number;
  /** After the chunks: end the response (default), destroy the socket, or keep it open. */
  then?: 'end' | 'destroy' | 'hang';
}

/** A reply, or a function that makes one from the request. */
export type ScriptedReply = Reply | ((req: RecordedRequest) => Reply);

/** A running wire server. */
export interface WireServer {
  /** `http://127.0.0.1:PORT` (no trailing slash). */
  readonly url: string;
  /** Every request received, in order. */
  readonly requests: RecordedRequest[];
  /**
   * Queue replies; each request takes the next one (the last one repeats when the queue runs
   * out). A function builds its reply from the request (a server that echoes what it got).
   */
  reply(...replies: ScriptedReply[]): void;
  /** Drop queued replies and recorded requests. */
  reset(): void;
  close(): Promise<void>;
}

/** SSE `Content-Type` plus no caching, as real providers send. */
export const SSE_HEADERS: Readonly<Record<string, string>> = {
  'content-type': 'text/event-stream',
  'cache-control': 'no-cache',
};

/** Split a recorded SSE stream into its events (each ends with a blank line). */
export function sseEvents(text: string): string[] {
  return (text.match(/[\s\S]*?(?:\r\n\r\n|\n\n|$)/g) ?? []).filter((e) => e.trim() !== '');
}

/** An SSE reply made from recorded events. */
export function sseReply(events: readonly string[], extra: Omit<Reply, 'chunks'> = {}): Reply {
  return { status: 200, ...extra, headers: { ...SSE_HEADERS, ...extra.headers }, chunks: events };
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

async function send(res: ServerResponse, reply: Reply): Promise<void> {
  const headers: Record<string, string> = { ...reply.headers };
  if (reply.chunks) {
    res.writeHead(reply.status ?? 200, headers);
    res.flushHeaders();
    for (const chunk of reply.chunks) {
      if (res.destroyed) return;
      res.write(chunk);
      await sleep(reply.chunkDelayMs ?? 2);
    }
    if (reply.then === 'destroy') res.socket?.destroy();
    else if (reply.then !== 'hang') res.end();
    return;
  }
  const body =
    reply.body === undefined ? '' : typeof reply.body === 'string' ? reply.body : JSON.stringify(reply.body);
  if (typeof reply.body === 'object') headers['content-type'] ??= 'application/json';
  res.writeHead(reply.status ?? 200, headers);
  if (reply.then === 'destroy') res.socket?.destroy();
  else res.end(body);
}

/** Start a wire server on 127.0.0.1 with a free port. */
export async function startWireServer(): Promise<WireServer> {
  const requests: RecordedRequest[] = [];
  let queue: ScriptedReply[] = [];
  let last: ScriptedReply = { status: 500, body: { error: { message: 'wire server: no reply scripted' } } };

  const server: Server = createServer((req, res) => {
    const receivedAt = performance.now();
    const parts: Buffer[] = [];
    req.on('data', (c: Buffer) => parts.push(c));
    req.on('end', () => {
      const rawBody = Buffer.concat(parts).toString('utf8');
      let body: unknown = rawBody;
      try {
        body = rawBody ? JSON.parse(rawBody) : undefined;
      } catch {
        body = rawBody;
      }
      let closedEarly = false;
      const clientClosed = new Promise<void>((resolve) => {
        res.on('close', () => {
          if (!res.writableFinished) {
            closedEarly = true;
            resolve();
          }
        });
      });
      const recorded: RecordedRequest = {
        method: req.method ?? '',
        path: req.url ?? '',
        headers: req.headers,
        body,
        rawBody,
        receivedAt,
        clientClosed,
        get closedEarly() {
          return closedEarly;
        },
      };
      requests.push(recorded);
      const next = queue.shift() ?? last;
      last = next;
      const reply = typeof next === 'function' ? next(recorded) : next;
      void send(res, reply).catch(() => res.destroy());
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    reply: (...replies) => {
      queue.push(...replies);
      const tail = replies.at(-1);
      if (tail) last = tail;
    },
    reset: () => {
      queue = [];
      requests.length = 0;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** One chunk of OpenAI's chat-completions stream (`chat.completion.chunk`, as documented). */
export function openAIChunk(delta: object, finish: string | null = null): string {
  return `data: ${JSON.stringify({ id: 'c1', object: 'chat.completion.chunk', created: 1, model: 'm', choices: [{ index: 0, delta, finish_reason: finish }] })}\n\n`;
}

const DONE = 'data: [DONE]\n\n';

/** An OpenAI stream that answers with `pieces` of text, one chunk each, then `stop`. */
export function openAITextReply(...pieces: string[]): Reply {
  return sseReply([
    ...pieces.map((text, i) =>
      openAIChunk(i === 0 ? { role: 'assistant', content: text } : { content: text }),
    ),
    openAIChunk({}, 'stop'),
    DONE,
  ]);
}

/** An OpenAI stream that calls one tool with `args`, then `tool_calls`. */
export function openAIToolCallReply(name: string, args: object, id = 'call_1'): Reply {
  return sseReply([
    openAIChunk({
      role: 'assistant',
      content: null,
      tool_calls: [{ index: 0, id, type: 'function', function: { name, arguments: JSON.stringify(args) } }],
    }),
    openAIChunk({}, 'tool_calls'),
    DONE,
  ]);
}

/** OpenAI's images API answering with one image (`b64_json`), as documented. */
export function openAIImageReply(png: Buffer): Reply {
  return { status: 200, body: { created: 1, data: [{ b64_json: png.toString('base64') }] } };
}

/** OpenAI's images API refusing a request for its per-minute rate limit. */
export const OPENAI_IMAGES_RATE_LIMITED: Reply = {
  status: 429,
  body: {
    error: {
      message: 'Rate limit reached for images per minute.',
      type: 'requests',
      code: 'rate_limit_exceeded',
    },
  },
};
