/** Conformance tests for cache entries and request timings (part of the store suite). */
import { describe, expect, it } from 'vitest';
import type { StoreFixture } from './store.conformance.case.js';

export function runCacheAndRequestConformance(fx: StoreFixture): void {
  describe('cache entries', () => {
    it('puts, gets, replaces and deletes entries', async () => {
      const value = { events: [{ type: 'text-delta', text: 'hé' }], n: 1 };
      const e = await fx.store.cache.put({ key: 'k1', model: 'local:a', value });
      expect(e).toEqual({
        key: 'k1',
        model: 'local:a',
        value,
        bytes: Buffer.byteLength(JSON.stringify(value)),
        createdAt: fx.clock.t,
        expiresAt: null,
      });
      expect(await fx.store.cache.get('k1')).toEqual(e);
      const r = await fx.store.cache.put({ key: 'k1', model: 'local:a', value: 'new', bytes: 99 });
      expect(await fx.store.cache.get('k1')).toEqual(r);
      expect(r.bytes).toBe(99);
      expect(await fx.store.cache.delete('k1')).toBe(true);
      expect(await fx.store.cache.delete('k1')).toBe(false);
      expect(await fx.store.cache.get('k1')).toBeUndefined();
    });

    it('stops serving an entry when it expires, and purges it', async () => {
      const t = fx.clock.t;
      await fx.store.cache.put({ key: 'short', model: 'm', value: 1, expiresAt: t + 500 });
      await fx.store.cache.put({ key: 'forever', model: 'm', value: 2 });
      expect(await fx.store.cache.get('short')).toBeDefined();
      expect(await fx.store.cache.get('short', t + 500)).toBeUndefined();
      fx.clock.tick(1000);
      expect(await fx.store.cache.get('short')).toBeUndefined();
      expect((await fx.store.cache.list()).map((x) => x.key)).toEqual(['forever']);
      expect(await fx.store.cache.list({ includeExpired: true })).toHaveLength(2);
      expect(await fx.store.cache.purgeExpired()).toBe(1);
      expect(await fx.store.cache.list({ includeExpired: true })).toHaveLength(1);
    });

    it('lists, summarises and invalidates per model', async () => {
      await fx.store.cache.put({ key: 'a1', model: 'A', value: 'x', bytes: 10 });
      fx.clock.tick();
      await fx.store.cache.put({ key: 'a2', model: 'A', value: 'y', bytes: 5 });
      await fx.store.cache.put({ key: 'b1', model: 'B', value: 'z', bytes: 7 });
      expect((await fx.store.cache.list({ model: 'A' })).map((x) => x.key)).toEqual(['a2', 'a1']);
      expect(await fx.store.cache.list({ limit: 2 })).toHaveLength(2);
      expect(await fx.store.cache.summary()).toEqual([
        { model: 'A', entries: 2, bytes: 15 },
        { model: 'B', entries: 1, bytes: 7 },
      ]);
      expect(await fx.store.cache.deleteByModel('A')).toBe(2);
      expect(await fx.store.cache.deleteByModel('A')).toBe(0);
      expect(await fx.store.cache.summary()).toEqual([{ model: 'B', entries: 1, bytes: 7 }]);
      expect(await fx.store.cache.clear()).toBe(1);
      expect(await fx.store.cache.summary()).toEqual([]);
    });
  });

  describe('request timings', () => {
    it('records requests and sums them per model', async () => {
      const c = await fx.store.conversations.create();
      const first = await fx.store.requests.record({
        conversationId: c.id,
        model: 'local:a',
        source: 'cli',
        status: 'complete',
        finishReason: 'stop',
        errorCode: null,
        usage: { inputTokens: 10, outputTokens: 20, totalTokens: 30 },
        timings: { ttftMs: 10, totalMs: 100, tokensPerSecond: 200 },
      });
      expect(first).toMatchObject({ cached: false, messageId: null, createdAt: fx.clock.t });
      fx.clock.tick();
      await fx.store.requests.record({
        model: 'local:a',
        source: 'server',
        status: 'error',
        finishReason: 'error',
        errorCode: 'timeout',
        usage: {},
        timings: { ttftMs: null, totalMs: 50, tokensPerSecond: null },
      });
      const since = fx.clock.tick();
      await fx.store.requests.record({
        model: 'groq:b',
        source: 'api',
        status: 'partial',
        finishReason: 'interrupted',
        errorCode: null,
        cached: true,
        usage: { inputTokens: 1, outputTokens: 2 },
        timings: { ttftMs: 30, totalMs: 60, tokensPerSecond: 100 },
      });
      const all = await fx.store.requests.list();
      expect(all.map((r) => r.model)).toEqual(['groq:b', 'local:a', 'local:a']);
      expect(all[2]).toEqual(first);
      expect(all[0]?.usage).toEqual({ inputTokens: 1, outputTokens: 2 });
      expect(await fx.store.requests.list({ model: 'local:a', limit: 1 })).toHaveLength(1);
      expect(await fx.store.requests.list({ since })).toHaveLength(1);
      expect(await fx.store.requests.stats()).toEqual([
        {
          model: 'groq:b',
          requests: 1,
          errors: 0,
          partial: 1,
          cached: 1,
          inputTokens: 1,
          outputTokens: 2,
          avgTtftMs: 30,
          avgTokensPerSecond: 100,
        },
        {
          model: 'local:a',
          requests: 2,
          errors: 1,
          partial: 0,
          cached: 0,
          inputTokens: 10,
          outputTokens: 20,
          avgTtftMs: 10,
          avgTokensPerSecond: 200,
        },
      ]);
      expect((await fx.store.requests.stats({ since })).map((s) => s.model)).toEqual(['groq:b']);
      await fx.store.conversations.delete(c.id);
      expect((await fx.store.requests.list({ model: 'local:a' }))[1]?.conversationId).toBeNull();
    });
  });
}
