/**
 * Audio from a file or a request, made ready for speech to text: a WAV (any rate, resampled
 * to 16 kHz; stereo mixed down) or raw PCM s16le at 16 kHz mono. Compressed formats are
 * recognised and refused with a conversion hint.
 */
import { SpeechError } from './speech-error.js';
import { INPUT_AUDIO_FORMAT } from './types.js';
import { decodeWav, isWav, pcmFromBytes, resample } from './wav.js';

export interface InputAudio {
  /** 16 kHz mono s16le. */
  pcm: Int16Array;
  /** The rate it was recorded at, when it was resampled. */
  resampledFrom?: number;
}

const CONVERT = 'convert it first, e.g. sox IN -r 16000 -c 1 -b 16 OUT.wav';
const COMPRESSED: [string, (b: Uint8Array) => boolean][] = [
  [
    'MP3',
    (b) =>
      (b[0] === 0x49 && b[1] === 0x44 && b[2] === 0x33) || (b[0] === 0xff && ((b[1] ?? 0) & 0xe0) === 0xe0),
  ],
  ['FLAC', (b) => Buffer.from(b.subarray(0, 4)).toString('latin1') === 'fLaC'],
  ['Ogg', (b) => Buffer.from(b.subarray(0, 4)).toString('latin1') === 'OggS'],
  ['MP4/M4A', (b) => Buffer.from(b.subarray(4, 8)).toString('latin1') === 'ftyp'],
  ['WebM', (b) => b[0] === 0x1a && b[1] === 0x45 && b[2] === 0xdf && b[3] === 0xa3],
];

/** Decode `bytes` (named `what` in errors) to 16 kHz mono PCM, or throw a `SpeechError('bad_audio')`. */
export function decodeInputAudio(bytes: Uint8Array, what: string): InputAudio {
  if (bytes.byteLength === 0) throw new SpeechError('bad_audio', `${what} is empty: it holds no audio`);
  if (isWav(bytes)) {
    const { format, pcm } = decodeWav(bytes, what);
    if (format.sampleRate === INPUT_AUDIO_FORMAT.sampleRate) return { pcm };
    if (format.sampleRate < 4000 || format.sampleRate > 384_000)
      throw new SpeechError(
        'bad_audio',
        `${what} says its sample rate is ${format.sampleRate} Hz, which cannot be right`,
      );
    return {
      pcm: resample(pcm, format.sampleRate, INPUT_AUDIO_FORMAT.sampleRate),
      resampledFrom: format.sampleRate,
    };
  }
  for (const [name, test] of COMPRESSED)
    if (test(bytes))
      throw new SpeechError(
        'bad_audio',
        `${what} looks like ${name}, which parley does not decode: ${CONVERT}`,
      );
  if (bytes.byteLength % 2 === 1)
    throw new SpeechError(
      'bad_audio',
      `${what} is not a WAV file, and as raw 16-bit PCM its size (${bytes.byteLength} bytes) would be even: ${CONVERT}`,
    );
  return { pcm: pcmFromBytes(bytes) };
}
