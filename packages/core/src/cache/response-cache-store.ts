/**
 * The cached answers behind every `ResponseCache`: an LRU in memory (lru-cache: a byte budget,
 * a TTL) in front of a persistent tier, so answers survive a restart. It merges concurrent
 * loads of one key (lru-cache's `fetch`), counts hits and misses per model, evicts under
 * memory pressure and invalidates per model. A failing persistent tier never fails a turn:
 * the error goes to `onError` and the cache carries on in memory.
 */
import { LRUCache } from 'lru-cache';
import type { ChatEvent } from '../events.js';
import {
  isAnswerValue,
  type AnswerValue,
  type CacheBackingStore,
  type CacheCounterStore,
  type CacheCounts,
  type PersistedCacheEntry,
} from './backing-store.js';
import { summarise, type CacheStats } from './cache-stats.js';
import { Flight } from './flight.js';
import { overThreshold, type PressureOptions, type PressureReport } from './memory-pressure.js';

/** One cached answer. */
export interface CachedAnswer extends PersistedCacheEntry {
  value: AnswerValue;
}

/** Options of {@link ResponseCacheStore}. */
export interface ResponseCacheStoreOptions {
  /** Byte budget of the in-memory tier (JSON size of the stored events). Default 64 MiB. */
  maxBytes?: number;
  /** Milliseconds an answer is served; 0 for ever. Default 0. */
  ttlMs?: number;
  /** The persistent tier; without one the cache lives in memory only. */
  backing?: (CacheBackingStore & Partial<CacheCounterStore>) | undefined;
  /** Byte cap of the persistent tier: after each write, the least recently used go. Default none. */
  persistMaxBytes?: number | undefined;
  /** Memory-pressure thresholds; off when not given. */
  pressure?: PressureOptions | undefined;
  /** Clock in epoch milliseconds, for entry times and the TTL (tests). Default `Date.now`. */
  now?: () => number;
  /** Told about every pressure eviction (the cache also reports it as a notice). */
  onPressure?: (r: PressureReport) => void;
  /** Told when the persistent tier fails. Default: ignored. */
  onError?: (e: unknown, what: string) => void;
  /** Told about every hit and miss (metrics). */
  onCount?: (model: string, hit: boolean) => void;
}

interface FetchContext {
  start: () => Promise<CachedAnswer | undefined>;
}

const DEFAULT_MAX_BYTES = 64 * 1024 * 1024;

/** Cached answers: memory over a persistent tier, with stats, coalescing and pressure relief. */
export class ResponseCacheStore {
  readonly maxBytes: number;
  readonly ttlMs: number;
  private readonly lru: LRUCache<string, CachedAnswer, FetchContext>;
  private readonly backing: ResponseCacheStoreOptions['backing'];
  private readonly now: () => number;
  private readonly pending = new Map<string, CacheCounts>();
  private readonly writes = new Set<Promise<unknown>>();
  private readonly epochs = new Map<string, number>();
  private readonly flights = new Map<string, Flight>();
  private epoch = 0;
  private lastPressure: PressureReport | undefined;
  private closed = false;

  constructor(private readonly options: ResponseCacheStoreOptions = {}) {
    this.maxBytes = Math.max(1, Math.floor(options.maxBytes ?? DEFAULT_MAX_BYTES));
    this.ttlMs = Math.max(0, Math.floor(options.ttlMs ?? 0));
    this.backing = options.backing;
    this.now = options.now ?? Date.now;
    const now = this.now;
    this.lru = new LRUCache<string, CachedAnswer, FetchContext>({
      maxSize: this.maxBytes,
      sizeCalculation: (e) => Math.max(1, e.bytes),
      ttl: this.ttlMs,
      ttlResolution: 0,
      perf: { now },
      fetchMethod: (_key, _stale, { context }) => context.start(),
    });
  }

  /** True when answers outlive the process. */
  get persistent(): boolean {
    return this.backing !== undefined;
  }

  /** The answer in memory, if any (no persistent read, nothing counted). */
  peek(key: string): CachedAnswer | undefined {
    return this.lru.get(key);
  }

  /** The answer from memory, else from the persistent tier (then kept in memory). */
  async find(key: string): Promise<CachedAnswer | undefined> {
    const hot = this.lru.get(key);
    if (hot || !this.backing) return hot;
    let row: PersistedCacheEntry | undefined;
    try {
      row = await this.backing.get(key, this.now());
    } catch (e) {
      this.options.onError?.(e, 'read a cached answer');
      return undefined;
    }
    if (!row) return undefined;
    if (!isAnswerValue(row.value)) {
      this.track(this.backing.delete(key));
      return undefined;
    }
    const entry: CachedAnswer = { ...row, value: row.value };
    const ttl = entry.expiresAt === null ? 0 : entry.expiresAt - this.now();
    if (entry.expiresAt !== null && ttl <= 0) return undefined;
    // Never replace a load in flight for this key (that would abort it).
    if (!this.flights.has(key)) this.lru.set(key, entry, { ttl });
    return entry;
  }

  /**
   * Merge concurrent calls for one key (lru-cache's `fetch`). The first caller is the leader:
   * `run` calls the model, pushing its events into a new {@link Flight}, and resolves to the
   * answer to keep (or undefined). Callers that come while it runs get the same flight and
   * read it live. `result` is the kept answer once the call ends.
   */
  coalesce(
    key: string,
    label: string,
    run: (flight: Flight) => Promise<CachedAnswer | undefined>,
  ): { leader: boolean; flight: Flight | undefined; result: Promise<CachedAnswer | undefined> } {
    let leader = false;
    const context: FetchContext = {
      // lru-cache calls this synchronously inside fetch(), so `leader` is known on return.
      // Its abort signal (the key evicted or deleted meanwhile) only means "not kept in
      // memory": the readers of the flight still get their answer.
      start: () => {
        leader = true;
        const flight = new Flight(label);
        this.flights.set(key, flight);
        const p = run(flight);
        const land = (): void => {
          if (this.flights.get(key) === flight) this.flights.delete(key);
        };
        p.then(land, land);
        return p;
      },
    };
    const result = this.lru.fetch(key, { context }).then(
      (v) => v,
      () => undefined,
    );
    return { leader, flight: this.flights.get(key), result };
  }

  /** Build an entry for the events of a complete answer (ending with `done`). */
  entryFor(key: string, model: string, events: ChatEvent[]): CachedAnswer {
    const value: AnswerValue = { v: 1, events };
    const createdAt = this.now();
    return {
      key,
      model,
      value,
      bytes: Buffer.byteLength(JSON.stringify(value)),
      createdAt,
      expiresAt: this.ttlMs > 0 ? createdAt + this.ttlMs : null,
    };
  }

  /** A token that changes when `model`'s entries are invalidated (see {@link keep}). */
  generation(model: string): string {
    return `${this.epoch}:${this.epochs.get(model) ?? 0}`;
  }

  /**
   * Persist an answer, unless the model was invalidated since `generation` was taken.
   * Resolves true when the answer was kept.
   */
  keep(entry: CachedAnswer, generation: string): boolean {
    if (this.closed || generation !== this.generation(entry.model)) return false;
    if (this.backing) {
      const { key, model, value, bytes, createdAt, expiresAt } = entry;
      const backing = this.backing;
      const cap = this.options.persistMaxBytes;
      this.track(
        backing
          .put({ key, model, value, bytes, createdAt, expiresAt })
          .then(() => (cap !== undefined && backing.trim ? backing.trim(cap) : undefined)),
        'write a cached answer',
      );
      this.track(this.flush());
    }
    return true;
  }

  /** Count a hit (an answer served without calling the model) or a miss. */
  count(model: string, hit: boolean): void {
    const c = this.pending.get(model) ?? { model, hits: 0, misses: 0 };
    if (hit) c.hits++;
    else c.misses++;
    this.pending.set(model, c);
    this.options.onCount?.(model, hit);
  }

  /**
   * Evict in-memory entries down to the floor when the process is over a memory threshold.
   * Returns what was done, or undefined when nothing was needed.
   */
  relievePressure(): PressureReport | undefined {
    const p = this.options.pressure;
    if (!p) return undefined;
    const over = overThreshold(p);
    const before = this.lru.calculatedSize;
    if (!over || before <= p.floorBytes) return undefined;
    let evicted = 0;
    while (this.lru.calculatedSize > p.floorBytes && this.lru.size > 0) {
      this.lru.pop();
      evicted++;
    }
    const report: PressureReport = {
      reason: over.reason,
      rssBytes: over.sample.rss,
      heapUsedBytes: over.sample.heapUsed,
      thresholdBytes: over.threshold,
      evicted,
      bytesBefore: before,
      bytesAfter: this.lru.calculatedSize,
      floorBytes: p.floorBytes,
    };
    this.lastPressure = report;
    this.options.onPressure?.(report);
    return report;
  }

  /** Drop the entries (and counts) of one model, or of all; resolves to how many went. */
  async invalidate(model?: string): Promise<number> {
    if (model === undefined) this.epoch++;
    else this.epochs.set(model, (this.epochs.get(model) ?? 0) + 1);
    let inMemory = 0;
    for (const [k, v] of [...this.lru.entries()]) {
      if (model === undefined || v.model === model) {
        this.lru.delete(k);
        inMemory++;
      }
    }
    if (model === undefined) this.pending.clear();
    else this.pending.delete(model);
    if (!this.backing) return inMemory;
    await Promise.allSettled([...this.writes]);
    const n = model === undefined ? await this.backing.clear() : await this.backing.deleteByModel(model);
    await this.backing.resetCounters?.(model);
    return n;
  }

  /** Hits, misses, entries and bytes per model, and in total. */
  async stats(): Promise<CacheStats> {
    const memory = [...this.lru.entries()].map(([, v]) => ({ model: v.model, bytes: v.bytes }));
    await this.backing?.purgeExpired(this.now());
    const stored = this.backing ? await this.backing.summary() : undefined;
    const counts = [...((await this.backing?.counters?.()) ?? []), ...this.pending.values()];
    return {
      ...summarise(memory, stored, counts),
      maxBytes: this.maxBytes,
      persistent: this.persistent,
      lastPressure: this.lastPressure,
    };
  }

  /** Write pending hit and miss counts to the persistent tier. */
  async flush(): Promise<void> {
    if (!this.backing?.addCounters || this.pending.size === 0) return;
    const delta = [...this.pending.values()];
    this.pending.clear();
    try {
      await this.backing.addCounters(delta);
    } catch (e) {
      for (const d of delta) {
        const c = this.pending.get(d.model) ?? { model: d.model, hits: 0, misses: 0 };
        c.hits += d.hits;
        c.misses += d.misses;
        this.pending.set(d.model, c);
      }
      throw e;
    }
  }

  /** Wait for pending writes and save the counts (the persistent tier stays open). */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await Promise.allSettled([...this.writes]);
    await this.flush().catch((e: unknown) => this.options.onError?.(e, 'save cache counts'));
  }

  private track(p: Promise<unknown>, what = 'save cache counts'): void {
    const t = p.catch((e: unknown) => this.options.onError?.(e, what));
    this.writes.add(t);
    void t.finally(() => this.writes.delete(t));
  }
}
