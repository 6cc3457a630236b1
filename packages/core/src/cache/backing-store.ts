/**
 * The response cache's persistent tier, behind a small interface. It has the shape of the
 * conversation store's `cache` repository, so `store.cache` serves as one as it is
 * (`storeCacheBacking`). Every implementation passes the one conformance suite in
 * `test/cache/backing-store.case.ts`.
 */
import type { ChatEvent, DoneEvent } from '../events.js';
import type { CacheEntry } from '../store/types.js';

/** One persisted entry (the store's cache entry). Times are milliseconds since the epoch. */
export type PersistedCacheEntry = CacheEntry;

/** What `put` needs; `bytes` defaults to the UTF-8 size of the JSON value, times to now. */
export type NewPersistedCacheEntry = Pick<PersistedCacheEntry, 'key' | 'model' | 'value'> &
  Partial<Pick<PersistedCacheEntry, 'bytes' | 'createdAt' | 'expiresAt'>>;

/** Entries and bytes of one model in the persistent tier. */
export interface CacheModelSummary {
  model: string;
  entries: number;
  bytes: number;
}

/** The persistent tier. Every method is async so a networked database can implement it. */
export interface CacheBackingStore {
  /** The entry, or undefined when there is none or it expired before `now`. */
  get(key: string, now?: number): Promise<PersistedCacheEntry | undefined>;
  /** Insert or replace. */
  put(entry: NewPersistedCacheEntry): Promise<unknown>;
  delete(key: string): Promise<boolean>;
  /** Remove every entry of a model; resolves to how many went. */
  deleteByModel(model: string): Promise<number>;
  /** Remove every entry; resolves to how many went. */
  clear(): Promise<number>;
  /** Remove entries that expired before `now`; resolves to how many went. */
  purgeExpired(now?: number): Promise<number>;
  /** Entries and bytes per model (expired entries may be counted until purged). */
  summary(): Promise<CacheModelSummary[]>;
  /** Optional byte cap: drop the least recently used entries until at most `maxBytes` remain. */
  trim?(maxBytes: number): Promise<{ entries: number; bytes: number }>;
}

/** Hit and miss counts of one model. */
export type { CacheCounts } from '../store/types.js';
import type { CacheCounts } from '../store/types.js';

/** Optional: lets hit and miss counts outlive the process (`parley cache stats`). */
export interface CacheCounterStore {
  counters(): Promise<CacheCounts[]>;
  /** Add these counts to the stored ones. */
  addCounters(delta: readonly CacheCounts[]): Promise<void>;
  /** Forget the counts of one model, or of all. */
  resetCounters(model?: string): Promise<void>;
}

/** The value kept for one answer: the events of the stream, ending with `done`. */
export interface AnswerValue {
  v: 1;
  events: ChatEvent[];
}

/** True for an {@link AnswerValue} read back from storage (anything else is ignored). */
export function isAnswerValue(v: unknown): v is AnswerValue {
  if (typeof v !== 'object' || v === null) return false;
  const a = v as Partial<AnswerValue>;
  if (a.v !== 1 || !Array.isArray(a.events) || a.events.length === 0) return false;
  if (!a.events.every((e) => typeof e === 'object' && e !== null && typeof e.type === 'string')) return false;
  const last = a.events[a.events.length - 1] as ChatEvent;
  return last.type === 'done' && a.events.slice(0, -1).every((e) => !isEnd(e));
}

function isEnd(e: ChatEvent): boolean {
  return e.type === 'done' || e.type === 'error' || e.type === 'interrupted';
}

/** The `done` event that ends a stored answer. */
export function doneOf(value: AnswerValue): DoneEvent {
  return value.events[value.events.length - 1] as DoneEvent;
}
