/**
 * `parley stats`: per-model figures over the request timings kept in the store (so they
 * cover every run of the CLI, the server and the library that logged its turns): requests,
 * error rate, cache hit ratio, and p50/p95/p99 of time to first token, tokens per second and
 * total time.
 */
import { UsageError } from '../errors.js';
import type { ConversationStore } from '../store/conversation-store.js';
import type { RequestRecord } from '../store/types.js';

/** p50, p95 and p99 of a figure; null when no request had it. */
export interface Percentiles {
  n: number;
  p50: number | null;
  p95: number | null;
  p99: number | null;
}

/** The figures of one model (or of all, as `total`, whose model is `*`). */
export interface ModelStats {
  model: string;
  requests: number;
  errors: number;
  /** errors / requests */
  errorRate: number;
  /** Requests that ended interrupted (partial). */
  interrupted: number;
  /** Requests the response cache answered. */
  cached: number;
  /** cached / requests: the share of requests answered from the cache. */
  cacheHitRatio: number;
  /** Error counts by code. */
  errorCodes: Record<string, number>;
  inputTokens: number;
  outputTokens: number;
  /** Milliseconds to the first token, over generated (not cached) requests. */
  ttftMs: Percentiles;
  /** Output tokens per second, over generated requests that report it. */
  tokensPerSecond: Percentiles;
  /** Milliseconds from request to the end of the stream, over every request. */
  totalMs: Percentiles;
}

/** What `parley stats --json` prints and `--export` writes. */
export interface StatsReport {
  format: 'parley-stats';
  version: 1;
  generatedAt: string;
  /** Start of the window (ISO time); null for all time. */
  since: string | null;
  models: ModelStats[];
  total: ModelStats;
}

/** The q-quantile (0..1) of sorted numbers, linearly interpolated; null for none. */
export function quantile(sorted: readonly number[], q: number): number | null {
  if (sorted.length === 0) return null;
  const pos = (sorted.length - 1) * q;
  const lo = Math.floor(pos);
  const hi = Math.ceil(pos);
  const a = sorted[lo] as number;
  const b = sorted[hi] as number;
  return a + (b - a) * (pos - lo);
}

const round = (n: number | null, digits = 2): number | null =>
  n === null ? null : Math.round(n * 10 ** digits) / 10 ** digits;

/** p50/p95/p99 of the values (any order). */
export function percentiles(values: readonly number[]): Percentiles {
  const s = [...values].sort((a, b) => a - b);
  return {
    n: s.length,
    p50: round(quantile(s, 0.5)),
    p95: round(quantile(s, 0.95)),
    p99: round(quantile(s, 0.99)),
  };
}

function modelStats(model: string, rs: readonly RequestRecord[]): ModelStats {
  const errorCodes: Record<string, number> = {};
  const ttft: number[] = [];
  const tps: number[] = [];
  const total: number[] = [];
  let errors = 0;
  let interrupted = 0;
  let cached = 0;
  let inputTokens = 0;
  let outputTokens = 0;
  for (const r of rs) {
    if (r.status === 'error') {
      errors++;
      const code = r.errorCode ?? 'unknown';
      errorCodes[code] = (errorCodes[code] ?? 0) + 1;
    } else if (r.status === 'partial') interrupted++;
    if (r.cached) cached++;
    inputTokens += r.usage.inputTokens ?? 0;
    outputTokens += r.usage.outputTokens ?? 0;
    total.push(r.timings.totalMs);
    if (r.cached) continue;
    if (r.timings.ttftMs !== null) ttft.push(r.timings.ttftMs);
    if (r.timings.tokensPerSecond !== null) tps.push(r.timings.tokensPerSecond);
  }
  const n = rs.length;
  return {
    model,
    requests: n,
    errors,
    errorRate: n === 0 ? 0 : (round(errors / n, 4) as number),
    interrupted,
    cached,
    cacheHitRatio: n === 0 ? 0 : (round(cached / n, 4) as number),
    errorCodes,
    inputTokens,
    outputTokens,
    ttftMs: percentiles(ttft),
    tokensPerSecond: percentiles(tps),
    totalMs: percentiles(total),
  };
}

/** Per-model figures (sorted by model) and the total over all of them. */
export function summariseRequests(
  records: readonly RequestRecord[],
  opts: { since?: number | undefined; now?: number } = {},
): StatsReport {
  const byModel = new Map<string, RequestRecord[]>();
  for (const r of records) {
    let list = byModel.get(r.model);
    if (!list) byModel.set(r.model, (list = []));
    list.push(r);
  }
  const models = [...byModel.keys()].sort().map((m) => modelStats(m, byModel.get(m) ?? []));
  return {
    format: 'parley-stats',
    version: 1,
    generatedAt: new Date(opts.now ?? Date.now()).toISOString(),
    since: opts.since === undefined ? null : new Date(opts.since).toISOString(),
    models,
    total: modelStats('*', records),
  };
}

/** Stats of every request in `store` since `since` (epoch ms; all when undefined). */
export async function requestStats(
  store: ConversationStore,
  opts: { since?: number | undefined; now?: number } = {},
): Promise<StatsReport> {
  const records = await store.requests.list(opts.since === undefined ? {} : { since: opts.since });
  return summariseRequests(records, opts);
}

const UNITS: Record<string, number> = { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 };

/**
 * A `--since` value as epoch milliseconds: a duration back from `now` (`90s`, `30m`, `24h`,
 * `7d`, `2w`, combinable: `1h30m`) or a date/time (`2026-11-01`, ISO 8601).
 */
export function parseSince(raw: string, now: number = Date.now()): number {
  const s = raw.trim();
  if (/^(\d+(\.\d+)?[smhdw])+$/.test(s)) {
    let ms = 0;
    for (const m of s.matchAll(/(\d+(?:\.\d+)?)([smhdw])/g))
      ms += Number(m[1]) * (UNITS[m[2] as string] ?? 0);
    return now - ms;
  }
  if (/^\d{4}-\d{2}-\d{2}/.test(s)) {
    const t = Date.parse(s);
    if (!Number.isNaN(t)) return t;
  }
  throw new UsageError(`--since ${raw}: use a duration (90s, 30m, 24h, 7d) or a date (2026-11-01)`);
}
