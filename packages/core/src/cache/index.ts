/** The response cache: a `ChatModel` wrapper over an LRU in memory and the store on disk. */
export { ResponseCache, replayAnswer, hasCachedAnswer } from './response-cache.js';
export type { CacheMode, ResponseCacheOptions } from './response-cache.js';
export { ResponseCacheStore } from './response-cache-store.js';
export type { CachedAnswer, ResponseCacheStoreOptions } from './response-cache-store.js';
export type { CacheStats, CacheModelStats } from './cache-stats.js';
export { cacheKey, canonicalJson, isDeterministic, CACHE_KEY_VERSION } from './cache-key.js';
export type { CacheKeyModel } from './cache-key.js';
export { isAnswerValue } from './backing-store.js';
export type {
  AnswerValue,
  CacheBackingStore,
  CacheCounterStore,
  CacheCounts,
  CacheModelSummary,
  NewPersistedCacheEntry,
  PersistedCacheEntry,
} from './backing-store.js';
export { storeCacheBacking } from './store-backing.js';
export { describePressure, defaultHeapThreshold } from './memory-pressure.js';
export type { MemorySample, PressureOptions, PressureReport } from './memory-pressure.js';
export {
  CACHE_DEFAULTS,
  cacheSettings,
  cacheModeFor,
  cacheApplies,
  cacheIdentity,
  createResponseCacheStore,
  withResponseCache,
} from './cache-config.js';
export type { CacheSettings, CacheStoreHooks } from './cache-config.js';
export { Flight } from './flight.js';
