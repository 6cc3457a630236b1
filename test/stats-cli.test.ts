/**
 * `parley stats` as a user runs it: over a store holding requests with known timings, and
 * across separate runs of the CLI (each one-shot records its request in the store).
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { SqliteConversationStore, type NewRequest, type StatsReport } from '@parley/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runParley, tempHome } from './helpers/cli.js';

let home: string;
let cleanup: () => void;
let scratch: string;

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
    usage: { inputTokens: 5, outputTokens: 50 },
    timings: { ttftMs, totalMs: 1000, tokensPerSecond: tps },
    ...extra,
  };
}

beforeAll(async () => {
  ({ home, cleanup } = tempHome());
  scratch = mkdtempSync(path.join(os.tmpdir(), 'parley-stats-'));
  const now = Date.now();
  let at = now - 48 * 3_600_000; // two days ago
  const store = SqliteConversationStore.open({ path: path.join(home, 'data', 'parley.db'), now: () => at });
  await store.requests.record(req('local:old', 10, 10));
  at = now - 60_000; // a minute ago
  for (let i = 1; i <= 20; i++) await store.requests.record(req('local:qwen', i * 10, i * 5));
  for (let i = 0; i < 5; i++) await store.requests.record(req('local:qwen', 1, null, { cached: true }));
  await store.requests.record(
    req('openai:gpt-5-mini', null, null, {
      status: 'error',
      errorCode: 'rate_limited',
      finishReason: 'error',
    }),
  );
  await store.requests.record(req('openai:gpt-5-mini', 300, 80));
  await store.close();
});

afterAll(() => {
  cleanup();
  rmSync(scratch, { recursive: true, force: true });
});

const env = () => ({ PARLEY_HOME: home });

describe('parley stats', () => {
  it('prints p50/p95/p99 TTFT and tokens/s, error rate and cache hit ratio per model', async () => {
    const r = await runParley(['stats'], { env: env() });
    expect(r.code).toBe(0);
    const rows = r.stdout.trim().split('\n');
    expect(rows[0]).toMatch(
      /^model\s+requests\s+errors\s+cached\s+ttft p50\s+p95\s+p99\s+tok\/s p50\s+p95\s+p99$/,
    );
    // local:qwen: 25 requests, 5 cached (20 %), TTFT 10..200 ms → p50 105, p95 190.5, p99 198.1.
    const qwen = rows.find((l) => l.startsWith('local:qwen'))?.split(/\s{2,}/);
    expect(qwen).toEqual([
      'local:qwen',
      '25',
      '0.0 %',
      '20.0 %',
      '105 ms',
      '191 ms',
      '198 ms',
      '53',
      '95',
      '99',
    ]);
    const gpt = rows.find((l) => l.startsWith('openai:gpt-5-mini'))?.split(/\s{2,}/);
    expect(gpt?.slice(0, 5)).toEqual(['openai:gpt-5-mini', '2', '50.0 %', '0.0 %', '300 ms']);
    expect(rows.at(-1)).toMatch(/^total\s+28\s/);
    expect(r.stderr).toMatch(/all time; errors: rate_limited 1/);
  });

  it('keeps to --since and prints JSON with --json', async () => {
    const r = await runParley(['stats', '--since', '24h', '--json'], { env: env() });
    expect(r.code).toBe(0);
    const s = JSON.parse(r.stdout) as StatsReport;
    expect(s.models.map((m) => m.model)).toEqual(['local:qwen', 'openai:gpt-5-mini']);
    const qwen = s.models[0]!;
    expect(qwen.ttftMs).toEqual({ n: 20, p50: 105, p95: 190.5, p99: 198.1 });
    expect(qwen.tokensPerSecond).toEqual({ n: 20, p50: 52.5, p95: 95.25, p99: 99.05 });
    expect(qwen.cacheHitRatio).toBe(0.2);
    expect(s.models[1]?.errorRate).toBe(0.5);
    expect(Date.parse(s.since ?? '')).toBeGreaterThan(Date.now() - 25 * 3_600_000);
    expect(s.total.requests).toBe(27);
  });

  it('exports the figures to a file with --export', async () => {
    const file = path.join(scratch, 'stats.json');
    const r = await runParley(['stats', '--since', '7d', '--export', file], { env: env() });
    expect(r.code).toBe(0);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(/wrote 28 requests' stats to/);
    const s = JSON.parse(readFileSync(file, 'utf8')) as StatsReport;
    expect(s.format).toBe('parley-stats');
    expect(s.models.map((m) => m.model)).toEqual(['local:old', 'local:qwen', 'openai:gpt-5-mini']);
  });

  it('refuses a bad window, and stray flags', async () => {
    const bad = await runParley(['stats', '--since', 'last week'], { env: env() });
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/--since last week: use a duration/);
    const stray = await runParley(['--since', '1h', 'hello'], { env: env() });
    expect(stray.code).toBe(2);
    expect(stray.stderr).toMatch(/--since goes with parley stats/);
  });

  it('counts the turns of separate CLI runs', async () => {
    const fresh = tempHome();
    try {
      for (let i = 0; i < 3; i++) {
        const r = await runParley(['-m', 'canned', '--max-tokens', '4', `question ${i}`], {
          env: { PARLEY_HOME: fresh.home },
        });
        expect(r.code).toBe(0);
      }
      const r = await runParley(['stats', '--json'], { env: { PARLEY_HOME: fresh.home } });
      const s = JSON.parse(r.stdout) as StatsReport;
      expect(s.models).toHaveLength(1);
      expect(s.models[0]).toMatchObject({ model: 'canned:lorem', requests: 3, errors: 0 });
      expect(s.models[0]?.ttftMs.n).toBe(3);
    } finally {
      fresh.cleanup();
    }
  });
});
