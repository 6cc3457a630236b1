// The response cache, each figure against a baseline measured in the same run:
// - hit lookup in process (memory tier) vs a plain Map.get of the same key; the whole hit
//   (key hashing + lookup + replaying the events) vs hashing alone;
// - lookup from SQLite after a restart vs a bare prepared SELECT + JSON.parse on the same file;
// - hit ratio on a replayed workload of repeated prompts vs the ideal (an unbounded cache);
// - a cached one-shot's wall time vs `node -e 0` and vs the same one-shot with --no-cache.
// Goals (issue 4): lookup < 10 ms (floor), in process p50/p99 < 0.05 ms, after restart p99 < 1 ms,
// hit ratio > 80 %.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import {
  ResponseCache,
  ResponseCacheStore,
  SqliteConversationStore,
  cacheKey,
  storeCacheBacking,
} from '../packages/core/dist/index.js';
import { STORIES } from './lib/models.js';
import { median, progress, round, summary, writeResult } from './lib/stats.js';

const RUNS = Number(process.env.BENCH_RUNS ?? 200);
const BIN = fileURLToPath(new URL('../packages/cli/bin/parley.js', import.meta.url));
const dir = mkdtempSync(path.join(os.tmpdir(), 'parley-bench-cache-'));

const request = (i) => ({
  system: 'You are concise.',
  messages: [
    { role: 'user', content: [{ type: 'text', text: `Question number ${i}: what is a GGUF file?` }] },
  ],
  temperature: 0,
  maxTokens: 128,
});
const model = { provider: 'local', modelId: 'bench', identity: '/models/bench.gguf' };
const answerEvents = (i) => {
  const words = `Answer ${i}: a GGUF file holds the weights and metadata of a model for llama.cpp.`.split(
    ' ',
  );
  const usage = { inputTokens: 20, outputTokens: words.length, totalTokens: 20 + words.length };
  return [
    ...words.map((w) => ({ type: 'text-delta', text: `${w} ` })),
    { type: 'usage', usage },
    {
      type: 'done',
      model: 'local:bench',
      finishReason: 'stop',
      usage,
      timings: { ttftMs: 1, totalMs: 2, tokensPerSecond: 1 },
    },
  ];
};

/** A model that answers at once (the cost measured is the cache's, not a model's). */
class InstantModel {
  specificationVersion = 'v1';
  provider = 'local';
  modelId = 'bench';
  capabilities = { images: false };
  calls = 0;
  async *stream(r) {
    this.calls++;
    yield* answerEvents(Number(/\d+/.exec(r.messages[0].content[0].text)?.[0] ?? 0));
  }
}

/** Per-operation microseconds: BATCH operations timed together, RUNS batches. */
function perOpUs(fn, batch = 1000) {
  const out = [];
  for (let r = 0; r < RUNS; r++) {
    const t0 = performance.now();
    for (let i = 0; i < batch; i++) fn(i);
    out.push(((performance.now() - t0) * 1000) / batch);
  }
  return out;
}
async function perOpAsyncUs(fn, batch = 100) {
  const out = [];
  for (let r = 0; r < RUNS; r++) {
    const t0 = performance.now();
    for (let i = 0; i < batch; i++) await fn(i);
    out.push(((performance.now() - t0) * 1000) / batch);
  }
  return out;
}
const drain = async (events) => {
  let n = 0;
  for await (const _ of events) n++;
  return n;
};

// 1. In process: a hit in memory vs Map.get, and the whole hit (hash + lookup + replay).
progress('in-process hits');
const mem = new ResponseCacheStore();
const cached = new ResponseCache(new InstantModel(), { store: mem });
const KEYS = 256;
const keys = [];
const map = new Map();
for (let i = 0; i < KEYS; i++) {
  await drain(cached.stream(request(i)));
  keys.push(cached.keyOf(request(i)));
  map.set(keys[i], mem.peek(keys[i]));
}
let sink = 0;
const mapGet = perOpUs((i) => (sink ^= map.get(keys[i % KEYS]) ? 1 : 0));
const peek = perOpUs((i) => (sink ^= mem.peek(keys[i % KEYS]) ? 1 : 0));
const hashOnly = perOpUs((i) => (sink ^= cacheKey(model, request(i % KEYS)).length), 200);
const fullHit = await perOpAsyncUs((i) => drain(cached.stream(request(i % KEYS))));

// 2. After a restart: answers read back from SQLite (the conversation store's file).
progress('persisted lookups after a restart');
const file = path.join(dir, 'parley.db');
const N = 2000;
{
  const db = SqliteConversationStore.open({ path: file });
  const s = new ResponseCacheStore({ backing: storeCacheBacking(db) });
  const m = new ResponseCache(new InstantModel(), { store: s });
  for (let i = 0; i < N; i++) await drain(m.stream(request(i)));
  await s.close();
  await db.close();
}
const db = SqliteConversationStore.open({ path: file });
const restarted = new ResponseCacheStore({ backing: storeCacheBacking(db) });
const probe = new ResponseCache(new InstantModel(), { store: restarted });
const order = Array.from({ length: N }, (_, i) => (i * 7919) % N); // a fixed shuffle
const diskKeys = order.map((i) => probe.keyOf(request(i)));
const fromDisk = [];
for (const k of diskKeys) {
  const t0 = performance.now();
  const e = await restarted.find(k);
  fromDisk.push(performance.now() - t0);
  if (!e) throw new Error('a persisted answer was not found');
}
const raw = new Database(file, { readonly: true });
const select = raw.prepare('SELECT value FROM cache_entries WHERE key = ?');
const rawSelect = [];
for (const k of diskKeys) {
  const t0 = performance.now();
  JSON.parse(select.get(k).value);
  rawSelect.push(performance.now() - t0);
}
raw.close();
await restarted.close();
await db.close();

// 3. Hit ratio on a replayed workload: 5,000 requests over 400 prompts, Zipf-like (s = 1).
progress('replayed workload');
const PROMPTS = 400;
const LEN = 5000;
let seed = 42;
const rand = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
const weights = Array.from({ length: PROMPTS }, (_, i) => 1 / (i + 1));
const total = weights.reduce((a, b) => a + b, 0);
const pick = () => {
  let x = rand() * total;
  for (let i = 0; i < PROMPTS; i++) if ((x -= weights[i]) <= 0) return i;
  return PROMPTS - 1;
};
const workload = Array.from({ length: LEN }, pick);
const ideal = 1 - new Set(workload).size / LEN;
async function replay(store) {
  const m = new ResponseCache(new InstantModel(), { store });
  for (const i of workload) await drain(m.stream(request(i)));
  return (await store.stats()).total.hitRatio;
}
const unbounded = await replay(new ResponseCacheStore());
const small = await replay(new ResponseCacheStore({ maxBytes: 100 * 1024 })); // about 1/4 of the answers

// 4. A cached one-shot, wall time, through the real bin and the real local model.
progress('cached one-shot wall time');
const home = path.join(dir, 'home');
const env = { ...process.env, PARLEY_HOME: home, PARLEY_GPU: 'false' };
const oneShot = [
  '-m',
  STORIES,
  '--threads',
  '1',
  '--temperature',
  '0',
  '--max-tokens',
  '20',
  '--json',
  'Once upon a time',
];
const wall = (args) => {
  const t0 = performance.now();
  const r = spawnSync(process.execPath, args, { env, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`${args.join(' ')}: ${r.stderr}`);
  return { ms: performance.now() - t0, out: r.stdout };
};
const first = JSON.parse(wall([BIN, ...oneShot]).out);
if (first.cached) throw new Error('the first one-shot should not be cached');
const SPAWNS = Number(process.env.BENCH_SPAWNS ?? 10);
const w = { node: [], hit: [], noCache: [] };
for (let i = 0; i < SPAWNS; i++) {
  w.node.push(wall(['-e', '0']).ms);
  const h = wall([BIN, ...oneShot]);
  if (!JSON.parse(h.out).cached) throw new Error('the one-shot was not answered from the cache');
  w.hit.push(h.ms);
  w.noCache.push(wall([BIN, ...oneShot, '--no-cache']).ms);
}
rmSync(dir, { recursive: true, force: true });

const r3 = (n) => round(n, 3);
writeResult('cache', {
  command: 'node bench/cache.bench.js',
  goals: 'lookup in process p50/p99 < 0.05 ms; from SQLite after restart p99 < 1 ms; hit ratio > 80 %',
  in_process_us: {
    map_get_baseline: summary(mapGet),
    memory_hit_lookup: summary(peek),
    lookup_over_map_get_ratio: r3(median(peek) / median(mapGet)),
    key_hash: summary(hashOnly),
    full_hit_hash_lookup_replay: summary(fullHit),
    full_hit_over_hash_ratio: r3(median(fullHit) / median(hashOnly)),
  },
  after_restart_ms: {
    entries: N,
    sqlite_select_json_parse_baseline: summary(rawSelect),
    cache_find_from_store: summary(fromDisk),
    p99_over_baseline_p99_ratio: r3(summary(fromDisk).p99 / summary(rawSelect).p99),
  },
  replayed_workload: {
    requests: LEN,
    distinct_prompts: new Set(workload).size,
    ideal_hit_ratio: r3(ideal),
    hit_ratio_unbounded: r3(unbounded),
    hit_ratio_100kb_memory: r3(small),
    unbounded_over_ideal_ratio: r3(unbounded / ideal),
  },
  cached_one_shot_wall_ms: {
    runs: SPAWNS,
    node_e_0_baseline: summary(w.node),
    cached: summary(w.hit),
    no_cache_same_prompt: summary(w.noCache),
    cached_over_node_ratio: r3(median(w.hit) / median(w.node)),
    cached_over_no_cache_ratio: r3(median(w.hit) / median(w.noCache)),
  },
  sink,
});
