import { describe, expect, it } from 'vitest';
import { similarity, type SparseVector } from './embedding.js';
import { LexicalEncoder, stem, tokenize } from './lexical-encoder.js';

const CORPUS = ['write a python function', 'draw a cat in a hat', 'summarize this article'];

function fitted(opts = {}): LexicalEncoder {
  const e = new LexicalEncoder(opts);
  e.fit(CORPUS);
  return e;
}

const norm = (v: SparseVector): number => Math.sqrt(v.values.reduce((s, x) => s + x * x, 0));

describe('LexicalEncoder', () => {
  it('makes unit vectors with sorted indices', async () => {
    const [v] = (await fitted().embed(['Write a Python function!'])) as [SparseVector];
    expect(norm(v)).toBeCloseTo(1, 5);
    expect([...v.indices]).toEqual([...v.indices].sort((a, b) => a - b));
  });

  it('scores a text closest to the example it shares words with', () => {
    const e = fitted();
    const q = e.vector('could you write a function in python');
    const sims = CORPUS.map((c) => similarity(q, e.vector(c)));
    expect(sims[0]).toBeGreaterThan(0.5);
    expect(sims[0]).toBeGreaterThan(Math.max(sims[1] as number, sims[2] as number) * 2);
  });

  it('character n-grams survive typos and inflections', () => {
    const e = fitted();
    const words = fitted({ charNgrams: false });
    const q = 'summarise these articels';
    expect(similarity(e.vector(q), e.vector(CORPUS[2] as string))).toBeGreaterThan(
      similarity(words.vector(q), words.vector(CORPUS[2] as string)),
    );
  });

  it('ignores what the examples never had: a text of unknown words is the zero vector', () => {
    const v = fitted().vector('zzqx wvvk');
    expect(v.indices).toHaveLength(0);
    expect(similarity(v, fitted().vector(CORPUS[0] as string))).toBe(0);
  });

  it('a long pasted text does not drown the words that say what is wanted', () => {
    const e = fitted();
    const pasted = `summarize this article: ${'Zorblat quintessa vemory plonk. '.repeat(50)}`;
    expect(similarity(e.vector(pasted), e.vector(CORPUS[2] as string))).toBeGreaterThan(0.8);
  });

  it('bm25 weighting also works', () => {
    const e = fitted({ weighting: 'bm25' });
    expect(similarity(e.vector('draw me a cat'), e.vector(CORPUS[1] as string))).toBeGreaterThan(0.3);
  });
});

describe('tokenize and stem', () => {
  it('folds case and accents and keeps apostrophes inside words', () => {
    expect(tokenize("Café’s NAÏVE don't 42x")).toEqual(["cafe's", 'naive', "don't", '42x']);
  });
  it('strips a few suffixes and leaves short words alone', () => {
    expect(
      ['summaries', 'summarize', 'summarise', 'running', 'walked', 'quickly', 'cats', 'bus', 'is'].map(stem),
    ).toEqual(['summary', 'summar', 'summar', 'runn', 'walk', 'quick', 'cat', 'bus', 'is']);
  });
});
