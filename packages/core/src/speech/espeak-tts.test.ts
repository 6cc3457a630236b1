import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { concat, TEST_DATA } from './conformance/audio-fixtures.js';
import { runTtsConformance } from './conformance/tts-suite.js';
import { EspeakTextToSpeech } from './espeak-tts.js';
import { PocketsphinxSpeechToText } from './pocketsphinx-stt.js';
import { SpeechError } from './speech-error.js';
import { resample } from './wav.js';

runTtsConformance({
  name: 'espeak-ng',
  create: () => Promise.resolve(new EspeakTextToSpeech()),
  processName: 'espeak-ng',
});

async function speak(tts: EspeakTextToSpeech, text: string): Promise<Int16Array> {
  const parts: Int16Array[] = [];
  for await (const c of tts.synthesize(text)) parts.push(c.pcm);
  return concat(...parts);
}

describe('EspeakTextToSpeech', () => {
  it('says words pocketsphinx recognises (with a grammar: espeak is robotic)', async () => {
    const pcm = await speak(new EspeakTextToSpeech(), 'go forward ten meters');
    const stt = new PocketsphinxSpeechToText({ jsgf: path.join(TEST_DATA, 'goforward.gram') });
    expect((await stt.transcribe(resample(pcm, 22_050, 16_000))).text).toBe('go forward ten meters');
  });

  it('reads leading dashes as text, never as options', async () => {
    const pcm = await speak(new EspeakTextToSpeech(), '--help -v xx');
    expect(pcm.length).toBeGreaterThan(22_050 / 4);
  });

  it('speaks faster at a higher rate', async () => {
    const text = 'The quick brown fox jumps over the lazy dog.';
    const slow = await speak(new EspeakTextToSpeech({ rate: 120 }), text);
    const fast = await speak(new EspeakTextToSpeech({ rate: 300 }), text);
    expect(fast.length).toBeLessThan(slow.length * 0.7);
  });

  it('refuses a voice name that could be an option', () => {
    expect(() => new EspeakTextToSpeech({ voice: '--stdout' })).toThrow(SpeechError);
  });

  it('names the program and how to install it when it is missing', async () => {
    const err = await speak(new EspeakTextToSpeech({ command: 'no-such-espeak' }), 'hi').catch(
      (e: unknown) => e,
    );
    expect((err as SpeechError).code).toBe('engine_missing');
    expect((err as Error).message).toMatch(/no-such-espeak is not installed: apt-get install espeak-ng/);
  });

  it('reports an unknown voice as an engine failure', async () => {
    const err = await speak(new EspeakTextToSpeech({ voice: 'xx-nope' }), 'hi').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(SpeechError);
    expect((err as Error).message).toMatch(/espeak-ng failed/);
  });
});
