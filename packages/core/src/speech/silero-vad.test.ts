import { describe, expect, it } from 'vitest';
import { concat, goForward, quietNoise, silence } from './conformance/audio-fixtures.js';
import { runVadConformance } from './conformance/vad-suite.js';
import { EnergyVad } from './energy-vad.js';
import { SileroVad } from './silero-vad.js';
import { SpeechError } from './speech-error.js';

runVadConformance({
  name: 'silero',
  create: (timing) => SileroVad.create(timing ?? {}),
});

/** A steady 1 kHz tone: loud, but not speech. */
function tone(ms: number, amplitude = 8000): Int16Array {
  return Int16Array.from({ length: (ms * 16_000) / 1000 }, (_, i) =>
    Math.round(amplitude * Math.sin((2 * Math.PI * 1000 * i) / 16_000)),
  );
}

describe('SileroVad', () => {
  it('ignores a loud steady tone that the energy VAD calls speech', async () => {
    const audio = concat(silence(500), tone(1500), silence(800));
    const silero = await SileroVad.create();
    const heard = [...(await silero.push(audio)), ...(await silero.flush())];
    expect(heard).toEqual([]);
    const energy = new EnergyVad();
    const energyHeard = [...(await energy.push(audio)), ...(await energy.flush())];
    expect(energyHeard.filter((e) => e.type === 'speech-start')).toHaveLength(1);
    await silero.dispose();
  });

  it('hears speech under noise', async () => {
    const noise = quietNoise(3000, 1500);
    const noisy = goForward().map((s, i) => Math.max(-32768, Math.min(32767, s + (noise[i] ?? 0))));
    const vad = await SileroVad.create();
    const events = [...(await vad.push(concat(silence(500), noisy, silence(800)))), ...(await vad.flush())];
    expect(events.filter((e) => e.type === 'speech-end').length).toBeGreaterThanOrEqual(1);
    await vad.dispose();
  });

  it('says which package to install when it is missing', async () => {
    const err = await SileroVad.create({
      // @ts-expect-error: a package that does not exist, to exercise the missing-package error
      load: () => import('@parley/no-such-silero-package'),
    }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(SpeechError);
    expect((err as SpeechError).code).toBe('engine_missing');
    expect((err as Error).message).toMatch(
      /needs the optional package @jjhbw\/silero-vad.*npm install @jjhbw\/silero-vad/,
    );
  });

  it('refuses a model file that does not exist', async () => {
    await expect(SileroVad.create({ model: '/nonexistent/model.onnx' })).rejects.toThrow();
  });
});
