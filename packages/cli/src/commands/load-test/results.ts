/**
 * What a load test measured: one sample per request, summarised into percentiles, error
 * codes, a per-second timeline and the server's memory (the `results.json` document).
 */
import { quantile } from '@parley/core/observability';

/** One request as the load tester saw it. Times are milliseconds since the run started. */
export interface RequestSample {
  /** When it was sent. */
  t: number;
  latencyMs: number;
  /** Time to the first text; null when none came. */
  ttftMs: number | null;
  /** Text chunks (tokens) received. */
  tokens: number;
  /** Error code; absent for a request that ended well. */
  code?: string;
}

/** The server's resident memory, read from its `/metrics`, at a time of the run. */
export interface RssSample {
  t: number;
  bytes: number;
}

/** Open WebSocket sessions on the server, read from its `/metrics`. */
export interface SessionSample {
  t: number;
  open: number;
}

/** Percentiles of a figure (null when no request had it). */
export interface Spread {
  n: number;
  min: number | null;
  mean: number | null;
  p50: number | null;
  p90: number | null;
  p95: number | null;
  p99: number | null;
  max: number | null;
}

/** One second of the run. */
export interface SecondBucket {
  /** Seconds since the start. */
  t: number;
  completed: number;
  errors: number;
  tokens: number;
}

/** How the run was set up. */
export interface LoadTestPlan {
  url: string;
  api: 'ws' | 'http';
  model: string | null;
  concurrency: number;
  requests: number | null;
  durationMs: number | null;
  maxTokens: number | null;
  prompts: number;
}

/** `results.json`. */
export interface LoadTestResults extends LoadTestPlan {
  format: 'parley-load-test';
  version: 1;
  startedAt: string;
  /** The whole run, ramp-up included. */
  wallMs: number;
  /** WebSocket: opening every session before the requests started (0 over HTTP). */
  rampUpMs: number;
  /** Requests finished (ok or not). */
  requests: number;
  ok: number;
  errors: number;
  errorRate: number;
  errorCodes: Record<string, number>;
  latencyMs: Spread;
  ttftMs: Spread;
  /** Per request: tokens / (latency − ttft). */
  tokensPerSecond: Spread;
  tokens: number;
  throughput: { requestsPerSecond: number; tokensPerSecond: number };
  /** Resident memory of the server from its /metrics; null when it could not be read. */
  serverRss: { startBytes: number; peakBytes: number; endBytes: number } | null;
  rssSamples: RssSample[];
  /** WebSocket: time to open a session (connect, hello → ready, settings → ack); null over HTTP. */
  connectMs: Spread | null;
  /** Most WebSocket sessions the server had open at once (`parley_ws_sessions_open`); null when unknown. */
  serverSessionsPeak: number | null;
  sessionSamples: SessionSample[];
  timeline: SecondBucket[];
  samples: RequestSample[];
}

const r2 = (n: number | null): number | null => (n === null ? null : Math.round(n * 100) / 100);

/** Min, mean, p50/p90/p95/p99 and max of the values. */
export function spread(values: readonly number[]): Spread {
  const s = [...values].sort((a, b) => a - b);
  const n = s.length;
  return {
    n,
    min: r2(n ? (s[0] as number) : null),
    mean: r2(n ? s.reduce((a, b) => a + b, 0) / n : null),
    p50: r2(quantile(s, 0.5)),
    p90: r2(quantile(s, 0.9)),
    p95: r2(quantile(s, 0.95)),
    p99: r2(quantile(s, 0.99)),
    max: r2(n ? (s[n - 1] as number) : null),
  };
}

/** Build `results.json` from the samples. */
/** What the run observed besides its requests. */
export interface RunObservations {
  rss: readonly RssSample[];
  sessions: readonly SessionSample[];
  /** WebSocket session set-up times (empty over HTTP). */
  connects: readonly number[];
  /** Milliseconds spent opening every session before the first request (0 over HTTP). */
  rampUpMs: number;
}

export function summariseRun(
  plan: LoadTestPlan,
  samples: readonly RequestSample[],
  seen: RunObservations,
  startedAt: Date,
  wallMs: number,
): LoadTestResults {
  const { rss } = seen;
  const errorCodes: Record<string, number> = {};
  const ok = samples.filter((s) => s.code === undefined);
  for (const s of samples) if (s.code !== undefined) errorCodes[s.code] = (errorCodes[s.code] ?? 0) + 1;
  const tps: number[] = [];
  for (const s of ok) {
    const gen = s.latencyMs - (s.ttftMs ?? 0);
    if (s.tokens > 1 && s.ttftMs !== null && gen > 0) tps.push(((s.tokens - 1) * 1000) / gen);
  }
  const seconds = Math.max(1, Math.ceil(wallMs / 1000));
  const timeline: SecondBucket[] = Array.from({ length: seconds }, (_, t) => ({
    t,
    completed: 0,
    errors: 0,
    tokens: 0,
  }));
  for (const s of samples) {
    const b = timeline[Math.min(seconds - 1, Math.floor((s.t + s.latencyMs) / 1000))];
    if (!b) continue;
    b.completed++;
    if (s.code !== undefined) b.errors++;
    b.tokens += s.tokens;
  }
  const tokens = samples.reduce((a, s) => a + s.tokens, 0);
  const runMs = Math.max(1, wallMs - seen.rampUpMs);
  const bytes = rss.map((r) => r.bytes);
  return {
    format: 'parley-load-test',
    version: 1,
    ...plan,
    startedAt: startedAt.toISOString(),
    wallMs: Math.round(wallMs),
    rampUpMs: Math.round(seen.rampUpMs),
    requests: samples.length,
    ok: ok.length,
    errors: samples.length - ok.length,
    errorRate: samples.length ? Math.round(((samples.length - ok.length) / samples.length) * 1e4) / 1e4 : 0,
    errorCodes,
    latencyMs: spread(samples.map((s) => s.latencyMs)),
    ttftMs: spread(ok.flatMap((s) => (s.ttftMs === null ? [] : [s.ttftMs]))),
    tokensPerSecond: spread(tps),
    tokens,
    // Over the request phase: the ramp-up sends no requests.
    throughput: {
      requestsPerSecond: r2(samples.length / (runMs / 1000)) ?? 0,
      tokensPerSecond: r2(tokens / (runMs / 1000)) ?? 0,
    },
    serverRss: bytes.length
      ? {
          startBytes: bytes[0] as number,
          peakBytes: Math.max(...bytes),
          endBytes: bytes[bytes.length - 1] as number,
        }
      : null,
    rssSamples: [...rss],
    connectMs: plan.api === 'ws' ? spread(seen.connects) : null,
    serverSessionsPeak: seen.sessions.length ? Math.max(...seen.sessions.map((s) => s.open)) : null,
    sessionSamples: [...seen.sessions],
    timeline,
    samples: [...samples],
  };
}
