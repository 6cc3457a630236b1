/**
 * WAV and raw PCM helpers: parley's audio is PCM s16le mono (see `types.ts`). WAV files are
 * read (PCM 16-bit, any rate, mono or stereo mixed down) and written (RIFF, PCM 16-bit mono).
 */
import { SpeechError } from './speech-error.js';
import type { AudioFormat } from './types.js';

/** Decoded PCM and its format. */
export interface DecodedAudio {
  format: AudioFormat;
  pcm: Int16Array;
}

/**
 * Little-endian 16-bit samples from bytes. An odd trailing byte (half a sample) is dropped;
 * the bytes are copied, so the result never aliases an unaligned buffer.
 */
export function pcmFromBytes(bytes: Uint8Array): Int16Array {
  const n = bytes.byteLength >> 1;
  const out = new Int16Array(n);
  const view = new DataView(bytes.buffer, bytes.byteOffset, n * 2);
  for (let i = 0; i < n; i++) out[i] = view.getInt16(i * 2, true);
  return out;
}

/** The samples as little-endian bytes (a view, no copy, on little-endian machines). */
export function pcmToBytes(pcm: Int16Array): Buffer {
  return Buffer.from(pcm.buffer, pcm.byteOffset, pcm.byteLength);
}

/** A RIFF/WAVE file (PCM 16-bit mono) holding `pcm`. */
export function encodeWav(pcm: Int16Array, sampleRate: number): Buffer {
  const header = Buffer.alloc(44);
  const dataBytes = pcm.byteLength;
  header.write('RIFF', 0, 'ascii');
  header.writeUInt32LE(36 + dataBytes, 4);
  header.write('WAVE', 8, 'ascii');
  header.write('fmt ', 12, 'ascii');
  header.writeUInt32LE(16, 16);
  header.writeUInt16LE(1, 20); // PCM
  header.writeUInt16LE(1, 22); // mono
  header.writeUInt32LE(sampleRate, 24);
  header.writeUInt32LE(sampleRate * 2, 28);
  header.writeUInt16LE(2, 32);
  header.writeUInt16LE(16, 34);
  header.write('data', 36, 'ascii');
  header.writeUInt32LE(dataBytes, 40);
  return Buffer.concat([header, pcmToBytes(pcm)]);
}

/** True when the bytes start like a RIFF/WAVE file. */
export function isWav(bytes: Uint8Array): boolean {
  return (
    bytes.byteLength >= 12 &&
    Buffer.from(bytes.buffer, bytes.byteOffset, 4).toString('ascii') === 'RIFF' &&
    Buffer.from(bytes.buffer, bytes.byteOffset + 8, 4).toString('ascii') === 'WAVE'
  );
}

/**
 * Decode a WAV file: PCM 16-bit, mono or several channels (mixed down to mono). A data
 * chunk whose size is 0 or 0xffffffff (streamed WAVs, such as `espeak-ng --stdout`'s) runs
 * to the end of the file. Anything else is refused with a `SpeechError` saying what it is.
 */
export function decodeWav(bytes: Uint8Array, what = 'the WAV file'): DecodedAudio {
  const buf = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (!isWav(buf)) throw new SpeechError('bad_audio', `${what} is not a RIFF/WAVE file`);
  let pos = 12;
  let fmt: { tag: number; channels: number; rate: number; bits: number } | undefined;
  while (pos + 8 <= buf.length) {
    const id = buf.toString('ascii', pos, pos + 4);
    const size = buf.readUInt32LE(pos + 4);
    const body = pos + 8;
    if (id === 'fmt ') {
      if (size < 16 || body + 16 > buf.length)
        throw new SpeechError('bad_audio', `${what} has a truncated fmt chunk`);
      fmt = {
        tag: buf.readUInt16LE(body),
        channels: buf.readUInt16LE(body + 2),
        rate: buf.readUInt32LE(body + 4),
        bits: buf.readUInt16LE(body + 14),
      };
      // WAVE_FORMAT_EXTENSIBLE: the real format tag is the sub-format's first two bytes.
      if (fmt.tag === 0xfffe && size >= 40 && body + 26 <= buf.length) fmt.tag = buf.readUInt16LE(body + 24);
    } else if (id === 'data') {
      if (!fmt) throw new SpeechError('bad_audio', `${what} has its data before its fmt chunk`);
      if (fmt.tag !== 1 || fmt.bits !== 16)
        throw new SpeechError(
          'bad_audio',
          `${what} is not 16-bit PCM (format ${fmt.tag}, ${fmt.bits} bits); convert it, e.g. sox IN -b 16 -e signed OUT.wav`,
        );
      if (fmt.channels < 1) throw new SpeechError('bad_audio', `${what} has no channels`);
      if (fmt.rate < 1) throw new SpeechError('bad_audio', `${what} has a sample rate of 0`);
      const end = size === 0 || size === 0xffffffff ? buf.length : Math.min(buf.length, body + size);
      const interleaved = pcmFromBytes(buf.subarray(body, end));
      return {
        format: { encoding: 's16le', sampleRate: fmt.rate, channels: 1 },
        pcm: mixDown(interleaved, fmt.channels),
      };
    }
    pos = body + size + (size & 1);
  }
  throw new SpeechError('bad_audio', `${what} has no data chunk`);
}

function mixDown(interleaved: Int16Array, channels: number): Int16Array {
  if (channels === 1) return interleaved;
  const frames = Math.floor(interleaved.length / channels);
  const out = new Int16Array(frames);
  for (let f = 0; f < frames; f++) {
    let sum = 0;
    for (let c = 0; c < channels; c++) sum += interleaved[f * channels + c] ?? 0;
    out[f] = Math.round(sum / channels);
  }
  return out;
}

/** Linear-interpolation resampling of mono PCM (good enough for speech recognition). */
export function resample(pcm: Int16Array, fromRate: number, toRate: number): Int16Array {
  if (fromRate === toRate || pcm.length === 0) return pcm;
  const outLength = Math.max(1, Math.round((pcm.length * toRate) / fromRate));
  const out = new Int16Array(outLength);
  const step = fromRate / toRate;
  for (let i = 0; i < outLength; i++) {
    const x = i * step;
    const i0 = Math.floor(x);
    const a = pcm[Math.min(i0, pcm.length - 1)] ?? 0;
    const b = pcm[Math.min(i0 + 1, pcm.length - 1)] ?? 0;
    out[i] = Math.round(a + (b - a) * (x - i0));
  }
  return out;
}
