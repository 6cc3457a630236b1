/**
 * `parley load-test --url http://…|ws://… --concurrency N --requests M | --duration 60s
 * [--prompt TEXT | --prompts FILE] [--max-tokens N] [-m MODEL] [--output results.json]
 * [--report report.html]`: drive a parley server (or any OpenAI-compatible one) with N
 * concurrent clients, show a live progress bar, then print the summary and write the files.
 */
import { readFile, writeFile } from 'node:fs/promises';
import { EXIT, UsageError, type Parley } from '@parley/core';
import { parseSince } from '@parley/core/observability';
import type { CliArgs } from '../../args.js';
import { paint, type Output } from '../../output.js';
import { createProgressBar } from '../../progress-bar.js';
import { Gate, HttpDriver, WsDriver, type Driver, type DriverOptions } from './drivers.js';
import { renderReport } from './report.js';
import {
  summariseRun,
  type LoadTestPlan,
  type LoadTestResults,
  type RequestSample,
  type RssSample,
  type SessionSample,
} from './results.js';
import { httpBase, readServerGauges } from './server-probe.js';

const DEFAULT_PROMPT = 'Write two sentences about the sea.';
const DEFAULT_TIMEOUT_MS = 120_000;
/** WebSocket handshakes in flight at once while the sessions open. */
const HANDSHAKES = 64;

/** The run's settings, checked. */
export interface LoadTestSettings extends LoadTestPlan {
  prompts: number;
  promptList: string[];
  token: string | undefined;
  timeoutMs: number;
}

/** `--duration 60s` (or `90`, seconds) in milliseconds. */
export function parseDuration(raw: string): number {
  const s = raw.trim();
  const ms = /^\d+(\.\d+)?$/.test(s) ? Number(s) * 1000 : Date.now() - parseSince(s, Date.now());
  if (!(ms > 0)) throw new UsageError(`--duration ${raw}: use seconds (60) or a duration (60s, 5m)`);
  return ms;
}

async function prompts(args: CliArgs): Promise<string[]> {
  const { prompt, prompts: file } = args.load;
  if (prompt !== undefined && file !== undefined) throw new UsageError('--prompt and --prompts: use one');
  if (file === undefined) return [prompt ?? DEFAULT_PROMPT];
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (e) {
    throw new UsageError(
      `--prompts ${file}: ${(e as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (e as Error).message}`,
    );
  }
  // One prompt a line; a JSON line may be a string or {"prompt": "…"}.
  const list = text
    .split('\n')
    .map((l) => l.trim())
    .filter(Boolean)
    .map((l) => {
      if (!l.startsWith('{') && !l.startsWith('"')) return l;
      try {
        const v = JSON.parse(l) as unknown;
        if (typeof v === 'string') return v;
        if (v && typeof (v as { prompt?: unknown }).prompt === 'string')
          return (v as { prompt: string }).prompt;
      } catch {
        // a plain line that happens to start with { or "
      }
      return l;
    });
  if (list.length === 0) throw new UsageError(`--prompts ${file}: no prompts in it (one a line)`);
  return list;
}

/** Check the flags and fill in the defaults. */
export async function loadTestSettings(args: CliArgs): Promise<LoadTestSettings> {
  const l = args.load;
  if (l.url === undefined)
    throw new UsageError('parley load-test needs --url http://HOST:PORT or ws://HOST:PORT/ws');
  let u: URL;
  try {
    u = new URL(l.url);
  } catch {
    throw new UsageError(`--url ${l.url}: not a URL`);
  }
  const api =
    u.protocol === 'ws:' || u.protocol === 'wss:'
      ? 'ws'
      : u.protocol === 'http:' || u.protocol === 'https:'
        ? 'http'
        : undefined;
  if (!api) throw new UsageError(`--url ${l.url}: use http://, https://, ws:// or wss://`);
  if (api === 'ws' && (u.pathname === '/' || u.pathname === '')) u.pathname = '/ws';
  if (l.requests !== undefined && l.duration !== undefined)
    throw new UsageError('--requests and --duration: use one');
  const durationMs = l.duration === undefined ? null : parseDuration(l.duration);
  const concurrency = l.concurrency ?? 10;
  const requests = durationMs === null ? (l.requests ?? concurrency * 10) : null;
  const promptList = await prompts(args);
  return {
    url: u.toString().replace(/\/$/, ''),
    api,
    model: args.model ?? null,
    concurrency,
    requests,
    durationMs,
    maxTokens: args.flags.max_tokens ?? null,
    prompts: promptList.length,
    promptList,
    token: args.flags.server?.token ?? process.env.PARLEY_SERVER_TOKEN,
    timeoutMs: args.flags.timeout_ms ?? DEFAULT_TIMEOUT_MS,
  };
}

/** The first model `GET /v1/models` lists (an HTTP request must name one). */
async function firstModel(base: string, token: string | undefined): Promise<string> {
  try {
    const res = await fetch(`${base}/v1/models`, {
      headers: token ? { authorization: `Bearer ${token}` } : {},
      signal: AbortSignal.timeout(10_000),
    });
    const body = (await res.json()) as { data?: { id?: string }[] };
    const id = body.data?.[0]?.id;
    if (id) return id;
  } catch {
    // below
  }
  throw new UsageError(`could not list the models of ${base} (GET /v1/models): name one with -m`);
}

/** Run the load; `onProgress` is told after every request. */
export async function runLoad(
  s: LoadTestSettings,
  onProgress: (done: number, errors: number, elapsedMs: number) => void = () => undefined,
  onPhase: (phase: 'opening' | 'running') => void = () => undefined,
): Promise<LoadTestResults> {
  const base = httpBase(s.url);
  const model = s.api === 'http' ? (s.model ?? (await firstModel(base, s.token))) : s.model;
  const t0 = performance.now();
  const startedAt = new Date();
  const now = (): number => performance.now() - t0;
  const o: DriverOptions = {
    url: s.url,
    model: model ?? undefined,
    maxTokens: s.maxTokens ?? undefined,
    token: s.token,
    timeoutMs: s.timeoutMs,
    now,
  };
  const rss: RssSample[] = [];
  const sessions: SessionSample[] = [];
  const connects: number[] = [];
  o.onConnect = (ms) => void connects.push(ms);
  // A server under load may answer /metrics late: wait for it (one request at a time), and
  // time the sample when the answer came.
  const sampleRss = async (timeoutMs = 60_000): Promise<void> => {
    const g = await readServerGauges(base, s.token, timeoutMs);
    const t = now();
    if (g?.rssBytes !== undefined) rss.push({ t, bytes: g.rssBytes });
    if (g?.wsSessions !== undefined) sessions.push({ t, open: g.wsSessions });
  };
  await sampleRss(5000);
  let polling = true;
  const poller = (async () => {
    while (polling) {
      await new Promise((r) => setTimeout(r, 1000));
      if (polling) await sampleRss();
    }
  })();

  const samples: RequestSample[] = [];
  let issued = 0;
  let errors = 0;
  const gate = new Gate(HANDSHAKES);
  const drivers: Driver[] = Array.from({ length: s.concurrency }, () =>
    s.api === 'ws' ? new WsDriver(o, gate) : new HttpDriver({ ...o, model: model as string }),
  );
  // WebSocket: open every session first, so that all of them are open at once while the
  // requests run (and stay open until the end). A session that cannot open is a failed request.
  onPhase('opening');
  await Promise.all(
    drivers.map(async (d) => {
      const t = now();
      const code = await d.open?.();
      if (code === undefined) return;
      errors++;
      samples.push({ t, latencyMs: now() - t, ttftMs: null, tokens: 0, code });
    }),
  );
  const rampUpMs = now();
  if (s.api === 'ws') await sampleRss(); // every session open: the server's figures now
  onPhase('running');
  const more = (): boolean =>
    s.requests !== null ? issued < s.requests : now() - rampUpMs < (s.durationMs ?? 0);
  const worker = async (driver: Driver): Promise<void> => {
    while (more()) {
      const prompt = s.promptList[issued % s.promptList.length] as string;
      issued++;
      const r = await driver.request(prompt);
      samples.push(r);
      if (r.code !== undefined) {
        errors++;
        // A server that refuses connections should not be hammered in a tight loop.
        if (r.code === 'connect_failed' || r.code.startsWith('econn'))
          await new Promise((res) => setTimeout(res, 100));
      }
      onProgress(samples.length, errors, now() - rampUpMs);
    }
  };
  try {
    await Promise.all(drivers.map(worker));
  } finally {
    for (const d of drivers) d.close();
  }
  const wallMs = now();
  polling = false;
  await poller;
  await sampleRss();
  const { promptList: _p, token: _t, timeoutMs: _m, ...plan } = s;
  return summariseRun(
    { ...plan, model: model ?? null },
    samples,
    { rss, sessions, connects, rampUpMs },
    startedAt,
    wallMs,
  );
}

const mib = (b: number): string => `${(b / 1024 / 1024).toFixed(1)} MiB`;
const ms = (n: number | null): string =>
  n === null ? '-' : n >= 1000 ? `${(n / 1000).toFixed(2)} s` : `${n.toFixed(1)} ms`;

/** The summary printed at the end. */
export function summaryText(r: LoadTestResults): string {
  const lines = [
    `${r.requests} requests in ${(r.wallMs / 1000).toFixed(1)} s to ${r.url} (${r.api}, concurrency ${r.concurrency}, model ${r.model ?? 'server default'})`,
    `ok ${r.ok}, errors ${r.errors} (${(r.errorRate * 100).toFixed(2)} %)${
      Object.keys(r.errorCodes).length
        ? `: ${Object.entries(r.errorCodes)
            .map(([c, n]) => `${c} ${n}`)
            .join(', ')}`
        : ''
    }`,
    `latency   p50 ${ms(r.latencyMs.p50)}  p90 ${ms(r.latencyMs.p90)}  p95 ${ms(r.latencyMs.p95)}  p99 ${ms(r.latencyMs.p99)}  max ${ms(r.latencyMs.max)}`,
    `ttft      p50 ${ms(r.ttftMs.p50)}  p90 ${ms(r.ttftMs.p90)}  p95 ${ms(r.ttftMs.p95)}  p99 ${ms(r.ttftMs.p99)}  max ${ms(r.ttftMs.max)}`,
    `tokens/s  per request p50 ${r.tokensPerSecond.p50 ?? '-'}; in all ${r.throughput.tokensPerSecond} tokens/s, ${r.throughput.requestsPerSecond} requests/s (${r.tokens} tokens)`,
    ...(r.connectMs
      ? [
          `sessions  ${r.serverSessionsPeak ?? '?'} open at the peak (the server's parley_ws_sessions_open); all opened in ${ms(r.rampUpMs)} (one: p50 ${ms(r.connectMs.p50)}, p99 ${ms(r.connectMs.p99)})`,
        ]
      : []),
    r.serverRss
      ? `server    RSS ${mib(r.serverRss.startBytes)} at the start, peak ${mib(r.serverRss.peakBytes)}, ${mib(r.serverRss.endBytes)} at the end`
      : 'server    RSS not readable (no parley /metrics at this URL)',
  ];
  return `${lines.join('\n')}\n`;
}

export async function runLoadTestCommand(_parley: Parley, args: CliArgs, o: Output): Promise<number> {
  if (args.rest.length > 0)
    throw new UsageError(`parley load-test takes no arguments (got "${args.rest.join(' ')}")`);
  const s = await loadTestSettings(args);
  const stderr = o.err as NodeJS.WriteStream;
  let errors = 0;
  const bar = createProgressBar(stderr, {
    label: `load-test ${s.api} ×${s.concurrency}`,
    format: s.requests !== null ? (n) => `${Math.round(n)} req` : (n) => `${(n / 1000).toFixed(0)} s`,
    detail: () => `${errors} error${errors === 1 ? '' : 's'}`,
  });
  let last = 0;
  let opening = 0;
  const r = await runLoad(
    s,
    (done, errs, elapsed) => {
      errors = errs;
      if (s.requests !== null) bar.update(done, s.requests);
      else if (elapsed - last >= 100) {
        last = elapsed;
        bar.update(Math.min(elapsed, s.durationMs ?? 0), s.durationMs ?? undefined);
      }
    },
    (phase) => {
      if (s.api !== 'ws') return bar.update(0, s.requests ?? s.durationMs ?? undefined);
      if (phase === 'opening') {
        opening = performance.now();
        stderr.write(`load-test: opening ${s.concurrency} WebSocket sessions to ${s.url}\n`);
        return;
      }
      stderr.write(`load-test: sessions open in ${((performance.now() - opening) / 1000).toFixed(1)} s\n`);
      bar.update(0, s.requests ?? s.durationMs ?? undefined);
    },
  );
  bar.done(`load-test: ${r.requests} requests, ${r.errors} errors, ${(r.wallMs / 1000).toFixed(1)} s`);
  if (args.load.output) await writeFile(args.load.output, `${JSON.stringify(r, null, 2)}\n`);
  if (args.load.report) await writeFile(args.load.report, renderReport(r));
  if (args.json) o.out.write(`${JSON.stringify({ ...r, samples: undefined })}\n`);
  else o.out.write(summaryText(r));
  const wrote = [args.load.output, args.load.report].filter(Boolean);
  if (wrote.length) o.err.write(`wrote ${wrote.join(', ')}\n`);
  if (r.errors > 0)
    o.err.write(`${paint(o, 'yellow', 'parley:')} ${r.errors} of ${r.requests} requests failed\n`);
  return r.errors > 0 ? EXIT.runtime : EXIT.ok;
}
