/**
 * The VAD conformance suite: `runVadConformance(factory)` registers the tests every `Vad`
 * passes, on real speech (pocketsphinx-testdata) and on hostile input.
 */
import { describe, expect, it } from 'vitest';
import type { Vad, VadEvent } from '../types.js';
import { clipping, concat, goForward, quietNoise, silence } from './audio-fixtures.js';

export interface VadFactory {
  name: string;
  /** A fresh VAD with this end-of-speech delay (the engine's default when not given). */
  create(timing?: { endOfSpeechMs?: number }): Promise<Vad>;
}

async function feed(vad: Vad, audio: Int16Array, chunk = 1600): Promise<VadEvent[]> {
  const events: VadEvent[] = [];
  for (let i = 0; i < audio.length; i += chunk)
    events.push(...(await vad.push(audio.subarray(i, i + chunk))));
  events.push(...(await vad.flush()));
  return events;
}

const ends = (events: VadEvent[]): Extract<VadEvent, { type: 'speech-end' }>[] =>
  events.filter((e): e is Extract<VadEvent, { type: 'speech-end' }> => e.type === 'speech-end');

/** Starts and ends alternate, start first, times increasing. */
function expectWellFormed(events: VadEvent[]): void {
  let open = false;
  let last = -1;
  for (const e of events) {
    expect(e.type).toBe(open ? 'speech-end' : 'speech-start');
    expect(e.atMs).toBeGreaterThanOrEqual(last);
    last = e.atMs;
    open = !open;
  }
  expect(open).toBe(false);
}

export function runVadConformance(factory: VadFactory): void {
  describe(`Vad conformance: ${factory.name}`, () => {
    it('finds one utterance in a real recording between silences, with its audio', async () => {
      const vad = await factory.create();
      const speech = goForward();
      const events = await feed(vad, concat(silence(1000), speech, silence(1000)));
      expectWellFormed(events);
      expect(events.map((e) => e.type)).toEqual(['speech-start', 'speech-end']);
      const [start, end] = events;
      // The words start about 0.5 s into the recording and end about 2.4 s into it.
      expect(start!.atMs).toBeGreaterThan(1000);
      expect(start!.atMs).toBeLessThan(2000);
      expect(end!.atMs).toBeGreaterThan(3000);
      expect(end!.atMs).toBeLessThan(4200);
      const audio = ends(events)[0]!.audio;
      expect(audio.length / 16).toBeGreaterThan(1500);
      expect(audio.length).toBeLessThan(speech.length + 16_000);
      await vad.dispose?.();
    });

    it('hears nothing in digital silence or quiet noise', async () => {
      const vad = await factory.create();
      expect(await feed(vad, concat(silence(1500), quietNoise(1500)))).toEqual([]);
      await vad.dispose?.();
    });

    it('gives the same events whatever the chunk sizes, empty chunks included', async () => {
      const audio = concat(silence(500), goForward(), silence(800));
      const a = await feed(await factory.create(), audio, 16_000);
      const vad = await factory.create();
      const b: VadEvent[] = [...(await vad.push(new Int16Array(0)))];
      const sizes = [1, 7, 333, 4097, 0, 160];
      for (let i = 0, k = 0; i < audio.length; k++) {
        const n = sizes[k % sizes.length]!;
        b.push(...(await vad.push(audio.subarray(i, i + n))));
        i += n;
      }
      b.push(...(await vad.flush()));
      expect(b.map((e) => [e.type, e.atMs])).toEqual(a.map((e) => [e.type, e.atMs]));
    });

    it('finds two utterances separated by a long pause', async () => {
      const events = await feed(
        await factory.create(),
        concat(silence(500), goForward(), silence(1500), goForward(), silence(800)),
      );
      expectWellFormed(events);
      expect(ends(events)).toHaveLength(2);
    });

    it('waits longer before the end with a longer end-of-speech delay', async () => {
      const audio = concat(silence(500), goForward(), silence(2000));
      const short = ends(await feed(await factory.create({ endOfSpeechMs: 200 }), audio));
      const long = ends(await feed(await factory.create({ endOfSpeechMs: 800 }), audio));
      expect(short).toHaveLength(1);
      expect(long).toHaveLength(1);
      expect(long[0]!.atMs - short[0]!.atMs).toBeGreaterThanOrEqual(500);
    });

    it('flush closes an utterance still open; reset forgets it', async () => {
      const vad = await factory.create();
      // The first 1.5 s of the recording: cut in the middle of the words.
      const open = await vad.push(concat(silence(300), goForward().subarray(0, 24_000)));
      expect(open.map((e) => e.type)).toContain('speech-start');
      const closed = await vad.flush();
      expect(closed.map((e) => e.type)).toEqual(['speech-end']);
      expect(await vad.flush()).toEqual([]);

      const other = await factory.create();
      await other.push(concat(silence(300), goForward().subarray(0, 24_000)));
      other.reset();
      expect(await other.flush()).toEqual([]);
      // It works afresh after the reset.
      expect(ends(await feed(other, concat(silence(500), goForward(), silence(800))))).toHaveLength(1);
    });

    it('survives full-scale clipping audio and returns well-formed events', async () => {
      const vad = await factory.create();
      const events = await feed(vad, concat(silence(300), clipping(1500), silence(1000)));
      expectWellFormed(events);
      for (const e of ends(events)) expect(e.audio.length).toBeGreaterThan(0);
    });
  });
}
