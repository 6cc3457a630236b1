/**
 * The conversation store as the response cache's persistent tier: entries in its `cache`
 * repository, hit and miss counts as memory facts in a scope of their own.
 */
import type { ConversationStore } from '../store/conversation-store.js';
import type { CacheBackingStore, CacheCounterStore, CacheCounts } from './backing-store.js';

/** The memory-fact scope that holds the counts (one fact per model). */
export const CACHE_COUNTER_SCOPE = 'parley.cache-counters';

function countsOf(v: unknown): { hits: number; misses: number } {
  const o = (typeof v === 'object' && v !== null ? v : {}) as { hits?: unknown; misses?: unknown };
  const n = (x: unknown) => (typeof x === 'number' && Number.isFinite(x) && x >= 0 ? Math.floor(x) : 0);
  return { hits: n(o.hits), misses: n(o.misses) };
}

/** A {@link CacheBackingStore} (with counts) over a `ConversationStore`. */
export function storeCacheBacking(
  store: Pick<ConversationStore, 'cache' | 'memory'>,
): CacheBackingStore & CacheCounterStore {
  const { cache, memory } = store;
  return {
    get: (key, now) => cache.get(key, now),
    put: (entry) => cache.put(entry),
    delete: (key) => cache.delete(key),
    deleteByModel: (model) => cache.deleteByModel(model),
    clear: () => cache.clear(),
    purgeExpired: (now) => cache.purgeExpired(now),
    summary: () => cache.summary(),
    async counters(): Promise<CacheCounts[]> {
      const facts = await memory.list(CACHE_COUNTER_SCOPE);
      return facts.map((f) => ({ model: f.key, ...countsOf(f.value) }));
    },
    async addCounters(delta: readonly CacheCounts[]): Promise<void> {
      for (const d of delta) {
        const had = countsOf((await memory.get(d.model, CACHE_COUNTER_SCOPE))?.value);
        await memory.set({
          key: d.model,
          scope: CACHE_COUNTER_SCOPE,
          value: { hits: had.hits + d.hits, misses: had.misses + d.misses },
        });
      }
    },
    async resetCounters(model?: string): Promise<void> {
      const keys = model === undefined ? (await memory.list(CACHE_COUNTER_SCOPE)).map((f) => f.key) : [model];
      for (const k of keys) await memory.delete(k, CACHE_COUNTER_SCOPE);
    },
  };
}
