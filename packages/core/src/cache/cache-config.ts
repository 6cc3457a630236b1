/**
 * The `[cache]` settings with their defaults, and what `Parley` needs to put the response
 * cache in front of its models: the store those settings describe, the mode for a request,
 * and the identity of a model (its file or server) for the key.
 */
import type { ChatModel, ChatRequest } from '../chat-model.js';
import type { ParleyConfig } from '../config/schema.js';
import { LocalChatModel } from '../local/local-chat-model.js';
import type { CacheBackingStore, CacheCounterStore } from './backing-store.js';
import { isDeterministic } from './cache-key.js';
import { defaultHeapThreshold, type PressureReport } from './memory-pressure.js';
import { ResponseCache, type CacheMode } from './response-cache.js';
import { ResponseCacheStore } from './response-cache-store.js';

/** `[cache]` with every key set. */
export type CacheSettings = Required<
  Omit<NonNullable<ParleyConfig['cache']>, 'pressure_rss_mb' | 'pressure_heap_mb'>
> &
  Pick<NonNullable<ParleyConfig['cache']>, 'pressure_rss_mb' | 'pressure_heap_mb'>;

/** Defaults of the `[cache]` keys (the pressure thresholds default to off and 85 % of the heap). */
export const CACHE_DEFAULTS: Omit<CacheSettings, 'pressure_rss_mb' | 'pressure_heap_mb'> = {
  enabled: true,
  mode: 'deterministic',
  max_bytes: 64 * 1024 * 1024,
  ttl_ms: 7 * 24 * 60 * 60 * 1000,
  persist: true,
  persist_max_bytes: 256 * 1024 * 1024,
  pressure_floor_ratio: 0.25,
};

/** The `[cache]` table of a config with the defaults filled in. */
export function cacheSettings(config: Pick<ParleyConfig, 'cache'>): CacheSettings {
  return { ...CACHE_DEFAULTS, ...stripUndefined(config.cache ?? {}) };
}

/**
 * The mode for one call: `false` (`--no-cache`) turns the cache off, `true` (`--cache`)
 * caches every request; otherwise the settings decide.
 */
export function cacheModeFor(settings: CacheSettings, force: boolean | undefined): CacheMode {
  if (force === false) return 'off';
  if (force === true) return 'always';
  if (!settings.enabled) return 'off';
  return settings.mode === 'always' ? 'always' : 'auto';
}

/** True when the cache would look at this request for any of these models. */
export function cacheApplies(mode: CacheMode, models: readonly ChatModel[], request: ChatRequest): boolean {
  if (mode === 'off') return false;
  return mode === 'always' || models.some((m) => isDeterministic(m.provider, request));
}

export interface CacheStoreHooks {
  onPressure?: (r: PressureReport) => void;
  onError?: (e: unknown, what: string) => void;
  onCount?: (model: string, hit: boolean) => void;
}

/** The store the settings describe, over `backing` (when `persist` is on and one is given). */
export function createResponseCacheStore(
  settings: CacheSettings,
  backing: (CacheBackingStore & Partial<CacheCounterStore>) | undefined,
  hooks: CacheStoreHooks = {},
): ResponseCacheStore {
  const mb = (n: number | undefined) => (n === undefined ? undefined : n * 1024 * 1024);
  return new ResponseCacheStore({
    maxBytes: settings.max_bytes,
    ttlMs: settings.ttl_ms,
    backing: settings.persist ? backing : undefined,
    persistMaxBytes: settings.persist_max_bytes,
    pressure: {
      rssBytes: mb(settings.pressure_rss_mb),
      heapBytes: mb(settings.pressure_heap_mb) ?? defaultHeapThreshold(),
      floorBytes: Math.floor(settings.max_bytes * settings.pressure_floor_ratio),
    },
    ...hooks,
  });
}

/**
 * What tells a model apart from others of the same name: the GGUF file of a local model, or
 * the base URL a provider's requests go to.
 */
export function cacheIdentity(
  model: ChatModel,
  config: Pick<ParleyConfig, 'base_url' | 'providers'>,
): string | undefined {
  if (model instanceof LocalChatModel) return model.path;
  return config.base_url ?? config.providers[model.provider]?.base_url;
}

/** Wrap each model in a {@link ResponseCache} over `store`. */
export function withResponseCache(
  models: readonly ChatModel[],
  store: ResponseCacheStore,
  mode: CacheMode,
  config: Pick<ParleyConfig, 'base_url' | 'providers'>,
): ChatModel[] {
  return models.map((m) => new ResponseCache(m, { store, mode, identity: cacheIdentity(m, config) }));
}

function stripUndefined<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}
