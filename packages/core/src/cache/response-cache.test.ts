import { describe, expect, it, vi } from 'vitest';
import {
  answer,
  collect,
  interruptedEvent,
  ScriptedModel,
  textOf,
  type Step,
} from '../../../../test/helpers/scripted-model.js';
import type { ChatRequest } from '../chat-model.js';
import { userText } from '../chat-model.js';
import { runTurn } from '../engine/turn.js';
import type { ChatEvent } from '../events.js';
import { ResponseCache, type CacheMode } from './response-cache.js';
import { ResponseCacheStore } from './response-cache-store.js';

const ask = (text: string, temperature: number | undefined = 0): ChatRequest => ({
  messages: [userText(text)],
  temperature,
});

function setup(mode: CacheMode = 'auto', script?: ScriptedModel['script']) {
  const inner = new ScriptedModel('test', 'scripted', script);
  const store = new ResponseCacheStore();
  const model = new ResponseCache(inner, { store, mode });
  return { inner, store, model };
}

/** Events without their timings (which differ from run to run). */
function comparable(events: readonly ChatEvent[]): unknown[] {
  return events.map((e) => {
    if (e.type !== 'done') return e;
    const { timings: _t, cached: _c, ...rest } = e;
    return rest;
  });
}

const turnOpts = { maxRetries: 0, baseDelayMs: 1, maxDelayMs: 1, timeoutMs: 10_000, historyLimit: 100 };

describe('ResponseCache', () => {
  it('replays a hit as the same events with cached: true, without calling the model', async () => {
    const { inner, model } = setup();
    const first = await collect(model.stream(ask('hello')));
    const second = await collect(model.stream(ask('hello')));
    expect(inner.calls).toBe(1);
    expect(textOf(second)).toBe('echo: hello');
    expect(comparable(second)).toEqual(comparable(first));
    expect(first.at(-1)).toMatchObject({ type: 'done' });
    expect(first.at(-1)).not.toHaveProperty('cached', true);
    expect(second.at(-1)).toMatchObject({ type: 'done', cached: true, finishReason: 'stop' });
    // Fresh objects: a consumer changing an event cannot change the cache.
    (second[0] as { text: string }).text = 'changed';
    expect(textOf(await collect(model.stream(ask('hello'))))).toBe('echo: hello');
  });

  it('misses for a different request and shares its identity with no other model', async () => {
    const { inner, store, model } = setup();
    await collect(model.stream(ask('a')));
    await collect(model.stream(ask('b')));
    const other = new ResponseCache(new ScriptedModel('test', 'other'), { store });
    await collect(other.stream(ask('a')));
    const elsewhere = new ResponseCache(inner, { store, identity: '/another/file.gguf' });
    await collect(elsewhere.stream(ask('a')));
    expect(inner.calls).toBe(3);
  });

  it('caches deterministic requests only, unless told always; off bypasses', async () => {
    const auto = setup('auto');
    await collect(auto.model.stream(ask('hot', 0.8)));
    await collect(auto.model.stream(ask('hot', 0.8)));
    expect(auto.inner.calls).toBe(2);

    const always = setup('always');
    await collect(always.model.stream(ask('hot', 0.8)));
    const again = await collect(always.model.stream(ask('hot', 0.8)));
    expect(always.inner.calls).toBe(1);
    expect(again.at(-1)).toMatchObject({ cached: true });

    const off = setup('off');
    await collect(off.model.stream(ask('cold')));
    await collect(off.model.stream(ask('cold')));
    expect(off.inner.calls).toBe(2);
    expect((await off.store.stats()).total.misses).toBe(0);
  });

  const failures: [string, Step[]][] = [
    [
      'an error',
      [
        { type: 'text-delta', text: 'half' },
        { type: 'error', error: { code: 'server_error', message: 'boom', retryable: true } },
      ],
    ],
    ['an interrupt', [{ type: 'text-delta', text: 'half' }, interruptedEvent('test:scripted', 'half')]],
    ['a stream that stops without an end', [{ type: 'text-delta', text: 'half' }, 'end-without-terminal']],
    ['a model that throws', [{ type: 'text-delta', text: 'half' }, 'throw']],
    [
      'a done that reports an error',
      [
        {
          type: 'done',
          model: 'test:scripted',
          finishReason: 'error',
          usage: {},
          timings: { ttftMs: null, totalMs: 1, tokensPerSecond: null },
        },
      ],
    ],
  ];
  for (const [what, steps] of failures) {
    it(`never keeps ${what}`, async () => {
      const { inner, store, model } = setup('auto', (r, call) => (call === 1 ? steps : answer('fine')));
      const first = await collect(model.stream(ask('q')));
      expect(first.at(-1)?.type === 'done' && first.at(-1)).not.toMatchObject({ cached: true });
      const second = await collect(model.stream(ask('q')));
      expect(inner.calls).toBe(2);
      expect(textOf(second)).toBe('fine');
      expect((await store.stats()).total).toMatchObject({ entries: 1, misses: 2, hits: 0 });
    });
  }

  it('turns a thrown failure into an error event', async () => {
    const { model } = setup('auto', () => ['throw']);
    const events = await collect(model.stream(ask('q')));
    expect(events.at(-1)).toMatchObject({
      type: 'error',
      error: { message: expect.stringContaining('broke') },
    });
  });

  it('never keeps an answer whose only reader stopped reading early, and cancels it', async () => {
    const { inner, model } = setup('auto', () => [
      { type: 'text-delta', text: 'one ' },
      'pause',
      ...answer('two'),
    ]);
    for await (const e of model.stream(ask('q'))) {
      expect(e.type).toBe('text-delta');
      break;
    }
    await vi.waitFor(() => expect(inner.aborted).toBe(1));
    inner.script = () => answer('fresh');
    expect(textOf(await collect(model.stream(ask('q'))))).toBe('fresh');
  });

  it('answers a hit as interrupted when the signal is already aborted', async () => {
    const { model } = setup();
    await collect(model.stream(ask('q')));
    const ac = new AbortController();
    ac.abort(new Error('stop'));
    const events = await collect(model.stream(ask('q'), ac.signal));
    expect(events).toEqual([
      expect.objectContaining({ type: 'interrupted', reason: 'stop', partialText: '' }),
    ]);
  });

  it('lets the chat engine skip trimming (and loading the model) for a cached answer', async () => {
    const { inner, model } = setup();
    const a = await collect(runTurn([model], ask('long question'), turnOpts));
    expect(inner.loads).toBe(1);
    const b = await collect(runTurn([model], ask('long question'), turnOpts));
    expect(inner.loads).toBe(1);
    expect(inner.calls).toBe(1);
    expect(textOf(b)).toBe(textOf(a));
    expect(b.at(-1)).toMatchObject({ type: 'done', cached: true });
  });

  it('passes a request too deep to hash straight to the model', async () => {
    const { inner, model } = setup();
    let deep: Record<string, unknown> = {};
    for (let i = 0; i < 100; i++) deep = { deep };
    const r = { ...ask('deep'), extra: deep } as ChatRequest;
    expect(textOf(await collect(model.stream(r)))).toBe('echo: deep');
    expect(textOf(await collect(model.stream(r)))).toBe('echo: deep');
    expect(inner.calls).toBe(2);
  });

  it('passes the model through: provider, id, capabilities, token counting', async () => {
    const { inner, model } = setup();
    expect([model.provider, model.modelId, model.capabilities]).toEqual([
      inner.provider,
      inner.modelId,
      inner.capabilities,
    ]);
    expect(model.countTokens).toBeUndefined();
    expect(await model.resolveContextWindow?.()).toBe(4096);
    expect(model.applies(ask('x', 0))).toBe(true);
    expect(model.keyOf(ask('x'))).toBe(model.keyOf(ask('x')));
  });
});
