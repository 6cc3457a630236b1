// Runs every bench/*.bench.js in turn (one process each) and lists the results.
// Usage: npm run bench [-- name-filter] [--compare | --compare-only] [--tolerance 0.3] [--update-baseline]
//   --compare          run, then compare every ratio with bench/baseline.json (exit 1 on a regression)
//   --compare-only     compare the results already in bench/results/ without running anything
//   --tolerance T      how far (0.3 = 30 %) a ratio may move the wrong way (default: the baseline's)
//   --update-baseline  write the ratios of bench/results/ into bench/baseline.json
import { spawnSync } from 'node:child_process';
import { readFileSync, readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { compareResults, formatComparison, readResults, updateBaseline } from './lib/compare.js';
import { RESULTS_DIR } from './lib/stats.js';

const dir = fileURLToPath(new URL('.', import.meta.url));
const BASELINE = `${dir}baseline.json`;
const argv = process.argv.slice(2);
const flag = (name) => argv.includes(name);
const tolIndex = argv.indexOf('--tolerance');
const tolerance = tolIndex >= 0 ? Number(argv[tolIndex + 1]) : undefined;
if (tolerance !== undefined && !(tolerance > 0)) {
  process.stderr.write('--tolerance needs a positive number, e.g. 0.3 for 30 %\n');
  process.exit(2);
}
const filter = argv.find((a, i) => !a.startsWith('--') && argv[i - 1] !== '--tolerance');
const compareOnly = flag('--compare-only');
const update = flag('--update-baseline');

let failed = 0;
const ran = [];
if (!compareOnly && !update) {
  const files = readdirSync(dir)
    .filter((f) => f.endsWith('.bench.js'))
    .filter((f) => !filter || f.includes(filter))
    .sort();
  for (const [i, f] of files.entries()) {
    process.stderr.write(`[${i + 1}/${files.length}] ${f}\n`);
    const t0 = performance.now();
    const r = spawnSync(process.execPath, [`${dir}${f}`], { stdio: ['ignore', 'inherit', 'inherit'] });
    process.stderr.write(
      `[${i + 1}/${files.length}] ${f}: ${r.status === 0 ? 'ok' : `failed (${r.status})`} in ${((performance.now() - t0) / 1000).toFixed(1)} s\n`,
    );
    if (r.status !== 0) failed++;
    else ran.push(f.replace(/\.bench\.js$/, ''));
  }
  process.stderr.write(`results in bench/results/\n`);
}

if (update || compareOnly || flag('--compare')) {
  const baseline = JSON.parse(readFileSync(BASELINE, 'utf8'));
  const results = readResults(baseline, RESULTS_DIR);
  if (update) {
    updateBaseline(BASELINE, baseline, results);
    process.stderr.write(`bench/baseline.json updated from bench/results/\n`);
  } else {
    // Without --compare-only, only what ran now is compared (older results may be stale).
    const scope = compareOnly
      ? results
      : Object.fromEntries(Object.entries(results).map(([k, v]) => [k, ran.includes(k) ? v : undefined]));
    const rows = compareResults(baseline, scope, { tolerance });
    const shown = rows.filter((r) => r.status !== 'not-run');
    process.stdout.write(`${formatComparison(shown)}\n`);
    const regressed = rows.filter((r) => r.status === 'regressed' || r.status === 'missing');
    process.stderr.write(
      `${shown.length} ratios compared with bench/baseline.json (measured ${baseline.measured}): ${regressed.length} regressed or missing, ${rows.filter((r) => r.status === 'improved').length} improved\n`,
    );
    if (regressed.length > 0) failed++;
  }
}
process.exitCode = failed ? 1 : 0;
