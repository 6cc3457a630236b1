import { describe, expect, it } from 'vitest';
import { clipping, concat, goForward, quietNoise, silence } from './conformance/audio-fixtures.js';
import { runVadConformance } from './conformance/vad-suite.js';
import { EnergyVad, frameDb } from './energy-vad.js';

runVadConformance({
  name: 'energy',
  create: (timing) => Promise.resolve(new EnergyVad(timing ?? {})),
});

describe('EnergyVad', () => {
  it('measures frame levels in dBFS', () => {
    expect(frameDb(silence(30))).toBe(-120);
    expect(frameDb(clipping(30))).toBeCloseTo(0, 1);
    const half = new Int16Array(480).fill(16384);
    expect(frameDb(half)).toBeCloseTo(-6.02, 1);
  });

  it('follows a steady background noise floor instead of calling it speech', async () => {
    // Noise at about -36 dBFS: above the fixed minimum, but steady, so it becomes the floor.
    const hum = quietNoise(3000, 900);
    const vad = new EnergyVad();
    const events = [...(await vad.push(hum)), ...(await vad.flush())];
    expect(events).toEqual([]);
    // Speech well above the hum is still heard.
    const loud = goForward().map((s) => Math.max(-32768, Math.min(32767, s * 4)));
    const speech = [...(await vad.push(concat(hum, loud, hum))), ...(await vad.flush())];
    expect(speech.filter((e) => e.type === 'speech-end').length).toBeGreaterThanOrEqual(1);
  });

  it('closes an utterance at the longest length', async () => {
    const vad = new EnergyVad({ maxUtteranceMs: 1000 });
    const events = [...(await vad.push(concat(silence(200), clipping(2500)))), ...(await vad.flush())];
    const first = events.find((e) => e.type === 'speech-end');
    expect(first?.type).toBe('speech-end');
    if (first?.type === 'speech-end') expect(first.audio.length).toBeLessThanOrEqual(16_000 + 480);
  });

  it('keeps the speech start in the utterance (pre-roll)', async () => {
    const speech = goForward();
    const vad = new EnergyVad();
    const events = [
      ...(await vad.push(concat(silence(1000), speech, silence(1000)))),
      ...(await vad.flush()),
    ];
    const end = events.find((e) => e.type === 'speech-end');
    const start = events.find((e) => e.type === 'speech-start');
    if (end?.type !== 'speech-end' || !start) throw new Error('no utterance');
    // The utterance begins before the moment speech was detected.
    const audioStartMs = end.atMs - end.audio.length / 16;
    expect(audioStartMs).toBeLessThan(start.atMs);
  });
});
