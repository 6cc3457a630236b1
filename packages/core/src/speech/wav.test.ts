import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { TEST_DATA } from './conformance/audio-fixtures.js';
import { SpeechError } from './speech-error.js';
import { decodeWav, encodeWav, isWav, pcmFromBytes, resample } from './wav.js';

describe('wav', () => {
  it('round-trips PCM through a WAV file', () => {
    const pcm = Int16Array.from([0, 1, -1, 32767, -32768, 1234]);
    const wav = encodeWav(pcm, 22_050);
    expect(wav.length).toBe(44 + 12);
    expect(isWav(wav)).toBe(true);
    const back = decodeWav(wav);
    expect(back.format).toEqual({ encoding: 's16le', sampleRate: 22_050, channels: 1 });
    expect(Array.from(back.pcm)).toEqual(Array.from(pcm));
  });

  it('reads a real 16 kHz recording', () => {
    const file = path.join(TEST_DATA, 'librivox', 'sense_and_sensibility_01_austen_64kb-0880.wav');
    const { format, pcm } = decodeWav(readFileSync(file));
    expect(format.sampleRate).toBe(16_000);
    expect(pcm.length).toBe(47_840);
  });

  it('drops an odd trailing byte and reads unaligned bytes', () => {
    const bytes = new Uint8Array([0xff, 0x01, 0x02, 0x80, 0x7f]);
    expect(Array.from(pcmFromBytes(bytes))).toEqual([0x01ff, -32766]);
    expect(Array.from(pcmFromBytes(bytes.subarray(1)))).toEqual([0x0201, 0x7f80]);
    expect(pcmFromBytes(new Uint8Array(0)).length).toBe(0);
  });

  it('mixes stereo down to mono', () => {
    const stereo = encodeWav(Int16Array.from([100, 300, -100, -300]), 8000);
    stereo.writeUInt16LE(2, 22); // channels
    expect(Array.from(decodeWav(stereo).pcm)).toEqual([200, -200]);
  });

  it('refuses what is not 16-bit PCM WAV, saying what it is', () => {
    expect(() => decodeWav(Buffer.from('hello world, not a wav'))).toThrow(/not a RIFF\/WAVE file/);
    const float = encodeWav(Int16Array.from([1, 2]), 16_000);
    float.writeUInt16LE(3, 20);
    float.writeUInt16LE(32, 34);
    expect(() => decodeWav(float, 'x.wav')).toThrow(/x.wav is not 16-bit PCM \(format 3, 32 bits\)/);
    const noData = encodeWav(new Int16Array(0), 16_000).subarray(0, 36);
    expect(() => decodeWav(noData)).toThrow(SpeechError);
    expect(() => decodeWav(encodeWav(new Int16Array(0), 16_000).subarray(0, 20))).toThrow(
      /truncated fmt|no data/,
    );
  });

  it('resamples to the length the rates give', () => {
    const pcm = Int16Array.from({ length: 22_050 }, (_, i) => Math.round(1000 * Math.sin(i / 10)));
    const out = resample(pcm, 22_050, 16_000);
    expect(out.length).toBe(16_000);
    expect(resample(pcm, 16_000, 16_000)).toBe(pcm);
    expect(resample(new Int16Array(0), 8000, 16_000).length).toBe(0);
  });
});
