/**
 * A real parley server for tests: listening on 127.0.0.1 (a free port), backed by a real
 * `Parley` with the real local engine on stories260K (one thread, CPU), in a temp
 * PARLEY_HOME. Plus a small WebSocket client that queues what it receives.
 */
import { createParley, type ConfigLayer, type Parley } from '@parley/core';
import WebSocket from 'ws';
import { createServer, type ParleyServer, type ServerOptions } from '../../packages/server/src/index.js';
import { tempHome } from '../helpers/cli.js';
import { STORIES } from '../helpers/models.js';

export interface TestServer {
  url: string;
  wsUrl: string;
  server: ParleyServer;
  parley: Parley;
  close(): Promise<void>;
}

export interface TestServerOptions extends Partial<Omit<ServerOptions, 'parley'>> {
  /** Config on top of `model = stories260K`. */
  config?: ConfigLayer;
  /** Parallel context sequences of the local engine (default 2). */
  sequences?: number;
  /** Use this PARLEY_HOME (kept on close) instead of a fresh temp one, e.g. to restart on it. */
  home?: string;
}

/** The id `/v1/models` gives stories260K when it is the configured model. */
export const STORIES_ID = 'local:stories260K';

/** POST a body (an object as JSON, or a raw string) to `/v1/chat/completions`. */
export function postCompletion(
  url: string,
  body: unknown,
  headers: Record<string, string> = {},
): Promise<Response> {
  return fetch(`${url}/v1/chat/completions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
}

/** Start a server on a free port. */
export async function startTestServer(opts: TestServerOptions = {}): Promise<TestServer> {
  const { config, sequences, home: given, ...serverOpts } = opts;
  const { home, cleanup } = given === undefined ? tempHome() : { home: given, cleanup: () => undefined };
  const parley = createParley({
    config: { model: STORIES, ...config },
    env: { PARLEY_HOME: home },
    local: { threads: 1, gpu: false, sequences: sequences ?? 2 },
  });
  const server = await createServer({ parley, host: '127.0.0.1', port: 0, ...serverOpts });
  const url = await server.listen();
  return {
    url,
    wsUrl: `${url.replace(/^http/, 'ws')}/ws`,
    server,
    parley,
    close: async () => {
      await server.close();
      await parley.dispose();
      cleanup();
    },
  };
}

/** A downstream envelope as the tests read it. */
export type Envelope = { type: string; turn?: string; error?: { code: string; message: string } } & Record<
  string,
  unknown
>;

/** A WebSocket client that queues every envelope it receives. */
export class WsClient {
  readonly received: Envelope[] = [];
  private waiters: (() => void)[] = [];
  closed: { code: number; reason: string } | undefined;

  private constructor(readonly ws: WebSocket) {
    ws.on('message', (data, isBinary) => {
      const text = Buffer.isBuffer(data) ? data.toString('utf8') : String(data);
      this.received.push(isBinary ? { type: '(binary)' } : (JSON.parse(text) as Envelope));
      for (const w of this.waiters.splice(0)) w();
    });
    ws.on('close', (code, reason) => {
      this.closed = { code, reason: reason.toString() };
      for (const w of this.waiters.splice(0)) w();
    });
  }

  /** Open a connection (rejects on an HTTP refusal, with the status in the message). */
  static open(url: string, options: WebSocket.ClientOptions = {}): Promise<WsClient> {
    return new Promise((resolve, reject) => {
      const ws = new WebSocket(url, options);
      const client = new WsClient(ws);
      ws.once('open', () => resolve(client));
      ws.once('unexpected-response', (req, res) => {
        req.destroy();
        reject(new Error(`HTTP ${res.statusCode}`));
      });
      ws.once('error', reject);
    });
  }

  send(frame: unknown): void {
    this.ws.send(typeof frame === 'string' || Buffer.isBuffer(frame) ? frame : JSON.stringify(frame));
  }

  /** Wait for the first envelope (from `from` on) that matches, and return it. */
  async next(match: (e: Envelope) => boolean = () => true, from = 0): Promise<Envelope> {
    for (;;) {
      const found = this.received.slice(from).find(match);
      if (found) return found;
      if (this.closed) throw new Error(`socket closed (${this.closed.code}) while waiting`);
      await new Promise<void>((r) => this.waiters.push(r));
    }
  }

  /** Send a frame and wait for the next envelope after it. */
  async request(frame: unknown, match?: (e: Envelope) => boolean): Promise<Envelope> {
    const from = this.received.length;
    this.send(frame);
    return this.next(match, from);
  }

  /** Wait until the socket is closed. */
  async whenClosed(): Promise<{ code: number; reason: string }> {
    while (!this.closed) await new Promise<void>((r) => this.waiters.push(r));
    return this.closed;
  }

  /** Wait for the terminal event (done, error, interrupted) of a turn; returns all its envelopes. */
  async turn(id: string): Promise<Envelope[]> {
    await this.next((e) => e.turn === id && ['done', 'error', 'interrupted'].includes(e.type));
    return this.received.filter((e) => e.turn === id);
  }

  close(): void {
    this.ws.close();
  }
}

/** Read a metric's value from Prometheus text (sum over label sets that match `labels`). */
export function metricValue(text: string, name: string, labels: Record<string, string> = {}): number {
  let sum = 0;
  for (const line of text.split('\n')) {
    if (!line.startsWith(name)) continue;
    const m = /^([a-z_]+)(\{[^}]*\})?\s+(\S+)$/.exec(line);
    if (!m || m[1] !== name) continue;
    const set = m[2] ?? '';
    if (Object.entries(labels).every(([k, v]) => set.includes(`${k}="${v}"`))) sum += Number(m[3]);
  }
  return sum;
}

/** Poll until `check` holds (for state another process or the event loop reaches later). */
export async function eventually<T>(
  check: () => Promise<T | undefined> | T | undefined,
  what: string,
): Promise<T> {
  for (let i = 0; i < 2000; i++) {
    const v = await check();
    if (v !== undefined) return v;
    await new Promise((r) => setTimeout(r, 10));
  }
  throw new Error(`never happened: ${what}`);
}
