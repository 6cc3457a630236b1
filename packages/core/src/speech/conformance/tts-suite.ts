/**
 * The TTS conformance suite: `runTtsConformance(factory)` registers the tests every
 * `TextToSpeech` passes: real audio in the announced format, hostile text (empty, control
 * characters, huge), and aborts that end the stream and leave no process behind.
 */
import { describe, expect, it } from 'vitest';
import { frameDb } from '../energy-vad.js';
import { SpeechError } from '../speech-error.js';
import type { AudioChunk, TextToSpeech } from '../types.js';
import { childProcesses, concat } from './audio-fixtures.js';

export interface TtsFactory {
  name: string;
  create(): Promise<TextToSpeech>;
  /** The engine's child process name, checked to be gone after an abort. */
  processName?: string;
  cleanup?(): Promise<void> | void;
}

async function collect(it: AsyncIterable<AudioChunk>): Promise<AudioChunk[]> {
  const out: AudioChunk[] = [];
  for await (const c of it) out.push(c);
  return out;
}

const LONG_TEXT = Array.from(
  { length: 60 },
  (_, i) => `This is sentence number ${i + 1} of a long reply.`,
).join(' ');
const isAbort = (e: unknown): boolean => e instanceof Error && e.name === 'AbortError';

export function runTtsConformance(factory: TtsFactory): void {
  describe(`TextToSpeech conformance: ${factory.name}`, () => {
    it('speaks a sentence as PCM in the format it announces', async () => {
      const tts = await factory.create();
      expect(tts.format.encoding).toBe('s16le');
      expect(tts.format.channels).toBe(1);
      const chunks = await collect(tts.synthesize('Hello there. How are you today?'));
      expect(chunks.length).toBeGreaterThan(0);
      for (const c of chunks) expect(c.format).toEqual(tts.format);
      const pcm = concat(...chunks.map((c) => c.pcm));
      const seconds = pcm.length / tts.format.sampleRate;
      expect(seconds).toBeGreaterThan(0.5);
      expect(seconds).toBeLessThan(10);
      // Not silence.
      expect(frameDb(pcm)).toBeGreaterThan(-40);
      await tts.dispose?.();
    });

    it('says nothing for empty, blank or control-only text', async () => {
      const tts = await factory.create();
      expect(await collect(tts.synthesize(''))).toEqual([]);
      expect(await collect(tts.synthesize('  \n\t '))).toEqual([]);
      expect(await collect(tts.synthesize('\u0000\u0007\u001b\u007f'))).toEqual([]);
      await tts.dispose?.();
    });

    it('speaks text with control characters and escape sequences in it', async () => {
      const tts = await factory.create();
      const chunks = await collect(tts.synthesize('Hello\u0000 \u001b[31mworld\u0007\r\nagain.'));
      expect(concat(...chunks.map((c) => c.pcm)).length).toBeGreaterThan(tts.format.sampleRate / 4);
      await tts.dispose?.();
    });

    it('refuses huge text with a clear error, starting nothing', async () => {
      const tts = await factory.create();
      const err = await collect(tts.synthesize('word '.repeat(200_000))).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(SpeechError);
      expect((err as Error).message).toMatch(/1000000 characters; the limit for one call is \d+/);
      if (factory.processName) expect(childProcesses(factory.processName)).toEqual([]);
      await tts.dispose?.();
    });

    it('rejects at once when already aborted', async () => {
      const tts = await factory.create();
      const c = new AbortController();
      c.abort();
      expect(isAbort(await collect(tts.synthesize('Hello.', c.signal)).catch((e: unknown) => e))).toBe(true);
      await tts.dispose?.();
    });

    it('aborts mid-synthesis: the stream throws AbortError and nothing is left running', async () => {
      const tts = await factory.create();
      const c = new AbortController();
      let chunks = 0;
      const err = await (async () => {
        for await (const _ of tts.synthesize(LONG_TEXT, c.signal)) {
          chunks++;
          if (chunks === 1) c.abort();
        }
      })().catch((e: unknown) => e);
      expect(chunks).toBeGreaterThanOrEqual(1);
      expect(isAbort(err)).toBe(true);
      if (factory.processName) expect(childProcesses(factory.processName)).toEqual([]);
      await tts.dispose?.();
    });

    it('stops cleanly when the consumer stops reading', async () => {
      const tts = await factory.create();
      for await (const c of tts.synthesize(LONG_TEXT)) {
        expect(c.pcm.length).toBeGreaterThan(0);
        break;
      }
      if (factory.processName) expect(childProcesses(factory.processName)).toEqual([]);
      // Still works afterwards, twice at once.
      const [a, b] = await Promise.all([collect(tts.synthesize('One.')), collect(tts.synthesize('Two.'))]);
      expect(a.length).toBeGreaterThan(0);
      expect(b.length).toBeGreaterThan(0);
      await tts.dispose?.();
    });
  });
}
