/**
 * The metrics registry: every metric's name, type and labels, fed through the sink
 * functions, and the exporter's text parsed back.
 */
import { describe, expect, it } from 'vitest';
import { createMetrics } from './metrics.js';
import { MetricsFanout, NO_METRICS } from './metrics-sink.js';
import { parsePrometheusText, promValue } from './prometheus-text.js';

async function exported(feed: (m: Awaited<ReturnType<typeof createMetrics>>) => void) {
  const m = await createMetrics({ engine: { stats: () => ({ models: 1, queued: 2, waited: 3 }) } });
  feed(m);
  return parsePrometheusText(await m.text());
}

describe('ParleyMetrics', () => {
  it('exports every metric with its type, help and labels', async () => {
    const f = await exported((m) => {
      m.turnEnded({
        model: 'local:qwen',
        outcome: 'done',
        ttftMs: 40,
        totalMs: 900,
        tokensPerSecond: 55,
        cached: false,
      });
      m.cacheLookup('local:qwen', true);
      m.error('ws', 'bad_request');
      m.wsSession(1);
      m.frameDropped('closed');
      m.routerDecision({ route: 'code', strategy: 'embedding', seconds: 0.002 });
      m.toolCall({ tool: 'read_file', outcome: 'ok', seconds: 0.01 });
      m.residencyLoad({ model: 'local:qwen', outcome: 'loaded', seconds: 1.5 });
      m.serverTurnEnded('ws', { type: 'done', usage: { inputTokens: 3, outputTokens: 7 } });
      m.httpRequests.inc({ method: 'GET', route: '/healthz', status: '200' });
    });
    const expected: [string, string, string[]][] = [
      ['parley_ttft_seconds', 'histogram', ['model']],
      ['parley_tokens_per_second', 'histogram', ['model']],
      ['parley_request_duration_seconds', 'histogram', ['model', 'outcome']],
      ['parley_requests_total', 'counter', ['model', 'outcome', 'code']],
      ['parley_cache_lookups_total', 'counter', ['model', 'result']],
      ['parley_errors_total', 'counter', ['api', 'code']],
      ['parley_ws_sessions_open', 'gauge', []],
      ['parley_ws_frames_dropped_total', 'counter', ['reason']],
      ['parley_router_decisions_total', 'counter', ['route', 'strategy']],
      ['parley_router_decision_seconds', 'histogram', []],
      ['parley_tool_calls_total', 'counter', ['tool', 'outcome']],
      ['parley_tool_call_seconds', 'histogram', ['tool']],
      ['parley_residency_loads_total', 'counter', ['model', 'outcome']],
      ['parley_residency_load_seconds', 'histogram', ['model']],
      ['parley_process_memory_bytes', 'gauge', ['kind']],
      ['parley_turns_total', 'counter', ['api', 'outcome']],
      ['parley_tokens_total', 'counter', ['api', 'direction']],
      ['parley_http_requests_total', 'counter', ['method', 'route', 'status']],
      ['parley_local_queue_depth', 'gauge', []],
      ['parley_local_models_loaded', 'gauge', []],
      ['process_resident_memory_bytes', 'gauge', []],
    ];
    for (const [name, type, labels] of expected) {
      const fam = f.get(name);
      expect(fam, name).toBeDefined();
      expect(fam?.type, name).toBe(type);
      expect(fam?.help.length, name).toBeGreaterThan(10);
      const sample = fam?.samples.find((s) => !s.name.endsWith('_sum') && !s.name.endsWith('_count'));
      expect(sample, `${name} has a sample`).toBeDefined();
      const keys = Object.keys(sample?.labels ?? {}).filter((k) => k !== 'le');
      expect(keys.sort(), name).toEqual([...labels].sort());
    }
  });

  it('observes TTFT, tokens/s and latency per provider:model, in seconds, parsed back exactly', async () => {
    const f = await exported((m) => {
      for (const ttft of [20, 40, 300]) {
        m.turnEnded({
          model: 'openai:gpt-5-mini',
          outcome: 'done',
          ttftMs: ttft,
          totalMs: 1000,
          tokensPerSecond: 80,
          cached: false,
        });
      }
      m.turnEnded({
        model: 'openai:gpt-5-mini',
        outcome: 'error',
        errorCode: 'rate_limited',
        ttftMs: null,
        totalMs: 5,
        tokensPerSecond: null,
        cached: false,
      });
      // A cached answer counts as a request, but not in TTFT or tokens/s.
      m.turnEnded({
        model: 'openai:gpt-5-mini',
        outcome: 'done',
        ttftMs: 1,
        totalMs: 2,
        tokensPerSecond: null,
        cached: true,
      });
    });
    const model = { model: 'openai:gpt-5-mini' };
    expect(promValue(f, 'parley_ttft_seconds_count', model)).toBe(3);
    expect(promValue(f, 'parley_ttft_seconds_sum', model)).toBeCloseTo(0.36, 6);
    expect(promValue(f, 'parley_ttft_seconds_bucket', { ...model, le: '0.025' })).toBe(1);
    expect(promValue(f, 'parley_ttft_seconds_bucket', { ...model, le: '0.05' })).toBe(2);
    expect(promValue(f, 'parley_ttft_seconds_bucket', { ...model, le: '+Inf' })).toBe(3);
    expect(promValue(f, 'parley_tokens_per_second_count', model)).toBe(3);
    expect(promValue(f, 'parley_tokens_per_second_bucket', { ...model, le: '100' })).toBe(3);
    expect(promValue(f, 'parley_request_duration_seconds_count', model)).toBe(5);
    expect(promValue(f, 'parley_requests_total', { ...model, outcome: 'done' })).toBe(4);
    expect(promValue(f, 'parley_requests_total', { ...model, outcome: 'error', code: 'rate_limited' })).toBe(
      1,
    );
  });

  it('counts cache hits and misses, errors by code, sessions and dropped frames', async () => {
    const f = await exported((m) => {
      m.cacheLookup('local:qwen', true);
      m.cacheLookup('local:qwen', true);
      m.cacheLookup('local:qwen', false);
      m.error('http', 'not_found');
      m.error('ws', 'Weird Code!'); // not a label value: counted as other
      m.wsSession(1);
      m.wsSession(1);
      m.wsSession(-1);
      m.frameDropped('closed');
    });
    expect(promValue(f, 'parley_cache_lookups_total', { model: 'local:qwen', result: 'hit' })).toBe(2);
    expect(promValue(f, 'parley_cache_lookups_total', { model: 'local:qwen', result: 'miss' })).toBe(1);
    expect(promValue(f, 'parley_errors_total', { api: 'http', code: 'not_found' })).toBe(1);
    expect(promValue(f, 'parley_errors_total', { api: 'ws', code: 'other' })).toBe(1);
    expect(promValue(f, 'parley_ws_sessions_open')).toBe(1);
    expect(promValue(f, 'parley_ws_frames_dropped_total', { reason: 'closed' })).toBe(1);
    expect(promValue(f, 'parley_process_memory_bytes', { kind: 'rss' })).toBeGreaterThan(1e6);
    expect(promValue(f, 'parley_local_queue_depth')).toBe(2);
  });

  it('keeps the model label to a bounded set of safe values', async () => {
    const m = await createMetrics({ defaultMetrics: false });
    for (let i = 0; i < 100; i++) m.cacheLookup(`canned:text ${i}`, false); // spaces: not a label
    for (let i = 0; i < 100; i++) m.cacheLookup(`local:m${i}`, false);
    const f = parsePrometheusText(await m.text());
    const models = new Set(f.get('parley_cache_lookups_total')?.samples.map((s) => s.labels.model));
    expect(models.size).toBeLessThanOrEqual(65);
    expect(models.has('other')).toBe(true);
    expect(promValue(f, 'parley_cache_lookups_total')).toBe(200);
  });

  it('two registries never share counts', async () => {
    const a = await createMetrics({ defaultMetrics: false });
    const b = await createMetrics({ defaultMetrics: false });
    a.error('http', 'x');
    expect(promValue(parsePrometheusText(await b.text()), 'parley_errors_total')).toBe(0);
  });
});

describe('MetricsFanout', () => {
  it('forwards to every attached sink, survives one that throws, and detaches', () => {
    const fan = new MetricsFanout();
    const seen: string[] = [];
    const detach = fan.attach({ ...NO_METRICS, error: (api, code) => void seen.push(`${api}:${code}`) });
    fan.attach({
      ...NO_METRICS,
      error: () => {
        throw new Error('broken sink');
      },
    });
    fan.error('cli', 'auth');
    detach();
    fan.error('cli', 'timeout');
    expect(seen).toEqual(['cli:auth']);
    expect(fan.size).toBe(1);
  });
});

describe('parsePrometheusText', () => {
  it('reads labels with escapes, special values and comments', () => {
    const f = parsePrometheusText(
      [
        '# HELP x_total A "quoted" help',
        '# TYPE x_total counter',
        'x_total{a="b\\"c",d="e\\\\f"} 3 1700000000000',
        '# a plain comment',
        'y NaN',
        'z{le="+Inf"} +Inf',
      ].join('\n'),
    );
    expect(f.get('x_total')?.samples[0]).toEqual({
      name: 'x_total',
      labels: { a: 'b"c', d: 'e\\f' },
      value: 3,
    });
    expect(f.get('x_total')?.type).toBe('counter');
    expect(Number.isNaN(f.get('y')?.samples[0]?.value)).toBe(true);
    expect(f.get('z')?.samples[0]?.value).toBe(Infinity);
    expect(() => parsePrometheusText('not a metric line at all!')).toThrow(/not a Prometheus sample/);
  });
});
