/**
 * The local embedding encoder through node-llama-cpp's embedding context.
 *
 * No sentence-embedding GGUF (bge-small, all-MiniLM) can be had offline on the test
 * machines, so these tests use ../shared/models/stories260K.gguf, a 260K-parameter story
 * model, as the embedding model. Its 64-dimension embeddings are real llama.cpp embeddings
 * but carry no meaning: the tests check the plumbing (loading, shapes, determinism, the
 * cache, cancelling, disposing, errors), never routing quality. The accuracy of a real
 * embedding model is measured by bench/router.bench.js when one is present.
 */
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createParley } from '@parley/core';
import { LocalEngine } from '../../packages/core/src/local/local-engine.js';
import { LocalEmbeddingEncoder } from '../../packages/core/src/router/local-encoder.js';
import { Router } from '../../packages/core/src/router/router.js';
import { tempHome } from '../helpers/cli.js';
import { STORIES } from '../helpers/models.js';
import { collect } from '../providers/stream-helpers.js';

const engine = new LocalEngine({ threads: 1, gpu: false });
afterAll(() => engine.dispose());

const norm = (v: Float32Array): number => Math.sqrt(v.reduce((s, x) => s + x * x, 0));

describe('LocalEmbeddingEncoder on stories260K (a stand-in: its embeddings mean nothing)', () => {
  const encoder = new LocalEmbeddingEncoder(engine, STORIES);
  afterAll(() => encoder.dispose());

  it('is named after the file and gives one 64-dimension vector per text, deterministically', async () => {
    expect(encoder.name).toBe('local:stories260K');
    const [a, b, c] = await encoder.embed(['Once upon a time', 'a cat sat', 'Once upon a time']);
    expect(a).toHaveLength(64);
    expect(b).toHaveLength(64);
    expect([...(c as Float32Array)]).toEqual([...(a as Float32Array)]);
    expect([...(a as Float32Array)]).not.toEqual([...(b as Float32Array)]);
    expect(norm(a as Float32Array)).toBeGreaterThan(0);
  });

  it('cuts a text longer than its context instead of failing', async () => {
    const [v] = await encoder.embed(['the dog ran to the park. '.repeat(400)]);
    expect(v).toHaveLength(64);
  });

  it('stops between texts when the signal aborts', async () => {
    const ctl = new AbortController();
    ctl.abort(new Error('stop'));
    await expect(encoder.embed(['a', 'b'], ctl.signal)).rejects.toThrow('stop');
  });

  it('drives a router: scores are cosines in [-1, 1], and the nearest example decides', async () => {
    const router = new Router({
      intents: [
        { name: 'a', examples: ['Once upon a time'], target: {}, commands: [], onImage: false },
        { name: 'b', examples: ['zq xv 123 !!'], target: {}, commands: [], onImage: false },
      ],
      defaultIntent: 'a',
      encoder,
      topK: 1,
    });
    const d = await router.route({ text: 'Once upon a time' });
    expect(d.encoder).toBe('local:stories260K');
    expect(d.scores[0]).toEqual({ intent: 'a', score: 1 });
    for (const s of d.scores) expect(Math.abs(s.score)).toBeLessThanOrEqual(1);
  });

  it('a missing file is a model-not-found error', async () => {
    const missing = new LocalEmbeddingEncoder(engine, path.join(path.dirname(STORIES), 'nope.gguf'));
    await expect(missing.embed(['x'])).rejects.toMatchObject({ code: 'model_not_found' });
  });
});

describe('router.encoder = a .gguf path, through config', () => {
  it('routes a turn and the route event names the local encoder', async () => {
    const { home, cleanup } = tempHome();
    const parley = createParley({
      env: { PARLEY_HOME: home, PARLEY_GPU: 'false' },
      config: {
        model: 'canned:lorem',
        cache: { enabled: false },
        store: { log: false },
        local: { threads: 1 },
        router: { enabled: true, encoder: STORIES, threshold: -1 },
      },
    });
    try {
      const events = await collect(parley.stream('write a python function'));
      expect(events[0]).toMatchObject({ type: 'route', strategy: 'embedding', encoder: 'local:stories260K' });
      expect(events.at(-1)).toMatchObject({ type: 'done', model: 'canned:lorem' });
    } finally {
      await parley.dispose();
      cleanup();
    }
  });
});
