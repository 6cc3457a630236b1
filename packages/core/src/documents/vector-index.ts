/**
 * Exact nearest-neighbour search over chunk embeddings, in memory, for both kinds an encoder
 * gives: dense vectors (local and provider models) are scanned as one `Float32Array`; sparse
 * ones (the lexical encoder) go into an inverted index, and the query's features are weighed
 * by their inverse document frequency in the indexed chunks (the lnc.ltc scheme: documents
 * carry term frequencies only, so adding a file never changes the vectors already stored).
 * Scores are cosines: higher is closer. Also the byte form embeddings are stored in.
 */
import type { Embedding, SparseVector } from '../router/embedding.js';

/** One search hit: the position of the embedding as given, and its score. */
export interface VectorHit {
  i: number;
  score: number;
}

function isSparse(v: Embedding): v is SparseVector {
  return !(v instanceof Float32Array);
}

/** Inverted lists in one block: the chunks and weights of feature slot `s` lie in `[start[s], start[s + 1])`. */
interface Postings {
  slots: Map<number, number>;
  start: Uint32Array;
  docs: Uint32Array;
  values: Float32Array;
}

/** An index over a fixed list of embeddings (all sparse or all dense). */
export class VectorIndex {
  readonly size: number;
  private dim = 0;
  private matrix: Float32Array | undefined;
  private postings: Postings | undefined;

  /** @throws TypeError when the embeddings mix kinds or dense sizes differ */
  constructor(embeddings: readonly Embedding[]) {
    this.size = embeddings.length;
    const first = embeddings[0];
    if (!first) return;
    if (isSparse(first)) this.buildSparse(embeddings);
    else this.buildDense(embeddings);
  }

  private buildDense(embeddings: readonly Embedding[]): void {
    const dim = (embeddings[0] as Float32Array).length;
    const m = new Float32Array(dim * embeddings.length);
    embeddings.forEach((e, i) => {
      if (isSparse(e)) throw new TypeError('cannot index sparse and dense embeddings together');
      if (e.length !== dim) throw new TypeError(`embedding sizes differ: ${dim} and ${e.length}`);
      m.set(e, i * dim);
    });
    this.dim = dim;
    this.matrix = m;
  }

  private buildSparse(embeddings: readonly Embedding[]): void {
    const slots = new Map<number, number>();
    let counts: number[] = [];
    let total = 0;
    for (const e of embeddings) {
      if (!isSparse(e)) throw new TypeError('cannot index sparse and dense embeddings together');
      for (const f of e.indices) {
        let s = slots.get(f);
        if (s === undefined) {
          s = counts.length;
          slots.set(f, s);
          counts.push(0);
        }
        counts[s] = (counts[s] as number) + 1;
      }
      total += e.indices.length;
    }
    const start = new Uint32Array(counts.length + 1);
    for (let s = 0; s < counts.length; s++) start[s + 1] = (start[s] as number) + (counts[s] as number);
    counts = [];
    const fill = start.slice(0, -1);
    const docs = new Uint32Array(total);
    const values = new Float32Array(total);
    embeddings.forEach((e, d) => {
      const { indices, values: v } = e as SparseVector;
      for (let j = 0; j < indices.length; j++) {
        const s = slots.get(indices[j] as number) as number;
        const at = fill[s] as number;
        docs[at] = d;
        values[at] = v[j] as number;
        fill[s] = at + 1;
      }
    });
    this.postings = { slots, start, docs, values };
  }

  /** The `k` closest embeddings to `query`, best first. */
  search(query: Embedding, k: number): VectorHit[] {
    if (this.size === 0 || k <= 0) return [];
    const scores = new Float32Array(this.size);
    if (this.postings) {
      if (!isSparse(query)) throw new TypeError('a dense query against sparse embeddings');
      // Query weights: the query's own weight times the feature's IDF in this index, then unit length.
      const n = this.size;
      let norm = 0;
      const p = this.postings;
      const weighted: [number, number][] = [];
      for (let j = 0; j < query.indices.length; j++) {
        const slot = p.slots.get(query.indices[j] as number);
        if (slot === undefined) continue;
        const df = (p.start[slot + 1] as number) - (p.start[slot] as number);
        const w = (query.values[j] as number) * (Math.log((1 + n) / (1 + df)) + 1);
        norm += w * w;
        weighted.push([slot, w]);
      }
      if (norm === 0) return [];
      const scale = 1 / Math.sqrt(norm);
      for (const [slot, w] of weighted) {
        const ws = w * scale;
        const end = p.start[slot + 1] as number;
        for (let j = p.start[slot] as number; j < end; j++) {
          const d = p.docs[j] as number;
          scores[d] = (scores[d] as number) + ws * (p.values[j] as number);
        }
      }
    } else {
      if (isSparse(query)) throw new TypeError('a sparse query against dense embeddings');
      const m = this.matrix as Float32Array;
      const dim = this.dim;
      if (query.length !== dim) throw new TypeError(`embedding sizes differ: ${dim} and ${query.length}`);
      for (let d = 0, at = 0; d < this.size; d++, at += dim) {
        let s = 0;
        for (let j = 0; j < dim; j++) s += (m[at + j] as number) * (query[j] as number);
        scores[d] = s;
      }
    }
    return topK(scores, k, this.postings !== undefined);
  }
}

/** The `k` best scores, best first (ties by position); `positiveOnly` drops zero scores. */
export function topK(scores: Float32Array, k: number, positiveOnly = false): VectorHit[] {
  const best: VectorHit[] = [];
  for (let i = 0; i < scores.length; i++) {
    const s = scores[i] as number;
    if (positiveOnly && s <= 0) continue;
    if (best.length === k && s <= (best[k - 1] as VectorHit).score) continue;
    let at = best.length < k ? best.length : k - 1;
    while (at > 0 && (best[at - 1] as VectorHit).score < s) at--;
    best.splice(at, 0, { i, score: s });
    if (best.length > k) best.pop();
  }
  return best;
}

const SPARSE = 1;
const DENSE = 2;

/** An embedding as bytes: a kind byte, a 3-byte pad, a count, then the arrays (little-endian). */
export function encodeEmbedding(e: Embedding): Buffer {
  if (isSparse(e)) {
    const n = e.indices.length;
    const buf = Buffer.alloc(8 + n * 8);
    buf.writeUInt8(SPARSE, 0);
    buf.writeUInt32LE(n, 4);
    for (let i = 0; i < n; i++) {
      buf.writeUInt32LE(e.indices[i] as number, 8 + i * 4);
      buf.writeFloatLE(e.values[i] as number, 8 + n * 4 + i * 4);
    }
    return buf;
  }
  const buf = Buffer.alloc(8 + e.length * 4);
  buf.writeUInt8(DENSE, 0);
  buf.writeUInt32LE(e.length, 4);
  for (let i = 0; i < e.length; i++) buf.writeFloatLE(e[i] as number, 8 + i * 4);
  return buf;
}

/** The embedding `encodeEmbedding` wrote; throws a TypeError on bytes it did not write. */
export function decodeEmbedding(buf: Uint8Array): Embedding {
  if (buf.byteLength < 8) throw new TypeError('a stored embedding is cut short');
  // A copy, so the typed arrays below start on an aligned offset (the platform is little-endian).
  const bytes = new Uint8Array(buf.byteLength);
  bytes.set(buf);
  const view = new DataView(bytes.buffer);
  const kind = view.getUint8(0);
  const n = view.getUint32(4, true);
  if (kind === SPARSE && bytes.byteLength === 8 + n * 8) {
    return {
      indices: new Uint32Array(bytes.buffer, 8, n),
      values: new Float32Array(bytes.buffer, 8 + n * 4, n),
    };
  }
  if (kind === DENSE && bytes.byteLength === 8 + n * 4) return new Float32Array(bytes.buffer, 8, n);
  throw new TypeError('a stored embedding is damaged');
}
