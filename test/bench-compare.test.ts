/** `npm run bench -- --compare`: ratios against the committed baseline, flagged beyond a tolerance. */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
// @ts-expect-error plain JavaScript, no types
import { compareResults, formatComparison, updateBaseline } from '../bench/lib/compare.js';

interface Row {
  bench: string;
  figure: string;
  status: string;
  change: number | null;
}

const baseline = {
  tolerance: 0.25,
  measured: 'test',
  figures: {
    cache: {
      'a.cost_ratio': { value: 2, better: 'lower' },
      'a.hit_ratio': { value: 0.9, better: 'higher', tolerance: 0.05 },
    },
    server: { 'b.ratio': { value: 1, better: 'lower' } },
  },
};

describe('compareResults', () => {
  it('flags a ratio that moved the wrong way beyond its tolerance, and only then', () => {
    const rows = compareResults(baseline, {
      cache: { a: { cost_ratio: 2.4, hit_ratio: 0.8 } },
      server: undefined,
    }) as Row[];
    expect(rows.map((r) => [r.figure, r.status, r.change])).toEqual([
      ['a.cost_ratio', 'ok', 1.2], // 20 % worse: within 25 %
      ['a.hit_ratio', 'regressed', 0.889], // 11 % lower: beyond its own 5 %
      ['b.ratio', 'not-run', null],
    ]);
  });

  it('says improved beyond the tolerance, missing for an absent figure, and takes a tolerance override', () => {
    const rows = compareResults(baseline, {
      cache: { a: { cost_ratio: 1.2 } },
      server: { b: { ratio: 1.2 } },
    }) as Row[];
    expect(rows.map((r) => r.status)).toEqual(['improved', 'missing', 'ok']);
    const strict = compareResults(
      baseline,
      { cache: { a: { cost_ratio: 2.1, hit_ratio: 0.9 } } },
      { tolerance: 0.01 },
    ) as Row[];
    expect(strict[0]?.status).toBe('regressed');
    expect(formatComparison(strict)).toMatch(
      /a\.cost_ratio\s+lower\s+2\s+2\.1\s+×1\.05\s+REGRESSED \(> 1 %\)/,
    );
  });

  it('the committed baseline names real figures of every benchmark, with a direction', () => {
    const committed = JSON.parse(
      readFileSync(new URL('../bench/baseline.json', import.meta.url), 'utf8'),
    ) as {
      figures: Record<string, Record<string, { value: number; better: string }>>;
    };
    for (const [bench, figures] of Object.entries(committed.figures)) {
      const source = readFileSync(new URL(`../bench/${bench}.bench.js`, import.meta.url), 'utf8');
      for (const [figure, spec] of Object.entries(figures)) {
        expect(['lower', 'higher']).toContain(spec.better);
        expect(spec.value).toBeGreaterThan(0);
        expect(figure).toMatch(/ratio/);
        expect(source, `${bench}: ${figure}`).toContain(figure.split('.').at(-1));
      }
    }
  });

  it('--update-baseline writes the current values and keeps the directions', () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'parley-baseline-'));
    try {
      const file = path.join(dir, 'baseline.json');
      writeFileSync(file, JSON.stringify(baseline));
      updateBaseline(file, baseline, { cache: { a: { cost_ratio: 1.5 } } });
      const next = JSON.parse(readFileSync(file, 'utf8')) as typeof baseline;
      expect(next.figures.cache['a.cost_ratio']).toEqual({ value: 1.5, better: 'lower' });
      expect(next.figures.cache['a.hit_ratio'].value).toBe(0.9);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
