// Helpers of bench/server.bench.js: child processes measured through /proc, and minimal
// WebSocket and SSE clients of `parley serve` (loopback only, every wait bounded in time).
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import WebSocket from 'ws';

const CLOCK_TICKS = 100; // USER_HZ on Linux

/** A field of /proc/PID/status in KiB (VmRSS, VmHWM). */
export function procKiB(pid, field = 'VmRSS') {
  const m = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  if (!m) throw new Error(`no ${field} for pid ${pid}`);
  return Number(m[1]);
}

/** CPU time (user + system) a process has used, in ms, from /proc/PID/stat. */
export function cpuMs(pid) {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return ((Number(f[11]) + Number(f[12])) * 1000) / CLOCK_TICKS;
}

export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** Median of `n` VmRSS samples `gapMs` apart. */
export async function sampleRss(pid, n = 5, gapMs = 100) {
  const s = [];
  for (let i = 0; i < n; i++) {
    s.push(procKiB(pid));
    if (i < n - 1) await sleep(gapMs);
  }
  s.sort((a, b) => a - b);
  return s[Math.floor(n / 2)];
}

const children = new Set();
process.on('exit', () => {
  for (const c of children) c.kill('SIGKILL');
});

/** Spawn a child; it is SIGKILLed when this process exits, whatever happens. */
export function spawnChild(cmd, args, env) {
  const child = spawn(cmd, args, { env, stdio: ['ignore', 'ignore', 'pipe'] });
  children.add(child);
  child.on('exit', () => children.delete(child));
  return child;
}

/** Wait until the child writes a line matching `re` on stderr; resolves with the match. */
export function waitForStderr(child, re, timeoutMs) {
  return new Promise((resolve, reject) => {
    let buf = '';
    const timer = setTimeout(
      () => reject(new Error(`no ${re} on stderr within ${timeoutMs} ms: ${buf}`)),
      timeoutMs,
    );
    child.stderr.on('data', (d) => {
      buf += d.toString();
      const m = re.exec(buf);
      if (m) {
        clearTimeout(timer);
        resolve(m);
      }
    });
    child.on('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`child exited (${code}) before ${re}: ${buf}`));
    });
  });
}

/** SIGTERM, then SIGKILL after `graceMs`; resolves once it has exited. */
export function stopChild(child, graceMs = 5000) {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
    child.on('exit', () => {
      clearTimeout(timer);
      resolve();
    });
    child.kill('SIGTERM');
  });
}

function withTimeout(promise, ms, what) {
  let timer;
  return Promise.race([
    promise,
    new Promise((_, reject) => {
      timer = setTimeout(() => reject(new Error(`${what}: no answer within ${ms} ms`)), ms);
    }),
  ]).finally(() => clearTimeout(timer));
}

/**
 * A WebSocket session: `hello` → `ready`, then turns. Every frame is JSON-parsed, as a real
 * client would.
 */
export class WsSession {
  constructor(ws) {
    this.ws = ws;
    this.waiter = undefined;
    this.tokens = 0;
    ws.on('message', (data) => {
      const e = JSON.parse(data.toString());
      if (e.type === 'text-delta') {
        this.tokens++;
        return;
      }
      const w = this.waiter;
      if (w && w.accept(e)) {
        this.waiter = undefined;
        w.resolve(e);
      }
    });
  }

  /** Open `/ws` and say hello; resolves once `ready` arrives. */
  static async open(baseUrl, timeoutMs = 10_000) {
    const ws = new WebSocket(`${baseUrl.replace(/^http/, 'ws')}/ws`, { perMessageDeflate: false });
    const s = new WsSession(ws);
    await withTimeout(
      new Promise((resolve, reject) => {
        ws.once('error', reject);
        ws.once('open', resolve);
      }),
      timeoutMs,
      'WebSocket open',
    );
    const ready = await s.request({ type: 'hello' }, (e) => e.type === 'ready', timeoutMs);
    s.session = ready.session;
    return s;
  }

  /** Send an envelope and wait for the first answer `accept` takes (an `error` rejects). */
  request(msg, accept, timeoutMs) {
    return withTimeout(
      new Promise((resolve, reject) => {
        this.waiter = {
          accept: (e) => accept(e) || e.type === 'error',
          resolve: (e) =>
            e.type === 'error' && !accept(e)
              ? reject(new Error(`server error: ${JSON.stringify(e)}`))
              : resolve(e),
        };
        this.ws.send(JSON.stringify(msg));
      }),
      timeoutMs,
      msg.type,
    );
  }

  /** Use `canned:lorem` for the next turns, `maxTokens` tokens each. */
  configure(maxTokens, timeoutMs = 10_000) {
    return this.request(
      { type: 'control', action: 'settings', settings: { model: 'canned', max_tokens: maxTokens } },
      (e) => e.type === 'ack',
      timeoutMs,
    );
  }

  /** One turn; resolves with `{tokens, ms, end}` once its terminal event arrives. */
  async turn(timeoutMs) {
    this.tokens = 0;
    const t0 = performance.now();
    const end = await this.request(
      { type: 'text', text: 'go' },
      (e) => e.type === 'done' || e.type === 'interrupted',
      timeoutMs,
    );
    return { tokens: this.tokens, ms: performance.now() - t0, end: end.type, doneAt: performance.now() };
  }

  close() {
    this.ws.terminate();
  }
}

/** One streamed `POST /v1/chat/completions` of `canned`; resolves with `{tokens, ms}`. */
export async function sseTurn(baseUrl, maxTokens, timeoutMs) {
  const t0 = performance.now();
  const res = await fetch(`${baseUrl}/v1/chat/completions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({
      model: 'canned',
      messages: [{ role: 'user', content: 'go' }],
      stream: true,
      max_tokens: maxTokens,
    }),
    signal: AbortSignal.timeout(timeoutMs),
  });
  if (res.status !== 200) throw new Error(`SSE: HTTP ${res.status}: ${await res.text()}`);
  const decoder = new TextDecoder();
  let buf = '';
  let tokens = 0;
  let done = false;
  for await (const part of res.body) {
    buf += decoder.decode(part, { stream: true });
    let i;
    while ((i = buf.indexOf('\n\n')) >= 0) {
      const data = buf.slice(6, i); // after "data: "
      buf = buf.slice(i + 2);
      if (data === '[DONE]') {
        done = true;
        continue;
      }
      if (JSON.parse(data).choices[0]?.delta?.content) tokens++;
    }
  }
  if (!done) throw new Error('SSE: no [DONE]');
  return { tokens, ms: performance.now() - t0 };
}
