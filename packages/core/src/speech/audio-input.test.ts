import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { decodeInputAudio } from './audio-input.js';
import { TEST_DATA } from './conformance/audio-fixtures.js';
import { SpeechError } from './speech-error.js';
import { encodeWav } from './wav.js';

describe('decodeInputAudio', () => {
  it('takes raw 16 kHz PCM and 16 kHz WAV as they are', () => {
    const raw = readFileSync(path.join(TEST_DATA, 'goforward.raw'));
    const a = decodeInputAudio(raw, 'goforward.raw');
    expect(a.pcm.length).toBe(raw.length / 2);
    expect(a.resampledFrom).toBeUndefined();
    const b = decodeInputAudio(encodeWav(a.pcm, 16_000), 'x.wav');
    expect(Array.from(b.pcm.subarray(0, 50))).toEqual(Array.from(a.pcm.subarray(0, 50)));
  });

  it('resamples a WAV of another rate to 16 kHz', () => {
    const r = decodeInputAudio(encodeWav(new Int16Array(22_050), 22_050), 'x.wav');
    expect(r.resampledFrom).toBe(22_050);
    expect(r.pcm.length).toBe(16_000);
  });

  it.each([
    [Buffer.alloc(0), /x is empty/],
    [Buffer.from([1, 2, 3]), /as raw 16-bit PCM its size \(3 bytes\) would be even/],
    [Buffer.from('ID3\u0003\u0000rest of an mp3'), /looks like MP3/],
    [Buffer.from('fLaC and more bytes'), /looks like FLAC/],
    [Buffer.from('OggS and more bytes.'), /looks like Ogg/],
    [Buffer.from('RIFF\u0000\u0000\u0000\u0000WAVEjunk'), /has no data chunk/],
  ])('refuses hostile input %#, saying what is wrong', (bytes, message) => {
    expect(() => decodeInputAudio(bytes, 'x')).toThrow(SpeechError);
    expect(() => decodeInputAudio(bytes, 'x')).toThrow(message);
  });

  it('refuses an impossible sample rate', () => {
    const wav = encodeWav(new Int16Array(10), 16_000);
    wav.writeUInt32LE(1, 24);
    expect(() => decodeInputAudio(wav, 'x.wav')).toThrow(/1 Hz, which cannot be right/);
  });
});
