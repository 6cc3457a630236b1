// A voice turn over /ws with the real engines (energy VAD, pocketsphinx, stories260K on one
// thread, espeak-ng), split from the end of speech to the first audio byte; and the time
// from an interrupt to silence. Baselines in the same run: the same STT, model and TTS
// called directly, one after another (the model compute a turn cannot avoid), and a
// ping/pong round trip on the same socket (what any answer costs).
// Goals: pipeline overhead (everything but model compute) < 30 ms; interrupt to silence < 50 ms.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import WebSocket from 'ws';
import { createParley, createSpeechEngines, sentenceStream } from '../packages/core/dist/index.js';
import { createServer, encodeBinary } from '../packages/server/dist/index.js';
import { median, progress, round, summary, writeResult } from './lib/stats.js';

const RUNS = Number(process.env.BENCH_RUNS ?? 5);
const MAX_TOKENS = 120;
const STORIES = fileURLToPath(new URL('../../shared/models/stories260K.gguf', import.meta.url));
const RECORDING = readFileSync('/usr/share/pocketsphinx/test/data/goforward.raw');
const MS = 32; // bytes per ms of 16 kHz s16le
// The recording's speech ends 2,450 ms in; what follows it is sent at real-time pace.
const before = Buffer.alloc(300 * MS);
const speech = Buffer.concat([before, RECORDING.subarray(0, 2450 * MS)]);
const tail = Buffer.concat([RECORDING.subarray(2450 * MS), Buffer.alloc(600 * MS)]);

const home = mkdtempSync(path.join(os.tmpdir(), 'parley-bench-voice-'));
const parley = createParley({
  config: { model: STORIES, pipelines: { voice_max_tokens: MAX_TOKENS } },
  env: { PARLEY_HOME: home },
  local: { threads: 1, gpu: false, sequences: 2 },
});
const server = await createServer({ parley, host: '127.0.0.1', port: 0, log: false });
const url = (await server.listen()).replace(/^http/, 'ws') + '/ws';

/** A client that records each envelope (binary frames as `(binary)`) with its arrival time. */
async function connect() {
  const ws = new WebSocket(url);
  const got = [];
  let wake = () => undefined;
  ws.on('message', (data, isBinary) => {
    got.push({ e: isBinary ? { type: '(binary)' } : JSON.parse(String(data)), at: performance.now() });
    wake();
  });
  await new Promise((r, j) => ws.once('open', r).once('error', j));
  const next = async (match, from = 0) => {
    for (;;) {
      const i = got.findIndex((g, k) => k >= from && match(g.e));
      if (i >= 0) return { ...got[i], index: i };
      await new Promise((r) => (wake = r));
    }
  };
  return {
    ws,
    got,
    next,
    send: (f) => ws.send(typeof f === 'string' || Buffer.isBuffer(f) ? f : JSON.stringify(f)),
  };
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
async function pace(c, pcm, seq) {
  const start = performance.now();
  for (let off = 0, i = 0; off < pcm.length; off += 20 * MS, i++) {
    const wait = start + i * 20 - performance.now();
    if (wait > 0) await sleep(wait);
    c.send(encodeBinary('audio_chunk', seq++, pcm.subarray(off, off + 20 * MS)));
  }
}

/** One spoken turn through the server; interrupted once its first audio is in. */
async function pipelineTurn(c) {
  const from = c.got.length;
  c.send({ type: 'hello' });
  await c.next((e) => e.type === 'ready', from);
  c.send({ type: 'control', action: 'switch_mode', mode: 'voice' });
  await c.next((e) => e.type === 'ack' && e.action === 'switch_mode', from);
  const start = c.got.length;
  c.send(encodeBinary('audio_chunk', 1, speech));
  const speechEnd = performance.now();
  await pace(c, tail, 2);
  const timings = await c.next((e) => e.type === 'turn-timings', start);
  const firstAudio = await c.next((e) => e.type === '(binary)', start);
  // Interrupt to silence: the interrupt leaves, `interrupted` comes back, no audio after it.
  const ping0 = performance.now();
  c.send({ type: 'ping', id: 'rtt' });
  const pong = await c.next((e) => e.type === 'pong', start);
  const sent = performance.now();
  c.send({ type: 'control', action: 'interrupt' });
  const stop = await c.next((e) => e.type === 'interrupted', start);
  await sleep(300);
  const after = c.got.slice(stop.index + 1).filter((g) => g.e.type === '(binary)').length;
  const transcript = (await c.next((e) => e.type === 'transcript', start)).e.text;
  return {
    split: timings.e,
    clientFirstAudio: firstAudio.at - speechEnd,
    interruptToSilence: stop.at - sent,
    pingRtt: pong.at - ping0,
    audioAfterInterrupt: after,
    transcript,
  };
}

/** The same work called directly: STT of the utterance, the model to its first sentence, TTS of it. */
async function directTurn(engines, utterance) {
  const t0 = performance.now();
  const heard = await engines.stt.transcribe(utterance);
  const t1 = performance.now();
  const deltas = (async function* () {
    for await (const e of parley.stream(heard.text, { maxTokens: MAX_TOKENS }))
      if (e.type === 'text-delta') yield e.text;
  })();
  let first = '';
  for await (const s of sentenceStream(deltas)) {
    first = s;
    break;
  }
  const t2 = performance.now();
  for await (const chunk of engines.tts.synthesize(first)) {
    if (chunk.pcm.length > 0) break;
  }
  const t3 = performance.now();
  return { stt: t1 - t0, llmFirstSentence: t2 - t1, ttsFirstChunk: t3 - t2, total: t3 - t0 };
}

const engines = await createSpeechEngines({});
const utterance = new Int16Array(
  RECORDING.buffer.slice(RECORDING.byteOffset, RECORDING.byteOffset + RECORDING.length),
);
const c = await connect();
// Warm up: the model, the engines, the socket.
await pipelineTurn(c);
await directTurn(engines, utterance);
const turns = [];
const direct = [];
for (let i = 0; i < RUNS; i++) {
  // Alternate the order so neither side always runs on a warmer machine.
  if (i % 2) {
    direct.push(await directTurn(engines, utterance));
    turns.push(await pipelineTurn(c));
  } else {
    turns.push(await pipelineTurn(c));
    direct.push(await directTurn(engines, utterance));
  }
  progress(`${i + 1}/${RUNS}: ${JSON.stringify(turns.at(-1).split)}`);
}
c.ws.close();
await server.close();
await engines.dispose();
await parley.dispose();
rmSync(home, { recursive: true, force: true });

const col = (k) => turns.map((t) => t.split[k]);
const pipelineCompute = turns.map((t) => t.split.firstAudioMs - t.split.vadMs);
const directTotal = direct.map((d) => d.total);
const clientOverhead = turns.map(
  (t) =>
    t.clientFirstAudio - t.split.vadMs - t.split.sttMs - t.split.llmFirstSentenceMs - t.split.ttsFirstChunkMs,
);
const interrupt = turns.map((t) => t.interruptToSilence);
const rtt = turns.map((t) => t.pingRtt);
writeResult('voice', {
  command: 'node bench/voice.bench.js',
  goal: 'pipeline overhead (end of speech to first audio byte, less VAD, STT, LLM to first sentence and first TTS chunk) < 30 ms; interrupt to silence < 50 ms',
  runs: RUNS,
  transcripts: [...new Set(turns.map((t) => t.transcript))],
  split_ms: {
    vad: summary(col('vadMs')),
    stt: summary(col('sttMs')),
    llm_first_token: summary(col('llmFirstTokenMs')),
    llm_first_sentence: summary(col('llmFirstSentenceMs')),
    tts_first_chunk: summary(col('ttsFirstChunkMs')),
    first_audio_server: summary(col('firstAudioMs')),
    overhead_server: summary(col('overheadMs')),
    first_audio_client: summary(turns.map((t) => t.clientFirstAudio)),
    overhead_client: summary(clientOverhead),
  },
  direct_ms: {
    stt: summary(direct.map((d) => d.stt)),
    llm_first_sentence: summary(direct.map((d) => d.llmFirstSentence)),
    tts_first_chunk: summary(direct.map((d) => d.ttsFirstChunk)),
    total: summary(directTotal),
  },
  pipeline_over_direct_ratio: round(median(pipelineCompute) / median(directTotal), 3),
  interrupt_to_silence_ms: summary(interrupt),
  ping_rtt_ms: summary(rtt),
  interrupt_over_ping_ratio: round(median(interrupt) / median(rtt), 3),
  audio_frames_after_interrupted: turns.reduce((n, t) => n + t.audioAfterInterrupt, 0),
});
