import { describe, expect, it } from 'vitest';
import { normalizeWords, wordErrorRate } from './wer.js';

describe('wordErrorRate', () => {
  it('is 0 for the same words, whatever the case and punctuation', () => {
    expect(wordErrorRate('Go forward, ten meters.', 'go forward ten METERS').wer).toBe(0);
  });

  it('counts substitutions, deletions and insertions', () => {
    const sub = wordErrorRate('go forward ten meters', 'go forward two meters');
    expect(sub).toMatchObject({
      substitutions: 1,
      deletions: 0,
      insertions: 0,
      referenceWords: 4,
      wer: 0.25,
    });
    const del = wordErrorRate('go forward ten meters', 'go ten meters');
    expect(del).toMatchObject({ substitutions: 0, deletions: 1, insertions: 0, wer: 0.25 });
    const ins = wordErrorRate('go forward', 'go go forward now');
    expect(ins).toMatchObject({ substitutions: 0, deletions: 0, insertions: 2, wer: 1 });
  });

  it('can exceed 1 when the hypothesis is much longer', () => {
    expect(wordErrorRate('yes', 'no no no').wer).toBe(3);
  });

  it('handles empty sides', () => {
    expect(wordErrorRate('', '').wer).toBe(0);
    expect(wordErrorRate('', 'hello there').wer).toBe(2);
    expect(wordErrorRate('hello there', '').wer).toBe(1);
  });

  it('finds the cheapest alignment (a known case)', () => {
    // "kitten sitting" style: one substitution and one insertion.
    const r = wordErrorRate('the cat sat on the mat', 'the cat sit on the mat today');
    expect(r).toMatchObject({ substitutions: 1, insertions: 1, deletions: 0 });
    expect(r.wer).toBeCloseTo(2 / 6);
  });

  it('keeps apostrophes inside words and splits on other marks', () => {
    expect(normalizeWords("Don't stop—now!")).toEqual(["don't", 'stop', 'now']);
  });
});
