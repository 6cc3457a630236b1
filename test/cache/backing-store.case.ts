/**
 * The conformance suite every response-cache persistent tier passes (`CacheBackingStore` and
 * `CacheCounterStore`): what `ResponseCacheStore` relies on, nothing more.
 */
import { describe, expect, it } from 'vitest';
import type { CacheBackingStore, CacheCounterStore } from '@parley/core';

/** A tier parley uses: counts and the byte cap are not optional here. */
export type FullBacking = CacheBackingStore & CacheCounterStore & Required<Pick<CacheBackingStore, 'trim'>>;

export interface BackingFixture {
  backing: FullBacking;
  /** Close and reopen the same storage (a restart). */
  reopen(): Promise<FullBacking>;
}

const answer = (text: string) => ({
  v: 1,
  events: [
    { type: 'text-delta', text },
    {
      type: 'done',
      model: 'm',
      finishReason: 'stop',
      usage: {},
      timings: { ttftMs: 1, totalMs: 1, tokensPerSecond: null },
    },
  ],
});

export function runBackingStoreConformance(name: string, setup: () => Promise<BackingFixture>): void {
  describe(`${name}: a response-cache persistent tier`, () => {
    it('stores an answer exactly, and replaces it on a second put', async () => {
      const { backing } = await setup();
      await backing.put({
        key: 'k',
        model: 'local:a',
        value: answer('hé ✓'),
        createdAt: 10,
        expiresAt: null,
      });
      expect(await backing.get('k', 11)).toMatchObject({
        key: 'k',
        model: 'local:a',
        value: answer('hé ✓'),
        createdAt: 10,
        expiresAt: null,
      });
      await backing.put({ key: 'k', model: 'local:a', value: answer('second') });
      expect((await backing.get('k'))?.value).toEqual(answer('second'));
      expect(await backing.get('nope')).toBeUndefined();
    });

    it('does not serve an entry past its expiry', async () => {
      const { backing } = await setup();
      await backing.put({ key: 'k', model: 'm', value: answer('x'), createdAt: 0, expiresAt: 1000 });
      expect(await backing.get('k', 999)).toBeDefined();
      expect(await backing.get('k', 1000)).toBeUndefined();
      expect(await backing.purgeExpired(1000)).toBe(1);
    });

    it('keeps within a byte cap by dropping the least recently used, a hit counting as a use', async () => {
      const { backing, reopen } = await setup();
      for (const [k, t] of [
        ['a', 10],
        ['b', 20],
        ['c', 30],
      ] as const)
        await backing.put({
          key: k,
          model: 'm',
          value: answer(k),
          bytes: 100,
          createdAt: t,
          expiresAt: null,
        });
      expect(await backing.get('a', 40)).toBeDefined(); // a is now the most recently used
      expect(await backing.trim(300)).toEqual({ entries: 0, bytes: 0 });
      expect(await backing.trim(250)).toEqual({ entries: 1, bytes: 100 });
      expect(await backing.get('b', 41)).toBeUndefined();
      // The order of use survives a restart: c (used at 30) goes before a (used at 40)…
      const again = await reopen();
      expect(await again.trim(150)).toEqual({ entries: 1, bytes: 100 });
      expect(await again.get('c', 50)).toBeUndefined();
      expect(await again.get('a', 50)).toBeDefined();
      // … and a cap of 0 empties the tier.
      expect(await again.trim(0)).toEqual({ entries: 1, bytes: 100 });
      expect(await again.summary()).toEqual([]);
    });

    it('deletes by key, by model and all, and summarises per model', async () => {
      const { backing } = await setup();
      for (const [k, m] of [
        ['1', 'a'],
        ['2', 'a'],
        ['3', 'b'],
      ])
        await backing.put({ key: k!, model: m!, value: answer(k!) });
      const sum = await backing.summary();
      expect(sum.map((s) => [s.model, s.entries])).toEqual([
        ['a', 2],
        ['b', 1],
      ]);
      expect(sum.every((s) => s.bytes > 0)).toBe(true);
      expect(await backing.delete('1')).toBe(true);
      expect(await backing.delete('1')).toBe(false);
      expect(await backing.deleteByModel('a')).toBe(1);
      expect(await backing.clear()).toBe(1);
      expect(await backing.summary()).toEqual([]);
    });

    it('adds up hit and miss counts per model, resets them, and keeps them across a restart', async () => {
      const fx = await setup();
      await fx.backing.addCounters([
        { model: 'a', hits: 2, misses: 1 },
        { model: 'b', hits: 0, misses: 3 },
      ]);
      await fx.backing.addCounters([{ model: 'a', hits: 1, misses: 0 }]);
      const sorted = async (b: CacheCounterStore) =>
        (await b.counters()).sort((x, y) => x.model.localeCompare(y.model));
      expect(await sorted(fx.backing)).toEqual([
        { model: 'a', hits: 3, misses: 1 },
        { model: 'b', hits: 0, misses: 3 },
      ]);
      await fx.backing.resetCounters('b');
      const again = await fx.reopen();
      expect(await sorted(again)).toEqual([{ model: 'a', hits: 3, misses: 1 }]);
      await again.resetCounters();
      expect(await again.counters()).toEqual([]);
    });
  });
}
