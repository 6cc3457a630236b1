// The cost of `--assistant NAME` on a one-shot: the cached stories260K one-shot with the
// assistant (its instructions, model and thread looked up in the store) against the same
// one-shot given the same system prompt and model by flags, in interleaved pairs (the order
// swapped every pair), in one home so both are answered from the response cache.
// Usage: node bench/assistant.bench.js [pairs=20]
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { STORIES } from './lib/models.js';
import { median, round, writeResult } from './lib/stats.js';

const N = Number(process.argv[2] ?? 20);
const BIN = fileURLToPath(new URL('../packages/cli/bin/parley.js', import.meta.url));
const home = mkdtempSync(path.join(os.tmpdir(), 'parley-bench-assistant-'));
const env = { ...process.env, PARLEY_HOME: home, PARLEY_GPU: 'false' };
const common = ['--threads', '1', '--temperature', '0', '--max-tokens', '20', '--json', 'Once upon a time'];
const variants = {
  flags: ['-m', STORIES, '-s', 'Tell a short story.', ...common],
  assistant: ['--assistant', 'story', ...common],
};
const parley = (args) => {
  const t0 = performance.now();
  const r = spawnSync(process.execPath, [BIN, ...args], { env, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`parley ${args.join(' ')}: ${r.stderr}`);
  return { ms: performance.now() - t0, out: r.stdout };
};
parley(['assistant', 'create', 'story', '--instructions', 'Tell a short story.', '-m', STORIES]);
for (const v of Object.values(variants)) parley(v); // fills the cache
const t = { flags: [], assistant: [] };
for (let i = 0; i < N; i++) {
  for (const k of i % 2 ? ['flags', 'assistant'] : ['assistant', 'flags']) {
    const r = parley(variants[k]);
    if (!JSON.parse(r.out).cached) throw new Error(`${k}: not answered from the cache`);
    t[k].push(r.ms);
  }
}
rmSync(home, { recursive: true, force: true });
const result = {
  pairs: N,
  flags_p50_ms: round(median(t.flags), 1),
  assistant_p50_ms: round(median(t.assistant), 1),
  ratio: round(median(t.assistant) / median(t.flags), 3),
};
writeResult('assistant', result);
console.log(JSON.stringify(result));
