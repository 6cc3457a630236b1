/**
 * Offline text to speech with espeak-ng (Debian's `espeak-ng` binary). The text goes in on
 * stdin (`--stdin`, so no text is ever read as an option), and `--stdout` streams a WAV at
 * 22,050 Hz: its 44-byte header, then PCM as it is made, which is yielded chunk by chunk.
 */
import { startProgram } from './child-process.js';
import { SpeechError } from './speech-error.js';
import { cleanSpeechText } from './speech-text.js';
import type { AudioChunk, AudioFormat, TextToSpeech } from './types.js';
import { decodeWav, pcmFromBytes } from './wav.js';

export interface EspeakOptions {
  /** The program (default `espeak-ng` on the PATH). */
  command?: string;
  /** An espeak-ng voice, e.g. `en`, `en-us`, `fr` (default `en`). */
  voice?: string;
  /** Words per minute (espeak-ng's default is 175). */
  rate?: number;
  /** Longest text one call speaks, in characters (default 5000). */
  maxChars?: number;
}

export const ESPEAK_INSTALL = 'apt-get install espeak-ng';
const WAV_HEADER_BYTES = 44;
export const DEFAULT_MAX_TTS_CHARS = 5000;

export class EspeakTextToSpeech implements TextToSpeech {
  readonly name = 'espeak-ng';
  readonly format: AudioFormat = { encoding: 's16le', sampleRate: 22_050, channels: 1 };
  private readonly command: string;
  private readonly args: string[];
  private readonly maxChars: number;

  constructor(opts: EspeakOptions = {}) {
    this.command = opts.command ?? 'espeak-ng';
    this.maxChars = opts.maxChars ?? DEFAULT_MAX_TTS_CHARS;
    const voice = opts.voice ?? 'en';
    if (!/^[A-Za-z0-9][A-Za-z0-9_+-]{0,39}$/.test(voice))
      throw new SpeechError(
        'bad_text',
        `voice ${JSON.stringify(voice)}: use an espeak-ng voice name such as en-us`,
      );
    this.args = ['--stdout', '--stdin', '-v', voice];
    if (opts.rate !== undefined) this.args.push('-s', String(Math.round(opts.rate)));
  }

  async *synthesize(text: string, signal?: AbortSignal): AsyncGenerator<AudioChunk> {
    const clean = cleanSpeechText(text, this.maxChars);
    if (clean === '') return;
    const program = startProgram(this.command, this.args, {
      input: `${clean}\n`,
      signal,
      install: ESPEAK_INSTALL,
    });
    let header = Buffer.alloc(0);
    let carry: Buffer | undefined;
    for await (const part of program.stdout()) {
      let bytes = part;
      if (header.length < WAV_HEADER_BYTES) {
        const need = WAV_HEADER_BYTES - header.length;
        header = Buffer.concat([header, bytes.subarray(0, need)]);
        bytes = bytes.subarray(need);
        if (header.length < WAV_HEADER_BYTES) continue;
        const rate = decodeWav(header, 'espeak-ng output').format.sampleRate;
        if (rate !== this.format.sampleRate)
          throw new SpeechError(
            'engine_failed',
            `espeak-ng produced ${rate} Hz, expected ${this.format.sampleRate} Hz`,
          );
      }
      if (carry) {
        bytes = Buffer.concat([carry, bytes]);
        carry = undefined;
      }
      if (bytes.length & 1) {
        carry = bytes.subarray(bytes.length - 1);
        bytes = bytes.subarray(0, bytes.length - 1);
      }
      if (bytes.length > 0) yield { format: this.format, pcm: pcmFromBytes(bytes) };
    }
  }
}
