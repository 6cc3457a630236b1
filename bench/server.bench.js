// `parley serve`'s own cost, measured on the `canned:` benchmarking provider (no inference):
// idle RSS vs a bare node process; RSS with 1,000 open WebSocket sessions; added time per
// token from the model to the socket (WebSocket and SSE) vs the model's own stream() consumed
// in process; tokens/s delivered across 200 and 1,000 concurrent WebSocket streams vs one.
// Every baseline is measured in the same run. The server is a child process on loopback.
import os from 'node:os';
import { mkdtempSync, rmSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { CannedChatModel, createParley } from '../packages/core/dist/index.js';
import {
  cpuMs,
  procKiB,
  sampleRss,
  sleep,
  spawnChild,
  sseTurn,
  stopChild,
  waitForStderr,
  WsSession,
} from './lib/server-client.js';
import { median, progress, round, summary, writeResult } from './lib/stats.js';

const BIN = fileURLToPath(new URL('../packages/cli/bin/parley.js', import.meta.url));
const ROUNDS = Number(process.env.BENCH_RUNS ?? 7);
const SINGLE_TOKENS = Number(process.env.BENCH_SINGLE_TOKENS ?? 5000);
const SESSIONS = 1000;
const CONCURRENT_TOKENS = Number(process.env.BENCH_CONCURRENT_TOKENS ?? 300);
const TURN_TIMEOUT_MS = 60_000;

// The whole run is bounded: past this, children are killed (process 'exit') and it fails.
const watchdog = setTimeout(() => {
  process.stderr.write('server bench: over its time limit, giving up\n');
  process.exit(1);
}, 240_000);
watchdog.unref();

const home = mkdtempSync(path.join(os.tmpdir(), 'parley-bench-serve-'));
const env = { ...process.env, PARLEY_HOME: home, NO_COLOR: '1' };
const kib = (k) => round(k / 1024, 1); // KiB → MiB

// 1. Baseline: a bare node process that stays alive, measured the same way.
progress('bare node RSS');
const bare = spawnChild(process.execPath, ['-e', 'setInterval(()=>{},1000)'], env);
await sleep(1000);
const bareRss = await sampleRss(bare.pid);
await stopChild(bare);

// 2. `parley serve --port 0`, idle once it answers /healthz.
progress('parley serve idle RSS');
const serve = spawnChild(process.execPath, [BIN, 'serve', '--port', '0'], env);
const [, url] = await waitForStderr(serve, /listening on (http:\/\/[^\s]+)/, 20_000);
const health = await fetch(`${url}/healthz`, { signal: AbortSignal.timeout(5000) });
if (health.status !== 200) throw new Error(`/healthz: ${health.status}`);
await sleep(1000);
const idleRss = await sampleRss(serve.pid);

// 3. RSS with 1,000 open sessions (hello → ready each), opened 100 at a time, right after
// the idle figure. They stay open (idle) through the next steps.
progress(`opening ${SESSIONS} WebSocket sessions`);
const sessions = [];
const tOpen = performance.now();
for (let i = 0; i < SESSIONS; i += 100) {
  sessions.push(...(await Promise.all(Array.from({ length: 100 }, () => WsSession.open(url)))));
}
const openMs = performance.now() - tOpen;
await sleep(1000);
const sessionsRss = await sampleRss(serve.pid);

// 4. Time per token: in process vs through the server, interleaved rounds.
const model = new CannedChatModel('lorem');
const request = {
  messages: [{ role: 'user', content: [{ type: 'text', text: 'go' }] }],
  maxTokens: SINGLE_TOKENS,
};
async function inProcess() {
  const t0 = performance.now();
  let tokens = 0;
  for await (const e of model.stream(request)) if (e.type === 'text-delta') tokens++;
  return { tokens, ms: performance.now() - t0 };
}
const parley = createParley({ env: { PARLEY_HOME: home } });
async function viaCore() {
  const t0 = performance.now();
  let tokens = 0;
  for await (const e of parley.stream('go', { model: 'canned', maxTokens: SINGLE_TOKENS, cache: false })) {
    if (e.type === 'text-delta') tokens++;
    if (e.type === 'error') throw new Error(e.error.message);
  }
  return { tokens, ms: performance.now() - t0 };
}
async function viaWs() {
  // A fresh session each round, so no turn carries a long history.
  const s = await WsSession.open(url);
  await s.configure(SINGLE_TOKENS);
  const r = await s.turn(TURN_TIMEOUT_MS);
  s.close();
  return r;
}
const viaSse = () => sseTurn(url, SINGLE_TOKENS, TURN_TIMEOUT_MS);
const paths = { in_process: inProcess, core_stream: viaCore, websocket: viaWs, sse: viaSse };
const perToken = Object.fromEntries(Object.keys(paths).map((k) => [k, []]));
// The server's CPU time while each path ran (0 for the in-process paths, which do not use it).
const serverCpu = Object.fromEntries(Object.keys(paths).map((k) => [k, 0]));
for (const f of Object.values(paths)) await f(); // warm up
progress(`single stream: ${ROUNDS} rounds × ${SINGLE_TOKENS} tokens per path`);
for (let i = 0; i < ROUNDS; i++) {
  const order = Object.keys(paths);
  if (i % 2) order.reverse();
  for (const k of order) {
    const cpu0 = cpuMs(serve.pid);
    const r = await paths[k]();
    serverCpu[k] += cpuMs(serve.pid) - cpu0;
    if (r.tokens !== SINGLE_TOKENS) throw new Error(`${k}: ${r.tokens} tokens, expected ${SINGLE_TOKENS}`);
    perToken[k].push((r.ms * 1000) / r.tokens); // µs per token
  }
}
await parley.dispose();
const usPerToken = Object.fromEntries(Object.entries(perToken).map(([k, v]) => [k, median(v)]));
const tokS = (us) => round(1e6 / us, 0);

// 5. Tokens/s delivered across N concurrent streams, one turn per session, all at once.
async function concurrent(n) {
  const group = sessions.slice(0, n);
  await Promise.all(group.map((s) => s.configure(CONCURRENT_TOKENS)));
  const cpu0 = cpuMs(serve.pid);
  const t0 = performance.now();
  const results = await Promise.all(group.map((s) => s.turn(TURN_TIMEOUT_MS)));
  const wallMs = performance.now() - t0;
  const serverCpuMs = cpuMs(serve.pid) - cpu0;
  const tokens = results.reduce((a, r) => a + r.tokens, 0);
  const short = results.filter((r) => r.tokens !== CONCURRENT_TOKENS || r.end !== 'done').length;
  if (short) throw new Error(`${short} of ${n} streams ended early`);
  return {
    streams: n,
    tokens_per_stream: CONCURRENT_TOKENS,
    tokens,
    wall_ms: round(wallMs, 1),
    tokens_per_s: round((tokens * 1000) / wallMs, 0),
    stream_duration_ms: summary(results.map((r) => r.ms)),
    server_cpu_ms: round(serverCpuMs, 0),
    server_cpu_us_per_token: round((serverCpuMs * 1000) / tokens, 2),
  };
}
// One stream on the same warm server and the same turn length, for the ratios.
const singles = [];
for (let i = 0; i < 3; i++) singles.push(await concurrent(1));
const single = singles.sort((a, b) => a.tokens_per_s - b.tokens_per_s)[1];
// /proc's CPU time has a 10 ms resolution: meaningless for one short stream.
delete single.server_cpu_ms;
delete single.server_cpu_us_per_token;
progress('200 concurrent streams');
const c200 = await concurrent(200);
progress(`${SESSIONS} concurrent streams`);
const c1000 = await concurrent(SESSIONS);
const afterRss = await sampleRss(serve.pid);
await sleep(3000);
const settledRss = await sampleRss(serve.pid);
const peakRss = procKiB(serve.pid, 'VmHWM');

for (const s of sessions) s.close();
await stopChild(serve);
rmSync(home, { recursive: true, force: true });

const ws = usPerToken.websocket;
const sse = usPerToken.sse;
const base = usPerToken.in_process;
writeResult('server', {
  command: 'node bench/server.bench.js',
  machine: `${os.availableParallelism()} CPUs, load average ${os
    .loadavg()
    .map((l) => l.toFixed(2))
    .join(' ')} at the end`,
  rss: {
    bare_node_mib: kib(bareRss),
    serve_idle_mib: kib(idleRss),
    serve_idle_over_bare_node_ratio: round(idleRss / bareRss, 2),
    serve_idle_minus_bare_node_mib: kib(idleRss - bareRss),
    with_1000_sessions_mib: kib(sessionsRss),
    with_1000_sessions_over_idle_ratio: round(sessionsRss / idleRss, 2),
    per_session_kib_vs_idle: round((sessionsRss - idleRss) / SESSIONS, 1),
    opening_1000_sessions_ms: round(openMs, 0),
    after_concurrent_streams_mib: kib(afterRss),
    after_concurrent_streams_3s_later_mib: kib(settledRss),
    peak_hwm_mib: kib(peakRss),
  },
  per_token: {
    rounds: ROUNDS,
    tokens_per_round: SINGLE_TOKENS,
    note: 'wall time from sending the request to the terminal event, divided by the tokens; in_process is CannedChatModel.stream(), core_stream is createParley().stream() in process',
    us_per_token: Object.fromEntries(Object.entries(perToken).map(([k, v]) => [k, summary(v)])),
    tokens_per_s_median: Object.fromEntries(Object.entries(usPerToken).map(([k, v]) => [k, tokS(v)])),
    added_us_per_token: {
      core_stream: round(usPerToken.core_stream - base, 2),
      websocket: round(ws - base, 2),
      sse: round(sse - base, 2),
    },
    server_cpu_us_per_token: {
      websocket: round((serverCpu.websocket * 1000) / (ROUNDS * SINGLE_TOKENS), 2),
      sse: round((serverCpu.sse * 1000) / (ROUNDS * SINGLE_TOKENS), 2),
    },
    ratio_over_in_process: {
      core_stream: round(usPerToken.core_stream / base, 1),
      websocket: round(ws / base, 1),
      sse: round(sse / base, 1),
    },
  },
  concurrent: {
    note: 'WebSocket sessions already open, canned model, one turn each, all sent at once; tokens/s = all tokens received / wall time',
    single_stream_same_turn_length: single,
    streams_200: c200,
    streams_1000: c1000,
    ratio_200_over_single: round(c200.tokens_per_s / single.tokens_per_s, 2),
    ratio_1000_over_single: round(c1000.tokens_per_s / single.tokens_per_s, 2),
    ratio_1000_over_single_long_stream: round(c1000.tokens_per_s / tokS(ws), 2),
  },
});
clearTimeout(watchdog);
