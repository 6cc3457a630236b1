// A/B of the cached one-shot's wall time: another checkout (built) against this one, in
// interleaved pairs (the order swapped every pair), on the cached stories260K one-shot of
// bench/cache.bench.js. For changes that touch start-up, on machines too noisy for absolute
// times. Usage: node bench/ab-one-shot.js OTHER_CHECKOUT [pairs=30]
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { STORIES } from './lib/models.js';
import { median, round } from './lib/stats.js';

const other = process.argv[2];
if (!other) {
  process.stderr.write('usage: node bench/ab-one-shot.js OTHER_CHECKOUT [pairs]\n');
  process.exit(2);
}
const N = Number(process.argv[3] ?? 30);
const bins = {
  other: path.resolve(other, 'packages/cli/bin/parley.js'),
  this: fileURLToPath(new URL('../packages/cli/bin/parley.js', import.meta.url)),
};
const args = [
  '-m',
  STORIES,
  '--threads',
  '1',
  '--temperature',
  '0',
  '--max-tokens',
  '20',
  '--json',
  'Once upon a time',
];
const homes = {};
const run = (k) => {
  const env = { ...process.env, PARLEY_HOME: homes[k], PARLEY_GPU: 'false' };
  const t0 = performance.now();
  const r = spawnSync(process.execPath, [bins[k], ...args], { env, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`${bins[k]}: ${r.stderr}`);
  return { ms: performance.now() - t0, cached: JSON.parse(r.stdout).cached };
};
for (const k of Object.keys(bins)) {
  homes[k] = mkdtempSync(path.join(os.tmpdir(), `parley-ab-${k}-`));
  run(k); // fills the cache
}
const t = { other: [], this: [] };
for (let i = 0; i < N; i++) {
  for (const k of i % 2 ? ['other', 'this'] : ['this', 'other']) {
    const r = run(k);
    if (!r.cached) throw new Error(`${k}: the one-shot was not answered from the cache`);
    t[k].push(r.ms);
  }
}
for (const h of Object.values(homes)) rmSync(h, { recursive: true, force: true });
console.log(
  JSON.stringify({
    pairs: N,
    other_p50_ms: round(median(t.other), 1),
    this_p50_ms: round(median(t.this), 1),
    paired_median_difference_ms: round(median(t.this.map((v, i) => v - t.other[i])), 1),
    ratio_of_medians: round(median(t.this) / median(t.other), 3),
  }),
);
