/**
 * The clients a load test runs: a WebSocket session per worker (`hello`, settings, then one
 * `text` turn after another, as docs/PROTOCOL.md describes) or streamed
 * `POST /v1/chat/completions` requests. Each request becomes one {@link RequestSample}.
 */
import WebSocket from 'ws';
import type { RequestSample } from './results.js';

/** What every request of a run shares. */
export interface DriverOptions {
  /** `ws://host:port/ws`, or `http://host:port` for the HTTP API. */
  url: string;
  model: string | undefined;
  maxTokens: number | undefined;
  token: string | undefined;
  /** Longest a request may take before it counts as a `timeout` error. */
  timeoutMs: number;
  /** The run's clock: milliseconds since it started. */
  now: () => number;
  /** Told how long each WebSocket session took to open (connect, hello, settings). */
  onConnect?: (ms: number) => void;
}

/** A client that sends requests one after another. */
export interface Driver {
  /** Open the connection ahead of the first request; resolves to an error code when it fails. */
  open?(): Promise<string | undefined>;
  /** Send one request and wait for its end; never throws. */
  request(prompt: string): Promise<RequestSample>;
  close(): void;
}

type Envelope = { type: string; turn?: string; error?: { code?: string }; [k: string]: unknown };

/** At most this many WebSocket handshakes at once (a burst of 1,000 overflows accept queues). */
export class Gate {
  private active = 0;
  private readonly waiting: (() => void)[] = [];
  constructor(private readonly limit: number) {}
  async run<T>(fn: () => Promise<T>): Promise<T> {
    if (this.active >= this.limit) await new Promise<void>((r) => this.waiting.push(r));
    this.active++;
    try {
      return await fn();
    } finally {
      this.active--;
      this.waiting.shift()?.();
    }
  }
}

/** One WebSocket session: connects on the first request, and again after the socket is lost. */
export class WsDriver implements Driver {
  private ws: WebSocket | undefined;
  private listener: ((e: Envelope) => void) | undefined;
  private closedWith: string | undefined;
  private turns = 0;

  constructor(
    private readonly o: DriverOptions,
    private readonly gate: Gate,
  ) {}

  private async connect(): Promise<void> {
    const headers: Record<string, string> = {};
    if (this.o.token) headers.authorization = `Bearer ${this.o.token}`;
    const ws = new WebSocket(this.o.url, { perMessageDeflate: false, headers });
    this.closedWith = undefined;
    ws.on('message', (data) => {
      let e: Envelope;
      try {
        e = JSON.parse(data.toString()) as Envelope;
      } catch {
        e = { type: 'error', error: { code: 'bad_frame' } };
      }
      this.listener?.(e);
    });
    ws.on('close', () => {
      this.closedWith ??= 'connection_closed';
      this.listener?.({ type: 'closed' });
    });
    ws.on('error', () => {
      this.closedWith = 'connection_error';
    });
    await new Promise<void>((resolve, reject) => {
      ws.once('open', () => resolve());
      ws.once('error', (e) => reject(e));
      ws.once('unexpected-response', (_req, res) => reject(new Error(`http_${res.statusCode}`)));
    });
    this.ws = ws;
    await this.exchange({ type: 'hello' }, (e) => e.type === 'ready');
    const settings: Record<string, unknown> = {};
    if (this.o.model !== undefined) settings.model = this.o.model;
    if (this.o.maxTokens !== undefined) settings.max_tokens = this.o.maxTokens;
    if (Object.keys(settings).length > 0) {
      await this.exchange({ type: 'control', action: 'settings', settings }, (e) => e.type === 'ack');
    }
  }

  /** Send one envelope and wait for the reply `accept` takes; an `error` envelope rejects. */
  private exchange(msg: unknown, accept: (e: Envelope) => boolean): Promise<Envelope> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => finish(new Error('timeout')), this.o.timeoutMs);
      const finish = (err: Error | undefined, e?: Envelope): void => {
        clearTimeout(timer);
        this.listener = undefined;
        if (err) reject(err);
        else resolve(e as Envelope);
      };
      this.listener = (e) => {
        if (accept(e)) finish(undefined, e);
        else if (e.type === 'error') finish(new Error(e.error?.code ?? 'error'));
        else if (e.type === 'closed') finish(new Error(this.closedWith ?? 'connection_closed'));
      };
      this.ws?.send(JSON.stringify(msg));
    });
  }

  /** Connect (at most `gate`'s limit of handshakes at once), say hello and apply the settings. */
  async open(): Promise<string | undefined> {
    try {
      await this.gate.run(async () => {
        const c0 = this.o.now();
        await this.connect();
        this.o.onConnect?.(this.o.now() - c0);
      });
      return undefined;
    } catch (e) {
      this.close();
      return codeOf(e, 'connect_failed');
    }
  }

  async request(prompt: string): Promise<RequestSample> {
    const t = this.o.now();
    const fail = (code: string): RequestSample => ({
      t,
      latencyMs: this.o.now() - t,
      ttftMs: null,
      tokens: 0,
      code,
    });
    if (!this.ws || this.ws.readyState !== WebSocket.OPEN) {
      const code = await this.open();
      if (code !== undefined) return fail(code);
    }
    const id = `lt${++this.turns}`;
    return new Promise<RequestSample>((resolve) => {
      const sent = this.o.now();
      let ttftMs: number | null = null;
      let tokens = 0;
      const end = (code?: string): void => {
        clearTimeout(timer);
        this.listener = undefined;
        const s: RequestSample = { t: sent, latencyMs: this.o.now() - sent, ttftMs, tokens };
        if (code !== undefined) s.code = code;
        resolve(s);
      };
      const timer = setTimeout(() => {
        end('timeout');
        this.close(); // the turn may still be running: start afresh
      }, this.o.timeoutMs);
      this.listener = (e) => {
        if (e.type === 'closed') return end(this.closedWith ?? 'connection_closed');
        if (e.turn !== undefined && e.turn !== id) return;
        switch (e.type) {
          case 'text-delta':
            ttftMs ??= this.o.now() - sent;
            tokens++;
            return;
          case 'done':
            return end();
          case 'interrupted':
            return end('interrupted');
          case 'error':
            return end(e.error?.code ?? 'error');
          default:
            return;
        }
      };
      this.ws?.send(JSON.stringify({ type: 'text', id, text: prompt }));
    });
  }

  close(): void {
    this.ws?.terminate();
    this.ws = undefined;
  }
}

function codeOf(e: unknown, fallback: string): string {
  const m = e instanceof Error ? e.message : '';
  if (/^[a-z][a-z0-9_]{0,40}$/.test(m)) return m;
  const code = (e as { code?: unknown } | undefined)?.code;
  if (typeof code === 'string') return code.toLowerCase();
  const cause = (e as { cause?: { code?: unknown } } | undefined)?.cause?.code;
  return typeof cause === 'string' ? cause.toLowerCase() : fallback;
}

/** Streamed `POST /v1/chat/completions`, one request at a time. */
export class HttpDriver implements Driver {
  private readonly endpoint: string;

  constructor(private readonly o: DriverOptions & { model: string }) {
    this.endpoint = `${o.url.replace(/\/+$/, '')}/v1/chat/completions`;
  }

  async request(prompt: string): Promise<RequestSample> {
    const t = this.o.now();
    let ttftMs: number | null = null;
    let tokens = 0;
    const done = (code?: string): RequestSample => {
      const s: RequestSample = { t, latencyMs: this.o.now() - t, ttftMs, tokens };
      if (code !== undefined) s.code = code;
      return s;
    };
    const headers: Record<string, string> = { 'content-type': 'application/json' };
    if (this.o.token) headers.authorization = `Bearer ${this.o.token}`;
    const body: Record<string, unknown> = {
      model: this.o.model,
      messages: [{ role: 'user', content: prompt }],
      stream: true,
    };
    if (this.o.maxTokens !== undefined) body.max_tokens = this.o.maxTokens;
    try {
      const res = await fetch(this.endpoint, {
        method: 'POST',
        headers,
        body: JSON.stringify(body),
        signal: AbortSignal.timeout(this.o.timeoutMs),
      });
      if (res.status !== 200) {
        const text = await res.text().catch(() => '');
        let code = `http_${res.status}`;
        try {
          code = (JSON.parse(text) as { error?: { code?: string } }).error?.code ?? code;
        } catch {
          // not JSON
        }
        return done(code);
      }
      const decoder = new TextDecoder();
      let buf = '';
      let finished = false;
      for await (const part of res.body as unknown as AsyncIterable<Uint8Array>) {
        buf += decoder.decode(part, { stream: true });
        let i: number;
        while ((i = buf.indexOf('\n\n')) >= 0) {
          const event = buf.slice(0, i);
          buf = buf.slice(i + 2);
          const data = event.startsWith('data: ') ? event.slice(6) : '';
          if (data === '[DONE]') {
            finished = true;
            continue;
          }
          if (!data) continue;
          const chunk = JSON.parse(data) as {
            error?: { code?: string };
            choices?: { delta?: { content?: string } }[];
          };
          if (chunk.error) return done(chunk.error.code ?? 'error');
          if (chunk.choices?.[0]?.delta?.content) {
            ttftMs ??= this.o.now() - t;
            tokens++;
          }
        }
      }
      return done(finished ? undefined : 'incomplete_stream');
    } catch (e) {
      const name = (e as Error).name;
      return done(name === 'TimeoutError' || name === 'AbortError' ? 'timeout' : codeOf(e, 'network'));
    }
  }

  close(): void {}
}
