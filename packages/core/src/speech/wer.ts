/** Word error rate: how far a transcript is from its reference, in words. */

/** Lower case, apostrophes kept, every other punctuation mark a space. */
export function normalizeWords(text: string): string[] {
  return text
    .toLowerCase()
    .replace(/[^\p{L}\p{N}']+/gu, ' ')
    .split(' ')
    .filter((w) => w !== '' && w !== "'");
}

export interface WerResult {
  /** (substitutions + deletions + insertions) / reference words; 0 is perfect. */
  wer: number;
  substitutions: number;
  deletions: number;
  insertions: number;
  referenceWords: number;
}

/**
 * The word error rate of `hypothesis` against `reference` (Levenshtein over normalised words).
 * An empty reference gives 0 for an empty hypothesis and 1 per inserted word otherwise.
 */
export function wordErrorRate(reference: string, hypothesis: string): WerResult {
  const r = normalizeWords(reference);
  const h = normalizeWords(hypothesis);
  // d[i][j]: [cost, subs, dels, ins] aligning r[0..i) with h[0..j).
  type Cell = [number, number, number, number];
  let prev: Cell[] = Array.from({ length: h.length + 1 }, (_, j): Cell => [j, 0, 0, j]);
  for (let i = 1; i <= r.length; i++) {
    const row: Cell[] = [[i, 0, i, 0]];
    for (let j = 1; j <= h.length; j++) {
      const diag = prev[j - 1]!;
      const up = prev[j]!;
      const left = row[j - 1]!;
      const same = r[i - 1] === h[j - 1];
      const options: Cell[] = [
        [diag[0] + (same ? 0 : 1), diag[1] + (same ? 0 : 1), diag[2], diag[3]],
        [up[0] + 1, up[1], up[2] + 1, up[3]],
        [left[0] + 1, left[1], left[2], left[3] + 1],
      ];
      row.push(options.reduce((a, b) => (b[0] < a[0] ? b : a)));
    }
    prev = row;
  }
  const [cost, substitutions, deletions, insertions] = prev[h.length]!;
  const wer = r.length === 0 ? h.length : cost / r.length;
  return { wer, substitutions, deletions, insertions, referenceWords: r.length };
}
