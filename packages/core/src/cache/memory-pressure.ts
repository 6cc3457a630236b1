/**
 * Memory pressure: when the process nears a heap or RSS threshold, the response cache evicts
 * its in-memory entries down to a floor (the persistent tier keeps them) and says so.
 */
import { getHeapStatistics } from 'node:v8';

/** What the process uses, in bytes. */
export interface MemorySample {
  rss: number;
  heapUsed: number;
}

/** When to evict, and down to what. */
export interface PressureOptions {
  /** Evict when the resident set size reaches this many bytes (off when undefined). */
  rssBytes?: number | undefined;
  /** Evict when the V8 heap in use reaches this many bytes (off when undefined). */
  heapBytes?: number | undefined;
  /** Bytes of entries kept in memory after a pressure eviction. */
  floorBytes: number;
  /** Reads the process's memory (tests inject one). Default `process.memoryUsage()`. */
  readMemory?: () => MemorySample;
}

/** What a pressure eviction did: the cache reports it as a notice and to `onPressure`. */
export interface PressureReport {
  /** Which threshold was crossed. */
  reason: 'rss' | 'heap';
  rssBytes: number;
  heapUsedBytes: number;
  /** The threshold that was crossed, in bytes. */
  thresholdBytes: number;
  /** Entries dropped from memory. */
  evicted: number;
  bytesBefore: number;
  bytesAfter: number;
  floorBytes: number;
}

/** The default heap threshold: 85 % of the V8 heap limit. */
export function defaultHeapThreshold(): number {
  return Math.floor(getHeapStatistics().heap_size_limit * 0.85);
}

function defaultReadMemory(): MemorySample {
  const m = process.memoryUsage();
  return { rss: m.rss, heapUsed: m.heapUsed };
}

/** Which threshold the process is over, if any. */
export function overThreshold(
  opts: PressureOptions,
): { reason: 'rss' | 'heap'; threshold: number; sample: MemorySample } | undefined {
  if (opts.rssBytes === undefined && opts.heapBytes === undefined) return undefined;
  const sample = (opts.readMemory ?? defaultReadMemory)();
  if (opts.rssBytes !== undefined && sample.rss >= opts.rssBytes) {
    return { reason: 'rss', threshold: opts.rssBytes, sample };
  }
  if (opts.heapBytes !== undefined && sample.heapUsed >= opts.heapBytes) {
    return { reason: 'heap', threshold: opts.heapBytes, sample };
  }
  return undefined;
}

/** One line saying what happened, for a notice or a log. */
export function describePressure(r: PressureReport): string {
  const mb = (n: number) => `${(n / 1048576).toFixed(1)} MB`;
  const used = r.reason === 'rss' ? `RSS ${mb(r.rssBytes)}` : `heap ${mb(r.heapUsedBytes)}`;
  return `memory pressure (${used} ≥ ${mb(r.thresholdBytes)}): the response cache dropped ${r.evicted} in-memory entr${r.evicted === 1 ? 'y' : 'ies'}, ${mb(r.bytesBefore)} → ${mb(r.bytesAfter)} (floor ${mb(r.floorBytes)}); they stay on disk`;
}
