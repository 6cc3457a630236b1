// The speech engines (docs/VOICE.md), on the real recordings of Debian's pocketsphinx-testdata
// (goforward.raw and the five LibriVox clips, each one sentence, padded with 1 s of silence):
// - VAD: CPU time per second of audio (real-time factor) of the energy VAD and of Silero, and
//   Silero's over the energy VAD's; and, for each end-of-speech delay, how many utterances each
//   VAD cuts the six sentences into (6 is right; more means a sentence was cut mid-way);
// - STT: pocketsphinx's word error rate on the LibriVox clips, and its real-time factor;
// - TTS: espeak-ng's time to first audio and to the whole sentence, over the time to spawn
//   `true` (the bare cost of a child process), measured in the same run.
import { spawn } from 'node:child_process';
import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import {
  EnergyVad,
  EspeakTextToSpeech,
  PocketsphinxSpeechToText,
  decodeWav,
  pcmFromBytes,
  wordErrorRate,
} from '../packages/core/dist/index.js';
import { SileroVad } from '../packages/core/dist/speech/silero-vad.js';
import { median, progress, round, writeResult } from './lib/stats.js';

const DATA = '/usr/share/pocketsphinx/test/data';
const RUNS = Number(process.env.BENCH_RUNS ?? 5);
const SR = 16_000;
const pad = (pcm) => {
  const out = new Int16Array(pcm.length + 2 * SR);
  out.set(pcm, SR);
  return out;
};
const refs = new Map(
  readFileSync(path.join(DATA, 'librivox', 'transcription'), 'utf8')
    .trim()
    .split('\n')
    .map((l) => /^<s>\s*(.*?)\s*<\/s>\s*\((.+)\)/.exec(l))
    .map((m) => [m[2], m[1]]),
);
const clips = readdirSync(path.join(DATA, 'librivox'))
  .filter((f) => f.endsWith('.wav'))
  .sort()
  .map((f) => ({
    id: f.replace(/\.wav$/, ''),
    pcm: decodeWav(readFileSync(path.join(DATA, 'librivox', f))).pcm,
  }));
const sentences = [
  pcmFromBytes(readFileSync(path.join(DATA, 'goforward.raw'))),
  ...clips.map((c) => c.pcm),
].map(pad);
const audioMs = sentences.reduce((n, s) => n + (s.length / SR) * 1000, 0);

async function runVad(make) {
  let utterances = 0;
  let cpu = 0;
  for (const s of sentences) {
    const vad = await make();
    const t0 = process.cpuUsage();
    for (let i = 0; i < s.length; i += 1600) {
      const ev = await vad.push(s.subarray(i, i + 1600));
      utterances += ev.filter((e) => e.type === 'speech-end').length;
    }
    utterances += (await vad.flush()).filter((e) => e.type === 'speech-end').length;
    const d = process.cpuUsage(t0);
    cpu += (d.user + d.system) / 1000;
    await vad.dispose?.();
  }
  return { utterances, cpu };
}

progress('VAD: real-time factor');
const energyRtf = [];
const sileroRtf = [];
for (let r = 0; r < RUNS; r++) {
  energyRtf.push((await runVad(() => new EnergyVad())).cpu / audioMs);
  sileroRtf.push((await runVad(() => SileroVad.create())).cpu / audioMs);
}
progress('VAD: end-of-speech delays');
const delays = [100, 150, 200, 250, 300, 500, 800];
const utterancesByDelay = {};
for (const d of delays) {
  utterancesByDelay[d] = {
    energy: (await runVad(() => new EnergyVad({ endOfSpeechMs: d }))).utterances,
    silero: (await runVad(() => SileroVad.create({ endOfSpeechMs: d }))).utterances,
  };
}

progress('STT: pocketsphinx on the LibriVox clips');
const stt = new PocketsphinxSpeechToText();
let errors = 0;
let words = 0;
let sttMs = 0;
let clipMs = 0;
const perClip = {};
for (const c of clips) {
  const t = await stt.transcribe(c.pcm);
  const w = wordErrorRate(refs.get(c.id), t.text);
  errors += w.substitutions + w.deletions + w.insertions;
  words += w.referenceWords;
  sttMs += t.ms;
  clipMs += (c.pcm.length / SR) * 1000;
  perClip[c.id] = round(w.wer, 3);
}

progress('TTS: espeak-ng first audio against a bare spawn');
const spawnTrue = () =>
  new Promise((resolve) => {
    const t0 = performance.now();
    spawn('true').on('close', () => resolve(performance.now() - t0));
  });
const tts = new EspeakTextToSpeech();
const first = [];
const whole = [];
const bare = [];
for (let r = 0; r < RUNS * 3; r++) {
  bare.push(await spawnTrue());
  const t0 = performance.now();
  let f;
  for await (const _ of tts.synthesize('Hello there, this is parley speaking. How can I help you today?')) {
    f ??= performance.now() - t0;
  }
  first.push(f);
  whole.push(performance.now() - t0);
}

writeResult('speech', {
  runs: RUNS,
  audio_seconds: round(audioMs / 1000, 2),
  vad: {
    energy_rtf: round(median(energyRtf), 5),
    silero_rtf: round(median(sileroRtf), 5),
    silero_over_energy_ratio: round(median(sileroRtf) / median(energyRtf), 1),
    utterances_in_6_sentences_by_end_of_speech_ms: utterancesByDelay,
    energy_extra_cuts_at_200ms: utterancesByDelay[200].energy - 6,
    silero_extra_cuts_at_200ms: utterancesByDelay[200].silero - 6,
  },
  stt: {
    pocketsphinx_librivox_wer: round(errors / words, 3),
    errors,
    words,
    per_clip_wer: perClip,
    pocketsphinx_rtf: round(sttMs / clipMs, 3),
  },
  tts: {
    espeak_first_audio_ms: round(median(first), 1),
    espeak_whole_sentence_ms: round(median(whole), 1),
    spawn_true_ms: round(median(bare), 1),
    first_audio_over_spawn_ratio: round(median(first) / median(bare), 2),
  },
});
