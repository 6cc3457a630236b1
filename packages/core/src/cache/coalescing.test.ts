import { describe, expect, it, vi } from 'vitest';
import { answer, collect, ScriptedModel, textOf } from '../../../../test/helpers/scripted-model.js';
import type { ChatRequest } from '../chat-model.js';
import { userText } from '../chat-model.js';
import type { ChatEvent } from '../events.js';
import { ResponseCache } from './response-cache.js';
import { ResponseCacheStore } from './response-cache-store.js';

const ask = (text: string): ChatRequest => ({ messages: [userText(text)], temperature: 0 });

/** A model that streams "one ", pauses until released, then finishes. */
function pausing() {
  const inner = new ScriptedModel('test', 'slow', () => [
    { type: 'text-delta', text: 'one ' },
    'pause',
    ...answer('two'),
  ]);
  const store = new ResponseCacheStore();
  return { inner, store, model: new ResponseCache(inner, { store }) };
}

/** Read a stream in the background, keeping what arrived so far. */
function reader(events: AsyncIterable<ChatEvent>) {
  const seen: ChatEvent[] = [];
  const done = (async () => {
    for await (const e of events) seen.push(e);
    return seen;
  })();
  return { seen, done };
}

describe('coalescing identical requests', () => {
  it('makes one upstream call for concurrent identical requests; every caller gets the answer', async () => {
    const { inner, store, model } = pausing();
    const readers = Array.from({ length: 5 }, () => reader(model.stream(ask('same'))));
    await vi.waitFor(() => expect(readers.every((r) => r.seen.length === 1)).toBe(true));
    inner.release();
    const results = await Promise.all(readers.map((r) => r.done));
    expect(inner.calls).toBe(1);
    for (const events of results) {
      expect(textOf(events)).toBe('one two');
      expect(events.at(-1)?.type).toBe('done');
    }
    expect((await store.stats()).total).toMatchObject({ hits: 4, misses: 1, entries: 1 });
  });

  it('gives a caller that joins late every event from the start, then the rest live', async () => {
    const { inner, model } = pausing();
    const first = reader(model.stream(ask('same')));
    await vi.waitFor(() => expect(first.seen).toHaveLength(1));
    const late = reader(model.stream(ask('same')));
    await vi.waitFor(() => expect(late.seen).toHaveLength(1));
    expect(late.seen[0]).toEqual({ type: 'text-delta', text: 'one ' });
    inner.release();
    expect(textOf(await late.done)).toBe('one two');
    expect(textOf(await first.done)).toBe('one two');
    expect(inner.calls).toBe(1);
  });

  it('lets one caller cancel without cancelling the others', async () => {
    const { inner, model } = pausing();
    const ac = new AbortController();
    const leaving = reader(model.stream(ask('same'), ac.signal));
    const staying = reader(model.stream(ask('same')));
    await vi.waitFor(() => expect(staying.seen).toHaveLength(1));
    ac.abort(new Error('Ctrl+C'));
    const left = await leaving.done;
    expect(left.at(-1)).toMatchObject({ type: 'interrupted', reason: 'Ctrl+C', partialText: 'one ' });
    inner.release();
    expect(textOf(await staying.done)).toBe('one two');
    expect(inner.aborted).toBe(0);
    // The answer was complete, so it is kept.
    await collect(model.stream(ask('same')));
    expect(inner.calls).toBe(1);
  });

  it('cancels the upstream call when every caller has left, and keeps nothing', async () => {
    const { inner, model } = pausing();
    const acs = [new AbortController(), new AbortController()];
    const readers = acs.map((ac) => reader(model.stream(ask('same'), ac.signal)));
    await vi.waitFor(() => expect(readers.every((r) => r.seen.length === 1)).toBe(true));
    for (const ac of acs) ac.abort();
    for (const r of readers) expect((await r.done).at(-1)?.type).toBe('interrupted');
    await vi.waitFor(() => expect(inner.aborted).toBe(1));
    inner.script = () => answer('fresh');
    expect(textOf(await collect(model.stream(ask('same'))))).toBe('fresh');
    expect(inner.calls).toBe(2);
  });

  it('cancels upstream when a cancelled caller stops reading at its interrupted event', async () => {
    const { inner, model } = pausing();
    const ac = new AbortController();
    // A consumer that pulls by hand and never calls return(): leaving must not depend on it.
    const it = model.stream(ask('same'), ac.signal)[Symbol.asyncIterator]();
    expect((await it.next()).value).toMatchObject({ type: 'text-delta' });
    const pending = it.next();
    ac.abort();
    expect((await pending).value).toMatchObject({ type: 'interrupted' });
    await vi.waitFor(() => expect(inner.aborted).toBe(1));
  });

  it('passes a failure to every caller; the next request calls the model again', async () => {
    const inner = new ScriptedModel('test', 'flaky', (_r, call) =>
      call === 1
        ? [
            { type: 'text-delta', text: 'par' },
            'pause',
            { type: 'error', error: { code: 'server_error', message: 'overloaded', retryable: true } },
          ]
        : answer('ok'),
    );
    const model = new ResponseCache(inner, { store: new ResponseCacheStore() });
    const a = reader(model.stream(ask('same')));
    const b = reader(model.stream(ask('same')));
    await vi.waitFor(() => expect(a.seen.length + b.seen.length).toBe(2));
    inner.release();
    for (const r of [a, b])
      expect((await r.done).at(-1)).toMatchObject({ type: 'error', error: { message: 'overloaded' } });
    expect(textOf(await collect(model.stream(ask('same'))))).toBe('ok');
    expect(inner.calls).toBe(2);
  });

  it('does not merge different requests', async () => {
    const { inner, model } = pausing();
    const a = reader(model.stream(ask('one question')));
    const b = reader(model.stream(ask('another question')));
    await vi.waitFor(() => expect(inner.calls).toBe(2));
    inner.release();
    await Promise.all([a.done, b.done]);
    expect(inner.calls).toBe(2);
  });
});
