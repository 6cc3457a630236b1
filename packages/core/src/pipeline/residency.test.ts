import { describe, expect, it } from 'vitest';
import type { ResidencyEvent } from './events.js';
import { ModelResidency, type ModelLoader } from './residency.js';
import type { ModelSpec } from './types.js';

const spec = (role: ModelSpec['role'], id: string, memoryMb: number): ModelSpec => ({ role, id, memoryMb });
const vad = spec('vad', 'energy', 1);
const stt = spec('stt', 'pocketsphinx', 40);
const tts = spec('tts', 'espeak-ng', 10);
const small = spec('llm', 'local:small', 100);
const big = spec('llm', 'local:big', 900);
const vision = spec('vision', 'local:vision', 300);

/** A loader that records what it was asked to do, in order. */
function recorder(): { loader: ModelLoader; log: string[] } {
  const log: string[] = [];
  return {
    log,
    loader: {
      load: (s) => {
        log.push(`load ${s.id}`);
        return Promise.resolve({ id: s.id });
      },
      unload: (s, loaded) => {
        log.push(`unload ${s.id} ${(loaded as { id: string }).id === s.id ? 'ok' : 'wrong'}`);
        return Promise.resolve();
      },
    },
  };
}

describe('model residency', () => {
  it('loads what a pipeline needs and unloads what the next one does not, keeping STT and TTS', async () => {
    const { loader, log } = recorder();
    const events: ResidencyEvent[] = [];
    const r = new ModelResidency({ budgetMb: 2000, loader, onEvent: (e) => events.push(e) });
    await r.activate('voice', [vad, stt, small, tts]);
    expect(log).toEqual(['load energy', 'load pocketsphinx', 'load local:small', 'load espeak-ng']);
    await r.activate('visual', [vision]);
    expect(log.slice(4)).toEqual(['unload local:small ok', 'load local:vision']);
    expect(
      r
        .resident()
        .map((m) => m.spec.id)
        .sort(),
    ).toEqual(['energy', 'espeak-ng', 'local:vision', 'pocketsphinx']);
    expect(events.at(-2)).toMatchObject({
      action: 'unload',
      model: 'local:small',
      reason: 'not needed by visual',
    });
    expect(events.at(-1)).toMatchObject({
      action: 'load',
      model: 'local:vision',
      reason: 'needed by visual',
      budgetMb: 2000,
    });
    expect(events.at(-1)?.residentMb).toBe(351);
    // Back to voice: nothing of the sticky set is loaded again.
    await r.activate('voice', [vad, stt, small, tts]);
    expect(log.slice(6)).toEqual(['unload local:vision ok', 'load local:small']);
  });

  it('a large model takes the room of the least recently used semi-sticky models', async () => {
    const { loader, log } = recorder();
    const r = new ModelResidency({ budgetMb: 940, loader });
    await r.activate('voice', [vad, stt, small, tts]);
    await r.activate('deep-dive', [big]);
    // small is not sticky and goes first; then 51 + 900 > 940, so the LRU sticky go: energy, pocketsphinx.
    expect(log.slice(4)).toEqual([
      'unload local:small ok',
      'unload energy ok',
      'unload pocketsphinx ok',
      'load local:big',
    ]);
    expect(r.resident().map((m) => m.spec.id)).toEqual(['espeak-ng', 'local:big']);
    expect(r.residentMb).toBeLessThanOrEqual(940);
  });

  it('never unloads a model a running turn holds; goes over the budget and says so', async () => {
    const { loader, log } = recorder();
    const events: ResidencyEvent[] = [];
    const r = new ModelResidency({ budgetMb: 950, loader, onEvent: (e) => events.push(e) });
    const lease = await r.acquire('voice', [small]);
    await r.activate('deep-dive', [big]);
    expect(log).toEqual(['load local:small', 'load local:big']);
    expect(events.at(-1)?.reason).toMatch(/over the budget/);
    lease.release();
    await r.activate('deep-dive', [big]);
    expect(log.at(-1)).toBe('unload local:small ok');
  });

  it('a failed load is reported to the caller and leaves nothing held', async () => {
    const r = new ModelResidency({
      budgetMb: 1000,
      loader: {
        load: (s) =>
          s.id === 'local:big' ? Promise.reject(new Error('no such file')) : Promise.resolve(s.id),
        unload: () => Promise.resolve(),
      },
    });
    await expect(r.activate('deep-dive', [small, big])).rejects.toThrow('no such file');
    expect(r.resident().map((m) => [m.spec.id, m.holders])).toEqual([['local:small', 0]]);
    await r.activate('voice', [vad]);
    expect(r.resident().map((m) => m.spec.id)).toEqual(['energy']);
  });
});
