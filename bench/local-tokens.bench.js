// Local tokens/s: parley with default settings vs raw node-llama-cpp hand-tuned (1 thread,
// the fastest setting for this model here), same model, prompt and token count, same run.
import os from 'node:os';
import { mkdtempSync, rmSync } from 'node:fs';
import path from 'node:path';
import { getLlama, LlamaChat, GeneralChatWrapper } from 'node-llama-cpp';
import { createParley } from '../packages/core/dist/index.js';
import { STORIES } from './lib/models.js';
import { median, progress, round, summary, writeResult } from './lib/stats.js';

const RUNS = Number(process.env.BENCH_RUNS ?? 7);
const TOKENS = 300;
const PROMPT = 'Once upon a time';
const home = mkdtempSync(path.join(os.tmpdir(), 'parley-bench-'));

// Raw: node-llama-cpp tuned by hand.
const llama = await getLlama({ gpu: false, build: 'never', skipDownload: true, logLevel: 'error' });
const model = await llama.loadModel({ modelPath: STORIES });
const context = await model.createContext({ threads: 1, sequences: 1, contextSize: 2048 });
const sequence = context.getSequence();

async function raw() {
  const chat = new LlamaChat({
    contextSequence: sequence,
    chatWrapper: new GeneralChatWrapper(),
    autoDisposeSequence: false,
  });
  let first = 0;
  let tokens = 0;
  const t0 = performance.now();
  await chat.generateResponse(
    [
      { type: 'user', text: PROMPT },
      { type: 'model', response: [] },
    ],
    {
      temperature: 0,
      maxTokens: TOKENS,
      onToken: (t) => {
        if (!first) first = performance.now();
        tokens += t.length;
      },
    },
  );
  const end = performance.now();
  chat.dispose({ disposeSequence: false });
  return ((tokens - 1) * 1000) / (end - first) || (tokens * 1000) / (end - t0);
}

// parley: everything default (threads chosen by parley, gpu auto) except the response
// cache, which would answer every round after the first without generating anything.
const parley = createParley({
  env: { PARLEY_HOME: home },
  config: { model: STORIES, temperature: 0, cache: { enabled: false } },
});
async function viaParley() {
  let tps = 0;
  for await (const e of parley.stream(PROMPT, { maxTokens: TOKENS })) {
    if (e.type === 'done') tps = e.timings.tokensPerSecond;
    if (e.type === 'error') throw new Error(e.error.message);
  }
  return tps;
}

await raw();
await viaParley(); // warm up both (load, first evaluation)
const rawTps = [];
const parleyTps = [];
for (let i = 0; i < RUNS; i++) {
  rawTps.push(await raw());
  parleyTps.push(await viaParley());
  progress(
    `run ${i + 1}/${RUNS}: raw ${rawTps.at(-1).toFixed(0)} tok/s, parley ${parleyTps.at(-1).toFixed(0)} tok/s`,
  );
}
const threads = (await parley.engine.load(STORIES)).threads;
await parley.dispose();
await context.dispose();
await model.dispose();
rmSync(home, { recursive: true, force: true });
writeResult('local-tokens', {
  command: 'node bench/local-tokens.bench.js',
  goal: 'parley / raw tokens per second >= 0.95',
  model: 'stories260K',
  tokens_per_run: TOKENS,
  parley_threads: threads,
  machine_parallelism: os.availableParallelism(),
  raw_tokens_per_s: summary(rawTps),
  parley_tokens_per_s: summary(parleyTps),
  ratio_parley_over_raw: round(median(parleyTps) / median(rawTps), 3),
});
