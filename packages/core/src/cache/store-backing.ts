/**
 * The conversation store as the response cache's persistent tier: entries and hit and miss
 * counts in its `cache` repository (`cache_entries` and `cache_counters` in SQLite).
 */
import type { ConversationStore } from '../store/conversation-store.js';
import type { CacheBackingStore, CacheCounterStore } from './backing-store.js';

/** A {@link CacheBackingStore} (with counts) over a `ConversationStore`. */
export function storeCacheBacking(
  store: Pick<ConversationStore, 'cache'>,
): CacheBackingStore & CacheCounterStore & Required<Pick<CacheBackingStore, 'trim'>> {
  const { cache } = store;
  return {
    get: (key, now) => cache.get(key, now),
    put: (entry) => cache.put(entry),
    delete: (key) => cache.delete(key),
    deleteByModel: (model) => cache.deleteByModel(model),
    clear: () => cache.clear(),
    purgeExpired: (now) => cache.purgeExpired(now),
    summary: () => cache.summary(),
    trim: (maxBytes) => cache.trim(maxBytes),
    counters: () => cache.counters(),
    addCounters: (delta) => cache.addCounters(delta),
    resetCounters: (model) => cache.resetCounters(model),
  };
}
