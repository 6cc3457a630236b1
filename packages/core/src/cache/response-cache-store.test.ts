import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { answer, collect, ScriptedModel, textOf } from '../../../../test/helpers/scripted-model.js';
import type { ChatRequest } from '../chat-model.js';
import { userText } from '../chat-model.js';
import { SqliteConversationStore } from '../store/sqlite/sqlite-conversation-store.js';
import type { PressureReport } from './memory-pressure.js';
import { ResponseCache } from './response-cache.js';
import { ResponseCacheStore, type ResponseCacheStoreOptions } from './response-cache-store.js';
import { storeCacheBacking } from './store-backing.js';

const ask = (text: string): ChatRequest => ({ messages: [userText(text)], temperature: 0 });

let dir: string;
beforeEach(() => (dir = mkdtempSync(path.join(os.tmpdir(), 'parley-cache-'))));
afterEach(() => rmSync(dir, { recursive: true, force: true }));

function cached(store: ResponseCacheStore, inner = new ScriptedModel()) {
  return { inner, model: new ResponseCache(inner, { store }) };
}

describe('ResponseCacheStore in memory', () => {
  it('expires answers after the TTL', async () => {
    let now = 1_000_000;
    const store = new ResponseCacheStore({ ttlMs: 60_000, now: () => now });
    const { inner, model } = cached(store);
    await collect(model.stream(ask('q')));
    now += 59_999;
    await collect(model.stream(ask('q')));
    expect(inner.calls).toBe(1);
    now += 2;
    await collect(model.stream(ask('q')));
    expect(inner.calls).toBe(2);
  });

  it('evicts the least recently used answers to stay within max_bytes', async () => {
    const store = new ResponseCacheStore({ maxBytes: 1000 });
    const inner = new ScriptedModel('test', 'scripted', (r) =>
      answer(`${'x'.repeat(200)} ${textOf([])}${r.messages.length}`),
    );
    const { model } = cached(store, inner);
    for (const q of ['a', 'b', 'c', 'd', 'e']) await collect(model.stream(ask(q)));
    const s = await store.stats();
    expect(s.total.memoryBytes).toBeLessThanOrEqual(1000);
    expect(s.total.memoryEntries).toBeLessThan(5);
    expect(store.peek(model.keyOf(ask('e')))).toBeDefined();
    expect(store.peek(model.keyOf(ask('a')))).toBeUndefined();
    await collect(model.stream(ask('a')));
    expect(inner.calls).toBe(6);
  });

  it('keeps no answer larger than max_bytes in memory', async () => {
    const store = new ResponseCacheStore({ maxBytes: 100 });
    const { inner, model } = cached(store, new ScriptedModel('test', 'big', () => answer('y'.repeat(500))));
    await collect(model.stream(ask('q')));
    await collect(model.stream(ask('q')));
    expect(inner.calls).toBe(2);
    expect((await store.stats()).total.memoryEntries).toBe(0);
  });

  it('evicts down to the floor under memory pressure, and says so', async () => {
    let rss = 100;
    const reports: PressureReport[] = [];
    const store = new ResponseCacheStore({
      pressure: { rssBytes: 1000, floorBytes: 300, readMemory: () => ({ rss, heapUsed: 0 }) },
      onPressure: (r) => reports.push(r),
    });
    const { model } = cached(store);
    for (let i = 0; i < 10; i++) await collect(model.stream(ask(`question ${i}`)));
    const before = (await store.stats()).total.memoryBytes;
    expect(reports).toEqual([]);
    rss = 2000;
    const events = await collect(model.stream(ask('one more')));
    const notice = events.find((e) => e.type === 'notice');
    expect(notice).toMatchObject({ code: 'cache-pressure', level: 'warn' });
    expect(notice?.type === 'notice' && notice.message).toMatch(
      /memory pressure \(RSS .* ≥ .*\).*dropped \d+ in-memory entr/,
    );
    expect(events.at(-1)?.type).toBe('done');
    expect(reports).toHaveLength(1);
    expect(reports[0]).toMatchObject({
      reason: 'rss',
      rssBytes: 2000,
      thresholdBytes: 1000,
      floorBytes: 300,
    });
    // Before: the ten answers (and the placeholder of the one being written).
    expect(reports[0]!.bytesBefore).toBeGreaterThanOrEqual(before);
    expect(reports[0]!.bytesAfter).toBeLessThanOrEqual(300);
    expect(reports[0]!.evicted).toBeGreaterThan(5);
    const s = await store.stats();
    expect(s.lastPressure).toEqual(reports[0]);
    // The floor, plus the answer that was being written when the eviction ran.
    expect(s.total.memoryEntries).toBeLessThanOrEqual(3);
    // While the pressure lasts, memory is held at the floor; once it is gone, nothing is dropped.
    store.relievePressure();
    expect((await store.stats()).total.memoryBytes).toBeLessThanOrEqual(300);
    rss = 100;
    await collect(model.stream(ask('after')));
    expect(store.relievePressure()).toBeUndefined();
    expect((await store.stats()).total.memoryEntries).toBeGreaterThan(0);
  });

  it('counts hits and misses per model, with the hit ratio, entries and bytes', async () => {
    const store = new ResponseCacheStore();
    const a = cached(store, new ScriptedModel('test', 'a')).model;
    const b = cached(store, new ScriptedModel('test', 'b')).model;
    for (const q of ['1', '2', '1', '1']) await collect(a.stream(ask(q)));
    await collect(b.stream(ask('1')));
    const s = await store.stats();
    expect(s.persistent).toBe(false);
    expect(s.models.map((m) => [m.model, m.hits, m.misses, m.hitRatio, m.entries])).toEqual([
      ['test:a', 2, 2, 0.5, 2],
      ['test:b', 0, 1, 0, 1],
    ]);
    expect(s.total).toMatchObject({ model: '*', hits: 2, misses: 3, hitRatio: 0.4, entries: 3 });
    expect(s.total.bytes).toBe(s.models[0]!.bytes + s.models[1]!.bytes);
    expect(s.total.bytes).toBeGreaterThan(100);
  });

  it('invalidates one model, or all', async () => {
    const store = new ResponseCacheStore();
    const a = cached(store, new ScriptedModel('test', 'a'));
    const b = cached(store, new ScriptedModel('test', 'b'));
    await collect(a.model.stream(ask('q')));
    await collect(b.model.stream(ask('q')));
    expect(await store.invalidate('test:a')).toBe(1);
    await collect(a.model.stream(ask('q')));
    await collect(b.model.stream(ask('q')));
    expect([a.inner.calls, b.inner.calls]).toEqual([2, 1]);
    expect((await store.stats()).models.map((m) => [m.model, m.hits, m.misses])).toEqual([
      ['test:a', 0, 1],
      ['test:b', 1, 1],
    ]);
    expect(await store.invalidate()).toBe(2);
    expect((await store.stats()).models).toEqual([]);
  });

  it('does not keep an answer whose model was invalidated while it was being written', async () => {
    const store = new ResponseCacheStore();
    const { inner, model } = cached(
      store,
      new ScriptedModel('test', 'scripted', () => ['pause', ...answer('old')]),
    );
    const pending = collect(model.stream(ask('q')));
    await vi.waitFor(() => expect(inner.calls).toBe(1));
    await store.invalidate('test:scripted');
    inner.release();
    expect(textOf(await pending)).toBe('old');
    inner.script = () => answer('new');
    expect(textOf(await collect(model.stream(ask('q'))))).toBe('new');
  });
});

describe('ResponseCacheStore over the conversation store', () => {
  const open = () => SqliteConversationStore.open({ path: path.join(dir, 'parley.db') });

  it('survives a restart: a new instance on the same file answers without the model', async () => {
    const db1 = open();
    const s1 = new ResponseCacheStore({ backing: storeCacheBacking(db1) });
    const first = cached(s1);
    const a = await collect(first.model.stream(ask('remember me')));
    await collect(first.model.stream(ask('remember me')));
    await s1.close();
    await db1.close();

    const db2 = open();
    const s2 = new ResponseCacheStore({ backing: storeCacheBacking(db2) });
    const second = cached(s2);
    const b = await collect(second.model.stream(ask('remember me')));
    expect(second.inner.calls).toBe(0);
    expect(textOf(b)).toBe(textOf(a));
    expect(b.at(-1)).toMatchObject({ type: 'done', cached: true });
    const stats = await s2.stats();
    expect(stats.persistent).toBe(true);
    expect(stats.models).toEqual([
      expect.objectContaining({ model: 'test:scripted', hits: 2, misses: 1, entries: 1, memoryEntries: 1 }),
    ]);
    await s2.close();
    await db2.close();
  });

  it('keeps the stored answers within persist_max_bytes, dropping the least recently used', async () => {
    const db = open();
    let now = 1_000;
    const backing = storeCacheBacking(db);
    const probe = new ResponseCacheStore({ backing, now: () => now });
    const { model: m0 } = cached(probe);
    await collect(m0.stream(ask('size me')));
    await probe.close();
    const one = (await backing.summary())[0]?.bytes ?? 0;
    expect(one).toBeGreaterThan(0);
    await backing.clear();

    // Room for two answers of that size: the third write pushes out the least recently used.
    const s = new ResponseCacheStore({ backing, persistMaxBytes: Math.floor(one * 2.5), now: () => now });
    const { model } = cached(s);
    for (const q of ['first q', 'second q']) {
      now += 10;
      await collect(model.stream(ask(q)));
    }
    await s.close();
    expect((await backing.summary())[0]?.entries).toBe(2);

    const again = new ResponseCacheStore({ backing, persistMaxBytes: Math.floor(one * 2.5), now: () => now });
    const { model: m2, inner } = cached(again);
    now += 10;
    await collect(m2.stream(ask('first q'))); // a hit from the store: first q is now fresher
    expect(inner.calls).toBe(0);
    now += 10;
    await collect(m2.stream(ask('third q')));
    await again.close();
    const left = await db.cache.list();
    expect(left).toHaveLength(2);
    expect(left.reduce((n, e) => n + e.bytes, 0)).toBeLessThanOrEqual(Math.floor(one * 2.5));
    // first q and third q are kept; second q, the least recently used, was dropped.
    const check = new ResponseCacheStore({ backing, now: () => now });
    const c = cached(check);
    await collect(c.model.stream(ask('first q')));
    await collect(c.model.stream(ask('third q')));
    expect(c.inner.calls).toBe(0);
    await collect(c.model.stream(ask('second q')));
    expect(c.inner.calls).toBe(1);
    await check.close();
    await db.close();
  });

  it('expires persisted answers, and ignores (and drops) a stored value it cannot read', async () => {
    let now = 5_000_000;
    const db = open();
    const backing = storeCacheBacking(db);
    const opts: ResponseCacheStoreOptions = { backing, ttlMs: 1000, now: () => now };
    const { model } = cached(new ResponseCacheStore(opts));
    await collect(model.stream(ask('q')));
    now += 1001;
    const fresh = cached(new ResponseCacheStore(opts));
    await collect(fresh.model.stream(ask('q')));
    expect(fresh.inner.calls).toBe(1);

    const key = fresh.model.keyOf(ask('garbage'));
    await backing.put({
      key,
      model: 'test:scripted',
      value: { v: 1, events: [{ type: 'text-delta', text: 'x' }] },
    });
    const other = cached(new ResponseCacheStore(opts));
    expect(textOf(await collect(other.model.stream(ask('garbage'))))).toBe('echo: garbage');
    expect(other.inner.calls).toBe(1);
    await db.close();
  });

  it('keeps answering from memory when the store fails', async () => {
    const db = open();
    const errors: string[] = [];
    const store = new ResponseCacheStore({
      backing: storeCacheBacking(db),
      onError: (_e, what) => errors.push(what),
    });
    await db.close();
    const { inner, model } = cached(store);
    expect(textOf(await collect(model.stream(ask('q'))))).toBe('echo: q');
    expect(textOf(await collect(model.stream(ask('q'))))).toBe('echo: q');
    expect(inner.calls).toBe(1);
    await store.close();
    expect(errors).toEqual(expect.arrayContaining(['read a cached answer', 'write a cached answer']));
  });
});
