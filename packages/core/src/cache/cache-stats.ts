/** Response-cache stats: hits, misses, hit ratio, entries and bytes, per model and in total. */
import type { CacheCounts, CacheModelSummary } from './backing-store.js';
import type { PressureReport } from './memory-pressure.js';

/** Stats of one model (or of all, as `total`, whose model is `*`). */
export interface CacheModelStats {
  model: string;
  hits: number;
  misses: number;
  /** hits / (hits + misses); null before the first lookup. */
  hitRatio: number | null;
  /** Entries and bytes stored (in the persistent tier when there is one, else in memory). */
  entries: number;
  bytes: number;
  memoryEntries: number;
  memoryBytes: number;
}

/** What `ResponseCacheStore.stats()` reports. */
export interface CacheStats {
  models: CacheModelStats[];
  total: CacheModelStats;
  /** Byte budget of the in-memory tier. */
  maxBytes: number;
  /** True when answers outlive the process. */
  persistent: boolean;
  /** The last pressure eviction of this process, if any. */
  lastPressure: PressureReport | undefined;
}

const SUMMED = ['hits', 'misses', 'entries', 'bytes', 'memoryEntries', 'memoryBytes'] as const;

function emptyStats(model: string): CacheModelStats {
  return {
    model,
    hits: 0,
    misses: 0,
    hitRatio: null,
    entries: 0,
    bytes: 0,
    memoryEntries: 0,
    memoryBytes: 0,
  };
}

function ratio(r: CacheModelStats): number | null {
  const n = r.hits + r.misses;
  return n === 0 ? null : r.hits / n;
}

/**
 * Combine what is in memory, what is stored (undefined without a persistent tier) and the
 * hit/miss counts into per-model rows (sorted by model) and a total.
 */
export function summarise(
  memory: readonly { model: string; bytes: number }[],
  stored: readonly CacheModelSummary[] | undefined,
  counts: readonly CacheCounts[],
): Pick<CacheStats, 'models' | 'total'> {
  const rows = new Map<string, CacheModelStats>();
  const row = (model: string): CacheModelStats => {
    let r = rows.get(model);
    if (!r) rows.set(model, (r = emptyStats(model)));
    return r;
  };
  for (const m of memory) {
    const r = row(m.model);
    r.memoryEntries++;
    r.memoryBytes += m.bytes;
  }
  if (stored) {
    for (const s of stored) Object.assign(row(s.model), { entries: s.entries, bytes: s.bytes });
  } else {
    for (const r of rows.values()) Object.assign(r, { entries: r.memoryEntries, bytes: r.memoryBytes });
  }
  for (const c of counts) {
    row(c.model).hits += c.hits;
    row(c.model).misses += c.misses;
  }
  const models = [...rows.values()].sort((a, b) => (a.model < b.model ? -1 : a.model > b.model ? 1 : 0));
  const total = emptyStats('*');
  for (const r of models) {
    r.hitRatio = ratio(r);
    for (const k of SUMMED) total[k] += r[k];
  }
  total.hitRatio = ratio(total);
  return { models, total };
}
