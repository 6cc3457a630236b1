// Runs every bench/*.bench.js in turn (one process each) and lists the results.
// Usage: npm run bench [-- name-filter]
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const dir = fileURLToPath(new URL('.', import.meta.url));
const filter = process.argv[2];
const files = readdirSync(dir)
  .filter((f) => f.endsWith('.bench.js'))
  .filter((f) => !filter || f.includes(filter))
  .sort();
let failed = 0;
for (const [i, f] of files.entries()) {
  process.stderr.write(`[${i + 1}/${files.length}] ${f}\n`);
  const t0 = performance.now();
  const r = spawnSync(process.execPath, [`${dir}${f}`], { stdio: ['ignore', 'inherit', 'inherit'] });
  process.stderr.write(
    `[${i + 1}/${files.length}] ${f}: ${r.status === 0 ? 'ok' : `failed (${r.status})`} in ${((performance.now() - t0) / 1000).toFixed(1)} s\n`,
  );
  if (r.status !== 0) failed++;
}
process.stderr.write(`results in bench/results/\n`);
process.exitCode = failed ? 1 : 0;
