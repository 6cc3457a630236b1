/**
 * The STT conformance suite: `runSttConformance(factory)` registers the tests every
 * `SpeechToText` passes: a real recording transcribed, hostile audio survived, and aborts
 * that reject at once and leave no process behind.
 */
import { describe, expect, it } from 'vitest';
import type { SpeechToText } from '../types.js';
import { wordErrorRate } from '../wer.js';
import { childProcesses, clipping, concat, goForward, GO_FORWARD_TEXT, silence } from './audio-fixtures.js';

export interface SttFactory {
  name: string;
  create(): Promise<SpeechToText>;
  /** Highest word error rate accepted on `goforward.raw` (default 0: word for word). */
  maxWer?: number;
  /** The engine's child process name, checked to be gone after an abort. */
  processName?: string;
  /** Called after the suite. */
  cleanup?(): Promise<void> | void;
}

const isAbort = (e: unknown): boolean => e instanceof Error && e.name === 'AbortError';

export function runSttConformance(factory: SttFactory): void {
  describe(`SpeechToText conformance: ${factory.name}`, () => {
    it('transcribes a real recording and says how long it took', async () => {
      const stt = await factory.create();
      const t = await stt.transcribe(goForward());
      expect(wordErrorRate(GO_FORWARD_TEXT, t.text).wer).toBeLessThanOrEqual(factory.maxWer ?? 0);
      expect(t.engine).toContain(stt.name.split(':')[0]!);
      expect(Number.isFinite(t.ms) && t.ms >= 0).toBe(true);
      await stt.dispose?.();
    });

    it('gives empty text for empty audio, a single sample and silence', async () => {
      const stt = await factory.create();
      expect((await stt.transcribe(new Int16Array(0))).text).toBe('');
      expect((await stt.transcribe(new Int16Array(1))).text).toBe('');
      expect((await stt.transcribe(silence(1000))).text.trim()).toBe('');
      await stt.dispose?.();
    });

    it('survives full-scale clipping audio with a string result', async () => {
      const stt = await factory.create();
      const t = await stt.transcribe(concat(silence(200), clipping(1000), silence(200)));
      expect(typeof t.text).toBe('string');
      await stt.dispose?.();
    });

    it('rejects at once with an AbortError when already aborted', async () => {
      const stt = await factory.create();
      const c = new AbortController();
      c.abort();
      const err = await stt.transcribe(goForward(), c.signal).catch((e: unknown) => e);
      expect(isAbort(err)).toBe(true);
      await stt.dispose?.();
    });

    it('aborts mid-transcription and leaves nothing running', async () => {
      const stt = await factory.create();
      const c = new AbortController();
      const long = concat(goForward(), goForward(), goForward(), goForward());
      const pending = stt.transcribe(long, c.signal).catch((e: unknown) => e);
      setTimeout(() => c.abort(), 100);
      expect(isAbort(await pending)).toBe(true);
      if (factory.processName) expect(childProcesses(factory.processName)).toEqual([]);
      // The engine still works afterwards.
      expect(
        wordErrorRate(GO_FORWARD_TEXT, (await stt.transcribe(goForward())).text).wer,
      ).toBeLessThanOrEqual(factory.maxWer ?? 0);
      await stt.dispose?.();
    });
  });
}
