// `npm run bench -- --compare`: each ratio in bench/results/<name>.json against the committed
// baseline (bench/baseline.json). Only ratios are compared (each against a reference measured
// in the same run), because absolute times on these machines drift by ±30 % between runs.
import { readFileSync, writeFileSync } from 'node:fs';

/** The value at a dotted path (`a.b.c`), or undefined. */
export function at(obj, dotted) {
  return dotted.split('.').reduce((o, k) => (o === null || typeof o !== 'object' ? undefined : o[k]), obj);
}

/**
 * Compare results with the baseline. `results` maps a benchmark name to its result object
 * (undefined when it has none). Returns one row per figure:
 * `{ bench, figure, better, baseline, current, change, tolerance, status }`, where `status`
 * is `ok`, `regressed`, `improved`, `missing` (the result lacks the figure) or `not-run`.
 * `change` is current / baseline; a figure regresses when it moves the wrong way by more
 * than the tolerance (lower-is-better: change > 1 + t; higher-is-better: change < 1 / (1 + t)).
 */
export function compareResults(baseline, results, opts = {}) {
  const rows = [];
  const defaultTol = opts.tolerance ?? baseline.tolerance ?? 0.25;
  for (const [bench, figures] of Object.entries(baseline.figures)) {
    const result = results[bench];
    for (const [figure, spec] of Object.entries(figures)) {
      const tolerance = opts.tolerance ?? spec.tolerance ?? defaultTol;
      const row = {
        bench,
        figure,
        better: spec.better,
        baseline: spec.value,
        current: null,
        change: null,
        tolerance,
      };
      if (!result) {
        rows.push({ ...row, status: 'not-run' });
        continue;
      }
      const current = at(result, figure);
      if (typeof current !== 'number' || !Number.isFinite(current)) {
        rows.push({ ...row, status: 'missing' });
        continue;
      }
      const change = current / spec.value;
      const worse = spec.better === 'lower' ? change > 1 + tolerance : change < 1 / (1 + tolerance);
      const better = spec.better === 'lower' ? change < 1 / (1 + tolerance) : change > 1 + tolerance;
      rows.push({
        ...row,
        current,
        change: Math.round(change * 1000) / 1000,
        status: worse ? 'regressed' : better ? 'improved' : 'ok',
      });
    }
  }
  return rows;
}

/** The rows as a table for a terminal. */
export function formatComparison(rows) {
  const head = ['benchmark', 'figure', 'better', 'baseline', 'now', 'change', 'status'];
  const cells = rows.map((r) => [
    r.bench,
    r.figure,
    r.better,
    String(r.baseline),
    r.current === null ? '-' : String(r.current),
    r.change === null ? '-' : `×${r.change}`,
    r.status === 'regressed' ? `REGRESSED (> ${Math.round(r.tolerance * 100)} %)` : r.status,
  ]);
  const all = [head, ...cells];
  const widths = head.map((_, i) => Math.max(...all.map((c) => c[i].length)));
  return all
    .map((c) =>
      c
        .map((v, i) => v.padEnd(widths[i]))
        .join('  ')
        .trimEnd(),
    )
    .join('\n');
}

/** Read bench/results/<name>.json for every benchmark of the baseline (undefined when absent). */
export function readResults(baseline, dir) {
  const out = {};
  for (const bench of Object.keys(baseline.figures)) {
    try {
      out[bench] = JSON.parse(readFileSync(`${dir}${bench}.json`, 'utf8'));
    } catch {
      out[bench] = undefined;
    }
  }
  return out;
}

/** Write the baseline again with the current values of every figure that has one. */
export function updateBaseline(file, baseline, results) {
  const next = structuredClone(baseline);
  for (const [bench, figures] of Object.entries(next.figures)) {
    for (const [figure, spec] of Object.entries(figures)) {
      const v = results[bench] ? at(results[bench], figure) : undefined;
      if (typeof v === 'number' && Number.isFinite(v)) spec.value = v;
    }
  }
  next.measured = `${new Date().toISOString().slice(0, 10)} (npm run bench -- --update-baseline)`;
  writeFileSync(file, `${JSON.stringify(next, null, 2)}\n`);
  return next;
}
