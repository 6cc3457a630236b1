/** Small helpers shared by the SQLite repositories: JSON columns and error mapping. */
import { statfsSync } from 'node:fs';
import type { Database } from 'better-sqlite3';
import { ParleyError } from '../../errors.js';
import { StoreError } from '../store-errors.js';

export { defined, fromJson, toJson } from '../rows.js';

/** What every SQLite repository works with. */
export interface SqliteContext {
  db: Database;
  now: () => number;
}

/** The SQLite error code (`SQLITE_CONSTRAINT_UNIQUE`, …) of a thrown value, if it has one. */
export function sqliteCode(e: unknown): string | undefined {
  return e instanceof Error && e.name === 'SqliteError' ? (e as Error & { code: string }).code : undefined;
}

/**
 * Run one store operation: parley errors pass through; SQLite and driver errors become a
 * `StoreError` that says what failed.
 */
export function guard<T>(what: string, fn: () => T): Promise<T> {
  try {
    return Promise.resolve(fn());
  } catch (e) {
    if (ParleyError.is(e)) return Promise.reject(e);
    const msg =
      sqliteCode(e) === 'SQLITE_FULL'
        ? 'the disk is full (nothing was written; free some space and try again)'
        : e instanceof Error
          ? e.message
          : String(e);
    const closed = /not open/i.test(msg);
    return Promise.reject(
      new StoreError('store', closed ? `${what}: the store is closed` : `${what}: ${msg}`, { cause: e }),
    );
  }
}

/** A whole number ≥ 0 for LIMIT and OFFSET, or the default. */
export function count(n: number | undefined, fallback: number): number {
  return n === undefined || !Number.isFinite(n) || n < 0 ? fallback : Math.floor(n);
}

/**
 * Why a write may have failed, when the disk under `dir` is (nearly) full: SQLite reports a
 * full disk at open as a plain "disk I/O error".
 */
export function diskFullHint(dir: string): string {
  try {
    const s = statfsSync(dir);
    const free = s.bavail * s.bsize;
    return free < 256 * 1024 ? `; the disk holding it is full (${free} bytes free)` : '';
  } catch {
    return '';
  }
}
