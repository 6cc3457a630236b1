/**
 * Offline speech to text with CMU pocketsphinx (Debian `pocketsphinx` + `pocketsphinx-en-us`):
 * the utterance goes to a temporary WAV file and `pocketsphinx_continuous -infile FILE`
 * prints one line per stretch of speech it finds.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { runProgram } from './child-process.js';
import { INPUT_AUDIO_FORMAT, type SpeechToText, type Transcript } from './types.js';
import { encodeWav } from './wav.js';

export interface PocketsphinxOptions {
  /** The program (default `pocketsphinx_continuous` on the PATH). */
  command?: string;
  /** A JSGF grammar file: recognition limited to its phrases (far better for commands). */
  jsgf?: string;
  /** Acoustic model folder, language model and dictionary (default: pocketsphinx-en-us). */
  hmm?: string;
  lm?: string;
  dict?: string;
}

/** Shorter than this (10 ms) cannot hold a word: answered without running the engine. */
const MIN_SAMPLES = INPUT_AUDIO_FORMAT.sampleRate / 100;

export const POCKETSPHINX_INSTALL = 'apt-get install pocketsphinx pocketsphinx-en-us';

export class PocketsphinxSpeechToText implements SpeechToText {
  readonly name = 'pocketsphinx';
  private readonly command: string;
  private readonly extraArgs: string[];

  constructor(opts: PocketsphinxOptions = {}) {
    this.command = opts.command ?? 'pocketsphinx_continuous';
    this.extraArgs = [];
    for (const key of ['jsgf', 'hmm', 'lm', 'dict'] as const) {
      const v = opts[key];
      if (v !== undefined) this.extraArgs.push(`-${key}`, v);
    }
  }

  async transcribe(audio: Int16Array, signal?: AbortSignal): Promise<Transcript> {
    const t0 = performance.now();
    if (audio.length < MIN_SAMPLES) return { text: '', ms: performance.now() - t0, engine: this.name };
    const dir = await mkdtemp(path.join(os.tmpdir(), 'parley-stt-'));
    try {
      const file = path.join(dir, 'utterance.wav');
      await writeFile(file, encodeWav(audio, INPUT_AUDIO_FORMAT.sampleRate));
      const out = await runProgram(
        this.command,
        ['-infile', file, '-logfn', '/dev/null', ...this.extraArgs],
        {
          signal,
          install: POCKETSPHINX_INSTALL,
        },
      );
      const text = out
        .toString('utf8')
        .split('\n')
        .map((l) => l.trim())
        .filter((l) => l !== '')
        .join(' ');
      return { text, ms: performance.now() - t0, engine: this.name };
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }
}
