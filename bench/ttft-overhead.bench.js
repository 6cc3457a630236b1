// Time-to-first-token overhead of parley's openai-compatible path vs a raw fetch of the same
// local SSE server, interleaved in one run. Goal: median overhead < 1 ms.
import { createServer } from 'node:http';
import os from 'node:os';
import { mkdtempSync, rmSync } from 'node:fs';
import path from 'node:path';
import { createParley } from '../packages/core/dist/index.js';
import { median, progress, round, summary, writeResult } from './lib/stats.js';

const RUNS = Number(process.env.BENCH_RUNS ?? 300);
const chunk = (delta, extra = {}) =>
  `data: ${JSON.stringify({ id: 'c1', object: 'chat.completion.chunk', created: 1, model: 'm', choices: [{ index: 0, delta, finish_reason: null }], ...extra })}\n\n`;
const server = createServer((req, res) => {
  req.resume();
  req.on('end', () => {
    res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
    res.write(chunk({ role: 'assistant', content: '' }));
    res.write(chunk({ content: 'Hello' }));
    res.write(
      `data: ${JSON.stringify({ id: 'c1', object: 'chat.completion.chunk', created: 1, model: 'm', choices: [{ index: 0, delta: {}, finish_reason: 'stop' }] })}\n\n`,
    );
    res.end('data: [DONE]\n\n');
  });
});
await new Promise((r) => server.listen(0, '127.0.0.1', r));
const url = `http://127.0.0.1:${server.address().port}/v1`;
const body = JSON.stringify({ model: 'm', messages: [{ role: 'user', content: 'hi' }], stream: true });

async function rawTtft() {
  const t0 = performance.now();
  const res = await fetch(`${url}/chat/completions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body,
  });
  const decoder = new TextDecoder();
  let buf = '';
  let ttft;
  for await (const part of res.body) {
    buf += decoder.decode(part, { stream: true });
    let i;
    while ((i = buf.indexOf('\n\n')) >= 0) {
      const ev = buf.slice(0, i);
      buf = buf.slice(i + 2);
      const data = ev.replace(/^data: /, '');
      if (data === '[DONE]') continue;
      const content = JSON.parse(data).choices[0]?.delta?.content;
      if (content && ttft === undefined) ttft = performance.now() - t0;
    }
  }
  return ttft;
}

const home = mkdtempSync(path.join(os.tmpdir(), 'parley-bench-'));
const parley = createParley({ env: { PARLEY_HOME: home }, config: { base_url: url, max_retries: 0 } });
async function parleyTtft() {
  const t0 = performance.now();
  let ttft;
  for await (const e of parley.stream('hi', { model: 'openai-compatible:m' })) {
    if (e.type === 'text-delta' && ttft === undefined) ttft = performance.now() - t0;
    if (e.type === 'error') throw new Error(e.error.message);
  }
  return ttft;
}

for (let i = 0; i < 20; i++) {
  await rawTtft();
  await parleyTtft();
}
const raw = [];
const viaParley = [];
for (let i = 0; i < RUNS; i++) {
  // Alternate the order so neither side always runs on a warmer connection.
  if (i % 2) {
    raw.push(await rawTtft());
    viaParley.push(await parleyTtft());
  } else {
    viaParley.push(await parleyTtft());
    raw.push(await rawTtft());
  }
  if ((i + 1) % 100 === 0) progress(`${i + 1}/${RUNS}`);
}
server.close();
await parley.dispose();
rmSync(home, { recursive: true, force: true });
const diffs = raw.map((r, i) => viaParley[i] - r);
writeResult('ttft-overhead', {
  command: 'node bench/ttft-overhead.bench.js',
  goal: 'median TTFT overhead of parley over raw fetch < 1 ms',
  raw_fetch_ttft_ms: summary(raw),
  parley_ttft_ms: summary(viaParley),
  overhead_ms_median: round(median(viaParley) - median(raw), 3),
  overhead_ms_paired_median: round(median(diffs), 3),
  ratio_parley_over_raw: round(median(viaParley) / median(raw), 3),
});
