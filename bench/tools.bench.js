// Tools: what turning them on costs at start-up, and the tool loop's overhead per step.
// Baselines in the same run: `node -e 0` and importing @parley/core without tools; a
// scripted model's two streams read directly, without the loop.
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { median, progress, round, summary, writeResult } from './lib/stats.js';

const CORE = fileURLToPath(new URL('../packages/core/dist/index.js', import.meta.url));
const SESSION = fileURLToPath(new URL('../packages/core/dist/tools/session.js', import.meta.url));
const RUNS = Number(process.env.BENCH_RUNS ?? 20);

function time(code) {
  const t0 = performance.now();
  const r = spawnSync(process.execPath, ['--input-type=module', '-e', code], { encoding: 'utf8' });
  const ms = performance.now() - t0;
  if (r.status !== 0) throw new Error(`failed: ${r.stderr}`);
  return ms;
}

const cases = {
  node: '0',
  core: `await import(${JSON.stringify(CORE)})`,
  core_with_tools: `const c = await import(${JSON.stringify(CORE)}); await import(${JSON.stringify(SESSION)}); await c.createToolSession({ ...c.DEFAULTS }, { enabled: ['all'], confirm: c.refuseAll })`,
};
const samples = { node: [], core: [], core_with_tools: [] };
time(cases.core);
for (let i = 0; i < RUNS; i++) {
  for (const [k, code] of Object.entries(cases)) samples[k].push(time(code));
  if ((i + 1) % 10 === 0) progress(`start-up ${i + 1}/${RUNS}`);
}

// The loop: a model that calls one tool, then answers; the tool returns at once.
const core = await import(CORE);
const { z } = await import('zod');
const usage = { inputTokens: 1, outputTokens: 1, totalTokens: 2 };
const timings = { ttftMs: 0, totalMs: 0, tokensPerSecond: null };
const stepOne = [
  { type: 'tool-call', id: 'c1', name: 'echo', args: { text: 'hi' } },
  { type: 'done', model: 'b:m', finishReason: 'tool-calls', usage, timings },
];
const stepTwo = [
  { type: 'text-delta', text: 'hello' },
  { type: 'done', model: 'b:m', finishReason: 'stop', usage, timings },
];
async function* play(events) {
  for (const e of events) yield e;
}
const registry = new core.ToolRegistry().register({
  name: 'echo',
  description: 'echo',
  input: z.object({ text: z.string() }),
  safety: 'safe',
  execute: async (a) => ({ forModel: a.text }),
});
const request = { messages: [core.userText('x')] };
const opts = { registry, confirm: core.refuseAll };
const TURNS = Number(process.env.BENCH_TURNS ?? 5000);
const direct = [];
const looped = [];
for (let round_ = 0; round_ < 10; round_++) {
  let t0 = performance.now();
  for (let i = 0; i < TURNS; i++) {
    for await (const e of play(stepOne)) void e;
    for await (const e of play(stepTwo)) void e;
  }
  direct.push(((performance.now() - t0) * 1000) / TURNS);
  t0 = performance.now();
  for (let i = 0; i < TURNS; i++) {
    let step = 0;
    for await (const e of core.runToolLoop(() => play(step++ === 0 ? stepOne : stepTwo), request, opts))
      void e;
  }
  looped.push(((performance.now() - t0) * 1000) / TURNS);
}
const base = median(samples.node);
writeResult('tools', {
  command: 'node bench/tools.bench.js',
  goal: 'tools off: no start-up cost; the loop adds < 0.1 ms per tool step',
  node_e_0_ms: summary(samples.node),
  import_core_ms: summary(samples.core),
  import_core_and_tool_session_ms: summary(samples.core_with_tools),
  core_over_node_ratio: round(median(samples.core) / base, 3),
  tools_on_over_core_ratio: round(median(samples.core_with_tools) / median(samples.core), 3),
  two_streams_direct_us: summary(direct),
  two_step_tool_turn_us: summary(looped),
  loop_overhead_per_turn_us: round(median(looped) - median(direct), 2),
  loop_over_direct_ratio: round(median(looped) / median(direct), 3),
});
