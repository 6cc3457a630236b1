/** `parley stats`' figures over a real SQLite store holding requests with known timings. */
import { describe, expect, it } from 'vitest';
import { UsageError } from '../errors.js';
import { SqliteConversationStore } from '../store/sqlite/sqlite-conversation-store.js';
import type { NewRequest } from '../store/types.js';
import { parseSince, percentiles, requestStats } from './request-stats.js';

const HOUR = 3_600_000;
const T0 = Date.UTC(2026, 10, 1);

function req(
  model: string,
  ttftMs: number | null,
  tps: number | null,
  extra: Partial<NewRequest> = {},
): NewRequest {
  return {
    model,
    source: 'cli',
    status: 'complete',
    finishReason: 'stop',
    errorCode: null,
    usage: { inputTokens: 10, outputTokens: 20 },
    timings: { ttftMs, totalMs: (ttftMs ?? 0) + 100, tokensPerSecond: tps },
    ...extra,
  };
}

/** A store whose clock we set before each record. */
async function storeWith(rows: { at: number; r: NewRequest }[]) {
  let now = T0;
  const store = SqliteConversationStore.open({ path: ':memory:', now: () => now });
  for (const { at, r } of rows) {
    now = at;
    await store.requests.record(r);
  }
  return store;
}

describe('requestStats', () => {
  it('gives per-model p50/p95/p99 TTFT and tokens/s, error rate and cache hit ratio', async () => {
    const rows: { at: number; r: NewRequest }[] = [];
    // local:a: 100 generated requests, TTFT 1..100 ms, tokens/s 10..1000.
    for (let i = 1; i <= 100; i++) rows.push({ at: T0 + i, r: req('local:a', i, i * 10) });
    // 20 cached answers of local:a: counted in the hit ratio, left out of TTFT and tokens/s.
    for (let i = 0; i < 20; i++)
      rows.push({ at: T0 + 200 + i, r: req('local:a', 0.5, null, { cached: true }) });
    // openai:b: 3 ok, 1 rate limited, 1 auth error, 1 interrupted.
    rows.push({ at: T0 + 300, r: req('openai:b', 200, 50) });
    rows.push({ at: T0 + 301, r: req('openai:b', 400, 70) });
    rows.push({ at: T0 + 302, r: req('openai:b', 600, 90) });
    rows.push({
      at: T0 + 303,
      r: req('openai:b', null, null, { status: 'error', errorCode: 'rate_limited', finishReason: 'error' }),
    });
    rows.push({
      at: T0 + 304,
      r: req('openai:b', null, null, { status: 'error', errorCode: 'auth', finishReason: 'error' }),
    });
    rows.push({
      at: T0 + 305,
      r: req('openai:b', 100, null, { status: 'partial', finishReason: 'interrupted' }),
    });
    const store = await storeWith(rows);
    const s = await requestStats(store, { now: T0 + HOUR });
    expect(s.format).toBe('parley-stats');
    expect(s.since).toBeNull();
    expect(s.models.map((m) => m.model)).toEqual(['local:a', 'openai:b']);

    const a = s.models[0]!;
    expect(a.requests).toBe(120);
    expect(a.cached).toBe(20);
    expect(a.cacheHitRatio).toBeCloseTo(20 / 120, 4);
    expect(a.errorRate).toBe(0);
    expect(a.ttftMs).toEqual({ n: 100, p50: 50.5, p95: 95.05, p99: 99.01 });
    expect(a.tokensPerSecond).toEqual({ n: 100, p50: 505, p95: 950.5, p99: 990.1 });

    const b = s.models[1]!;
    expect(b.requests).toBe(6);
    expect(b.errors).toBe(2);
    expect(b.errorRate).toBeCloseTo(2 / 6, 4);
    expect(b.errorCodes).toEqual({ rate_limited: 1, auth: 1 });
    expect(b.interrupted).toBe(1);
    expect(b.cacheHitRatio).toBe(0);
    expect(b.ttftMs).toEqual({ n: 4, p50: 300, p95: 570, p99: 594 });
    expect(b.tokensPerSecond.p50).toBe(70);

    expect(s.total.requests).toBe(126);
    expect(s.total.errors).toBe(2);
    expect(s.total.cached).toBe(20);
    await store.close();
  });

  it('keeps to the window given by since', async () => {
    const store = await storeWith([
      { at: T0, r: req('local:a', 10, 100) },
      { at: T0 + 2 * HOUR, r: req('local:a', 30, 300) },
      { at: T0 + 3 * HOUR, r: req('local:b', 50, 500) },
    ]);
    const now = T0 + 4 * HOUR;
    const s = await requestStats(store, { since: parseSince('3h', now), now });
    expect(s.since).toBe(new Date(T0 + HOUR).toISOString());
    expect(s.total.requests).toBe(2);
    expect(s.models.map((m) => [m.model, m.ttftMs.p50])).toEqual([
      ['local:a', 30],
      ['local:b', 50],
    ]);
    await store.close();
  });

  it('reports nothing, not NaN, for an empty store', async () => {
    const store = await storeWith([]);
    const s = await requestStats(store);
    expect(s.models).toEqual([]);
    expect(s.total).toMatchObject({
      requests: 0,
      errorRate: 0,
      cacheHitRatio: 0,
      ttftMs: { n: 0, p50: null },
    });
    await store.close();
  });
});

describe('parseSince and percentiles', () => {
  it('reads durations and dates, and refuses anything else', () => {
    const now = T0 + 10 * 86_400_000;
    expect(parseSince('24h', now)).toBe(now - 86_400_000);
    expect(parseSince('1h30m', now)).toBe(now - 5_400_000);
    expect(parseSince('90s', now)).toBe(now - 90_000);
    expect(parseSince('7d', now)).toBe(now - 7 * 86_400_000);
    expect(parseSince('2026-11-01', now)).toBe(T0);
    expect(() => parseSince('yesterday', now)).toThrow(UsageError);
    expect(() => parseSince('-5h', now)).toThrow(UsageError);
  });

  it('interpolates between ranks', () => {
    expect(percentiles([5])).toEqual({ n: 1, p50: 5, p95: 5, p99: 5 });
    expect(percentiles([4, 1, 3, 2])).toEqual({ n: 4, p50: 2.5, p95: 3.85, p99: 3.97 });
    expect(percentiles([])).toEqual({ n: 0, p50: null, p95: null, p99: null });
  });
});
