// Wall time of `parley --version` and `--help` vs bare `node -e 0` (the floor), same run.
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { median, progress, round, summary, writeResult } from './lib/stats.js';

const BIN = fileURLToPath(new URL('../packages/cli/bin/parley.js', import.meta.url));
const RUNS = Number(process.env.BENCH_RUNS ?? 30);

function time(args) {
  const t0 = performance.now();
  const r = spawnSync(process.execPath, args, { encoding: 'utf8' });
  const ms = performance.now() - t0;
  if (r.status !== 0) throw new Error(`${args.join(' ')} failed: ${r.stderr}`);
  return ms;
}

// An empty ES module: the floor for any ESM command-line tool.
const EMPTY = fileURLToPath(new URL('./lib/empty.mjs', import.meta.url));
const cases = { node: ['-e', '0'], esm: [EMPTY], version: [BIN, '--version'], help: [BIN, '--help'] };
const samples = { node: [], esm: [], version: [], help: [] };
time(cases.version); // warm the file cache
for (let i = 0; i < RUNS; i++) {
  for (const [k, args] of Object.entries(cases)) samples[k].push(time(args));
  if ((i + 1) % 10 === 0) progress(`${i + 1}/${RUNS}`);
}
const base = median(samples.node);
writeResult('version', {
  command: 'node bench/version.bench.js',
  goal: 'parley --version wall time < 150 ms',
  node_e_0_ms: summary(samples.node),
  node_empty_esm_ms: summary(samples.esm),
  version_ms: summary(samples.version),
  help_ms: summary(samples.help),
  version_over_node_ratio: round(median(samples.version) / base, 3),
  help_over_node_ratio: round(median(samples.help) / base, 3),
  version_over_empty_esm_ratio: round(median(samples.version) / median(samples.esm), 3),
});
