// Document collections: index throughput and query latency over 10,000 chunks with the
// offline (hashed lexical) encoder, each against a baseline measured in the same run:
// - indexing (walk, sha256, extract, chunk, embed, store in SQLite) in chunks per second,
//   against sha256 of the same files' bytes in chunks per second (the least any indexer does);
// - re-indexing the unchanged collection (only hashes are compared), in files per second;
// - query latency p50/p99 (embed the question, score every chunk, take the top 5), against a
//   plain linear scan of 10,000 384-dimension Float32Array dot products;
// - the same search over 10,000 dense 384-dimension vectors (a local embedding model's size,
//   the question's embedding not counted);
// - loading the collection from the store (what each one-shot `parley --docs` pays first).
// Goal (issue 7): query p50 < 10 ms over 10,000 chunks with the offline encoder.
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {
  CollectionIndex,
  SqliteConversationStore,
  VectorIndex,
  documentLexicalEncoder,
  indexCollection,
} from '../packages/core/dist/index.js';
import { progress, round, summary, writeResult } from './lib/stats.js';

const TARGET_CHUNKS = 10_000;
const QUERIES = 300;

// A seeded generator, so every run indexes the same text.
let seed = 42;
const rand = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
const SYLLABLES = [
  'ka',
  'lo',
  'mi',
  'ne',
  'ru',
  'ta',
  'shi',
  'po',
  'ven',
  'dar',
  'el',
  'qu',
  'is',
  'or',
  'fen',
];
const VOCAB = Array.from({ length: 6000 }, () => {
  const n = 1 + Math.floor(rand() * 3);
  return Array.from({ length: n }, () => SYLLABLES[Math.floor(rand() * SYLLABLES.length)]).join('');
});
// Zipf-like: low ranks far more often, as in real text.
const word = () => VOCAB[Math.floor(VOCAB.length * rand() ** 3)];
const sentence = (n) => Array.from({ length: n }, word).join(' ') + '.';

const dir = mkdtempSync(path.join(os.tmpdir(), 'parley-bench-docs-'));
const root = path.join(dir, 'corpus');
mkdirSync(root);
// Markdown files of 20 sections, each a heading and ~220 tokens of text: one chunk each.
const FILES = TARGET_CHUNKS / 20;
for (let f = 0; f < FILES; f++) {
  const parts = [];
  for (let s = 0; s < 20; s++) parts.push(`## ${sentence(3)}\n\n${sentence(70)}\n\n${sentence(60)}\n`);
  writeFileSync(path.join(root, `doc-${f}.md`), parts.join('\n'));
}

const store = SqliteConversationStore.open({ path: path.join(dir, 'bench.db') });
const encoder = documentLexicalEncoder();
const opts = { encoder, chunkTokens: 256, chunkOverlap: 32, maxFileBytes: 10 * 1024 * 1024 };

progress(`indexing ${FILES} files`);
let t0 = performance.now();
const first = await indexCollection(store, 'bench', [root], opts);
const indexMs = performance.now() - t0;
const chunks = first.collection.chunks;

t0 = performance.now();
for (const f of readdirSync(root))
  createHash('sha256')
    .update(readFileSync(path.join(root, f)))
    .digest('hex');
const hashMs = performance.now() - t0;

t0 = performance.now();
const again = await indexCollection(store, 'bench', [], opts);
const reindexMs = performance.now() - t0;
if (again.unchanged !== FILES)
  throw new Error(`re-index saw ${again.unchanged} unchanged files, not ${FILES}`);

t0 = performance.now();
const index = await CollectionIndex.load(store, 'bench', encoder);
const loadMs = performance.now() - t0;
progress(`${chunks} chunks indexed in ${(indexMs / 1000).toFixed(1)} s, loaded in ${loadMs.toFixed(0)} ms`);

const questions = Array.from({ length: QUERIES }, () => sentence(8));
const time = async (fn) => {
  const out = [];
  for (const q of questions) {
    const s = performance.now();
    await fn(q);
    out.push(performance.now() - s);
  }
  return out;
};
// Warm up, then measure.
await time((q) => index.search(q, 5));
const lexical = await time((q) => index.search(q, 5));

const DIM = 384;
const unit = () => {
  const v = Float32Array.from({ length: DIM }, () => rand() - 0.5);
  let n = 0;
  for (const x of v) n += x * x;
  return v.map((x) => x / Math.sqrt(n));
};
const denseVectors = Array.from({ length: chunks }, unit);
const flat = new Float32Array(chunks * DIM);
denseVectors.forEach((v, i) => flat.set(v, i * DIM));
const queryVectors = new Map(questions.map((q) => [q, unit()]));
const baselineScan = (q) => {
  const v = queryVectors.get(q);
  const scores = new Float32Array(chunks);
  for (let d = 0; d < chunks; d++) {
    let s = 0;
    const at = d * DIM;
    for (let j = 0; j < DIM; j++) s += flat[at + j] * v[j];
    scores[d] = s;
  }
  return scores;
};
await time(baselineScan);
const baseline = await time(baselineScan);
const dense = new VectorIndex(denseVectors);
await time((q) => dense.search(queryVectors.get(q), 5));
const denseTimes = await time((q) => dense.search(queryVectors.get(q), 5));

await store.close();
rmSync(dir, { recursive: true, force: true });

const b = summary(baseline);
const l = summary(lexical);
const d = summary(denseTimes);
writeResult('documents', {
  command: 'node bench/documents.bench.js',
  goals: 'query p50 < 10 ms over 10,000 chunks with the offline encoder',
  chunks,
  files: FILES,
  index: {
    chunks_per_s: round(chunks / (indexMs / 1000), 1),
    baseline_sha256_chunks_per_s: round(chunks / (hashMs / 1000), 1),
    sha256_over_index_ratio: round(indexMs / hashMs, 1),
    reindex_unchanged_files_per_s: round(FILES / (reindexMs / 1000), 1),
    reindex_over_sha256_ratio: round(reindexMs / hashMs, 1),
    load_ms: round(loadMs, 1),
    load_over_baseline_scan_p50_ratio: round(loadMs / b.p50, 1),
  },
  query_ms: {
    baseline_dense_scan_384: b,
    lexical: l,
    dense_384_index: d,
    lexical_p50_over_baseline_p50_ratio: round(l.p50 / b.p50, 2),
    lexical_p99_over_baseline_p99_ratio: round(l.p99 / b.p99, 2),
    dense_p50_over_baseline_p50_ratio: round(d.p50 / b.p50, 2),
  },
});
