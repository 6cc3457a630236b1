/**
 * Embeddings as the router compares them: dense vectors from neural encoders, sparse ones
 * from the lexical encoder. Both are unit length once made, so similarity is a dot product.
 */

/** A sparse vector: feature indices in ascending order, and their weights. */
export interface SparseVector {
  readonly indices: Uint32Array;
  readonly values: Float32Array;
}

/** What an encoder returns for one text. */
export type Embedding = Float32Array | SparseVector;

function isSparse(v: Embedding): v is SparseVector {
  return !(v instanceof Float32Array);
}

/** `v` scaled to unit length (a zero vector stays zero). */
export function normalize(v: Float32Array): Float32Array {
  let sum = 0;
  for (const x of v) sum += x * x;
  const n = Math.sqrt(sum);
  if (n === 0) return v;
  const out = new Float32Array(v.length);
  for (let i = 0; i < v.length; i++) out[i] = (v[i] as number) / n;
  return out;
}

/** A sparse vector from index → weight pairs, sorted and scaled to unit length. */
export function sparseFrom(weights: Map<number, number>): SparseVector {
  const indices = Uint32Array.from(weights.keys()).sort();
  const values = new Float32Array(indices.length);
  let sum = 0;
  for (const w of weights.values()) sum += w * w;
  const n = Math.sqrt(sum) || 1;
  for (let i = 0; i < indices.length; i++) values[i] = (weights.get(indices[i] as number) as number) / n;
  return { indices, values };
}

/** Cosine similarity of two unit vectors of the same kind. */
export function similarity(a: Embedding, b: Embedding): number {
  if (isSparse(a) && isSparse(b)) return sparseDot(a, b);
  if (!isSparse(a) && !isSparse(b)) return denseDot(a, b);
  throw new TypeError('cannot compare a sparse embedding with a dense one');
}

function denseDot(a: Float32Array, b: Float32Array): number {
  if (a.length !== b.length) throw new TypeError(`embedding sizes differ: ${a.length} and ${b.length}`);
  let s = 0;
  for (let i = 0; i < a.length; i++) s += (a[i] as number) * (b[i] as number);
  return s;
}

function sparseDot(a: SparseVector, b: SparseVector): number {
  let i = 0;
  let j = 0;
  let s = 0;
  const ai = a.indices;
  const bi = b.indices;
  while (i < ai.length && j < bi.length) {
    const x = ai[i] as number;
    const y = bi[j] as number;
    if (x === y) s += (a.values[i++] as number) * (b.values[j++] as number);
    else if (x < y) i++;
    else j++;
  }
  return s;
}
