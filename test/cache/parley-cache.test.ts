import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createParley, type Parley } from '@parley/core';
import { tempHome } from '../helpers/cli.js';
import { STORIES } from '../helpers/models.js';

// Parley with the response cache in front of the real local engine (stories260K).
let home: string;
let cleanup: () => void;
beforeAll(() => ({ home, cleanup } = tempHome()));
afterAll(() => cleanup());

const open = (): Parley =>
  createParley({
    env: { PARLEY_HOME: home, PARLEY_GPU: 'false' },
    config: { model: STORIES, max_tokens: 24, local: { threads: 1 } },
  });

describe('Parley with the response cache', () => {
  it('answers a repeated deterministic prompt from the cache, even after a restart, without loading the model', async () => {
    const p1 = open();
    const a = await p1.chat('Once upon a time', { temperature: 0 });
    expect(a.cached).toBe(false);
    expect(p1.engine.stats().models).toBe(1);
    const b = await p1.chat('Once upon a time', { temperature: 0 });
    expect(b).toMatchObject({ cached: true, text: a.text, model: a.model, finishReason: a.finishReason });
    expect(a.timings.tokensPerSecond).toBeGreaterThan(0);
    expect(b.timings.tokensPerSecond).toBeNull();
    expect(b.timings.ttftMs).not.toBeNull();
    await p1.dispose();

    const p2 = open();
    const c = await p2.chat('Once upon a time', { temperature: 0 });
    expect(c).toMatchObject({ cached: true, text: a.text });
    expect(p2.engine.stats().models).toBe(0);
    const stats = await p2.responseCache().stats();
    expect(stats.models).toEqual([
      expect.objectContaining({
        model: 'local:stories260K',
        hits: 2,
        misses: 1,
        entries: 1,
        hitRatio: 2 / 3,
      }),
    ]);
    // cache: false (--no-cache) goes to the model.
    const d = await p2.chat('Once upon a time', { temperature: 0, cache: false });
    expect(d.cached).toBe(false);
    expect(d.text).toBe(a.text);
    expect(p2.engine.stats().models).toBe(1);
    await p2.dispose();
  });

  it('does not cache a sampled answer unless forced', async () => {
    const p = open();
    const hot = { temperature: 0.9 };
    expect((await p.chat('The dog', hot)).cached).toBe(false);
    expect((await p.chat('The dog', hot)).cached).toBe(false);
    const forced = await p.chat('The dog', { ...hot, cache: true });
    expect(forced.cached).toBe(false);
    expect(await p.chat('The dog', { ...hot, cache: true })).toMatchObject({
      cached: true,
      text: forced.text,
    });
    await p.dispose();
  });

  it('is off when the config says so', async () => {
    const p = createParley({
      env: { PARLEY_HOME: home, PARLEY_GPU: 'false', PARLEY_CACHE: 'false' },
      config: { model: STORIES, max_tokens: 24, local: { threads: 1 } },
    });
    expect((await p.chat('Once upon a time', { temperature: 0 })).cached).toBe(false);
    expect(p.engine.stats().models).toBe(1);
    await p.dispose();
  });
});
