import { describe, expect, it } from 'vitest';
import { normalize } from '../router/embedding.js';
import { LexicalEncoder } from '../router/lexical-encoder.js';
import { decodeEmbedding, encodeEmbedding, topK, VectorIndex } from './vector-index.js';

describe('VectorIndex', () => {
  it('finds the closest dense vectors by cosine', () => {
    const vs = [
      normalize(Float32Array.of(1, 0, 0)),
      normalize(Float32Array.of(1, 1, 0)),
      normalize(Float32Array.of(0, 0, 1)),
    ];
    const hits = new VectorIndex(vs).search(normalize(Float32Array.of(1, 0.1, 0)), 2);
    expect(hits.map((h) => h.i)).toEqual([0, 1]);
    expect(hits[0]!.score).toBeCloseTo(0.995, 2);
  });

  it('weighs sparse query features by how rare they are in the index', async () => {
    const enc = new LexicalEncoder({ hashed: true, charNgrams: false, bigrams: false, stem: false });
    const texts = ['the cat sat', 'the dog sat', 'the zebra ran', 'the bird sat'];
    const index = new VectorIndex(await enc.embed(texts));
    const [q] = await enc.embed(['the zebra sat']);
    // "zebra" is rare and "the"/"sat" are common, so the zebra text wins.
    expect(index.search(q!, 1)[0]!.i).toBe(2);
    const [none] = await enc.embed(['unrelated words']);
    expect(index.search(none!, 3)).toEqual([]);
  });

  it('refuses to mix sparse and dense, or dense of different sizes', async () => {
    const [sparse] = await new LexicalEncoder({ hashed: true }).embed(['x']);
    expect(() => new VectorIndex([Float32Array.of(1), sparse!])).toThrow(/sparse and dense/);
    expect(() => new VectorIndex([Float32Array.of(1), Float32Array.of(1, 0)])).toThrow(/sizes differ/);
    expect(() => new VectorIndex([Float32Array.of(1)]).search(sparse!, 1)).toThrow(/sparse query/);
  });

  it('keeps the k best in order', () => {
    expect(topK(Float32Array.of(0.1, 0.9, 0.5, 0.7), 3).map((h) => h.i)).toEqual([1, 3, 2]);
  });
});

describe('encodeEmbedding', () => {
  it('round-trips both kinds and refuses damaged bytes', async () => {
    const dense = Float32Array.of(0.25, -0.5, 1);
    expect(decodeEmbedding(encodeEmbedding(dense))).toEqual(dense);
    const [sparse] = await new LexicalEncoder({ hashed: true }).embed(['hello world']);
    expect(decodeEmbedding(encodeEmbedding(sparse!))).toEqual(sparse);
    const bytes = encodeEmbedding(dense);
    expect(() => decodeEmbedding(bytes.subarray(0, 10))).toThrow(/damaged/);
    expect(() => decodeEmbedding(new Uint8Array(3))).toThrow(/cut short/);
  });
});
