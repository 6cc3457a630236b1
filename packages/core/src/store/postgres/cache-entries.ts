/** Persisted response-cache entries in PostgreSQL, shared by every instance on the database. */
import { entryFrom, type EntryRow } from '../rows.js';
import type { CacheEntryRepository } from '../conversation-store.js';
import type { CacheCounts, CacheEntry, CacheSummary } from '../types.js';
import { limitOf, type PgContext } from './pg-context.js';

const ENTRY_COLUMNS = 'key, model, value, bytes, created_at, expires_at';
/** The advisory lock that makes two instances' trims take turns. */
const TRIM_LOCK = 0x7061726c; // "parl"

/** `CacheEntryRepository` over PostgreSQL. */
export class PgCacheEntries implements CacheEntryRepository {
  constructor(private readonly ctx: PgContext) {}

  async get(key: string, now: number = this.ctx.now()): Promise<CacheEntry | undefined> {
    const q = await this.ctx.pool();
    // One statement: the lookup and the last use.
    const { rows } = await q.query<EntryRow>(
      `UPDATE cache_entries SET used_at = $2 WHERE key = $1 AND (expires_at IS NULL OR expires_at > $2)
       RETURNING ${ENTRY_COLUMNS}`,
      [key, now],
    );
    return rows[0] && entryFrom(rows[0]);
  }

  async put(entry: Parameters<CacheEntryRepository['put']>[0]): Promise<CacheEntry> {
    const text = JSON.stringify(entry.value);
    if (text === undefined) throw new TypeError('a cache value must be JSON (not undefined or a function)');
    const record: CacheEntry = {
      key: entry.key,
      model: entry.model,
      value: JSON.parse(text) as unknown,
      bytes: entry.bytes ?? Buffer.byteLength(text),
      createdAt: entry.createdAt ?? this.ctx.now(),
      expiresAt: entry.expiresAt ?? null,
    };
    const q = await this.ctx.pool();
    await q.query(
      `INSERT INTO cache_entries (key, model, value, bytes, created_at, expires_at, used_at)
       VALUES ($1, $2, $3, $4, $5, $6, $5)
       ON CONFLICT (key) DO UPDATE SET model = excluded.model, value = excluded.value,
         bytes = excluded.bytes, created_at = excluded.created_at, expires_at = excluded.expires_at,
         used_at = excluded.used_at`,
      [record.key, record.model, text, record.bytes, record.createdAt, record.expiresAt],
    );
    return record;
  }

  async delete(key: string): Promise<boolean> {
    const q = await this.ctx.pool();
    return ((await q.query('DELETE FROM cache_entries WHERE key = $1', [key])).rowCount ?? 0) > 0;
  }

  async deleteByModel(model: string): Promise<number> {
    const q = await this.ctx.pool();
    return (await q.query('DELETE FROM cache_entries WHERE model = $1', [model])).rowCount ?? 0;
  }

  async clear(): Promise<number> {
    const q = await this.ctx.pool();
    return (await q.query('DELETE FROM cache_entries')).rowCount ?? 0;
  }

  async list(
    opts: { model?: string; limit?: number; includeExpired?: boolean; now?: number } = {},
  ): Promise<CacheEntry[]> {
    const q = await this.ctx.pool();
    const { rows } = await q.query<EntryRow>(
      `SELECT ${ENTRY_COLUMNS} FROM cache_entries
       WHERE ($1::text IS NULL OR model = $1) AND ($2 OR expires_at IS NULL OR expires_at > $3)
       ORDER BY created_at DESC, key COLLATE "C" LIMIT $4`,
      [
        opts.model ?? null,
        opts.includeExpired === true,
        opts.now ?? this.ctx.now(),
        limitOf(opts.limit, null),
      ],
    );
    return rows.map(entryFrom);
  }

  async purgeExpired(now: number = this.ctx.now()): Promise<number> {
    const q = await this.ctx.pool();
    const r = await q.query('DELETE FROM cache_entries WHERE expires_at IS NOT NULL AND expires_at <= $1', [
      now,
    ]);
    return r.rowCount ?? 0;
  }

  trim(maxBytes: number): Promise<{ entries: number; bytes: number }> {
    return this.ctx.tx(async (q) => {
      await q.query('SELECT pg_advisory_xact_lock($1)', [TRIM_LOCK]);
      const total = await q.query<{ n: number }>(
        'SELECT coalesce(sum(bytes), 0)::bigint AS n FROM cache_entries',
      );
      const over = (total.rows[0]?.n ?? 0) - Math.max(0, maxBytes);
      if (over <= 0) return { entries: 0, bytes: 0 };
      // The least recently used go until what went covers the excess.
      const { rows } = await q.query<{ entries: number; bytes: number }>(
        `WITH ranked AS (
           SELECT key, bytes, sum(bytes) OVER (ORDER BY coalesce(used_at, created_at), key COLLATE "C"
             ROWS UNBOUNDED PRECEDING) - bytes AS before FROM cache_entries),
         gone AS (DELETE FROM cache_entries c USING ranked r WHERE c.key = r.key AND r.before < $1
           RETURNING c.bytes)
         SELECT count(*) AS entries, coalesce(sum(bytes), 0)::bigint AS bytes FROM gone`,
        [over],
      );
      return { entries: rows[0]?.entries ?? 0, bytes: rows[0]?.bytes ?? 0 };
    });
  }

  async counters(): Promise<CacheCounts[]> {
    const q = await this.ctx.pool();
    const { rows } = await q.query<CacheCounts>(
      'SELECT model, hits, misses FROM cache_counters ORDER BY model COLLATE "C"',
    );
    return rows;
  }

  addCounters(delta: readonly CacheCounts[]): Promise<void> {
    const n = (x: number) => (Number.isFinite(x) && x > 0 ? Math.floor(x) : 0);
    const now = this.ctx.now();
    return this.ctx.tx(async (q) => {
      for (const d of delta) {
        // Increments, not overwrites: every instance adds its own counts.
        await q.query(
          `INSERT INTO cache_counters (model, hits, misses, updated_at) VALUES ($1, $2, $3, $4)
           ON CONFLICT (model) DO UPDATE SET hits = cache_counters.hits + excluded.hits,
             misses = cache_counters.misses + excluded.misses, updated_at = excluded.updated_at`,
          [d.model, n(d.hits), n(d.misses), now],
        );
      }
    });
  }

  async resetCounters(model?: string): Promise<void> {
    const q = await this.ctx.pool();
    if (model === undefined) await q.query('DELETE FROM cache_counters');
    else await q.query('DELETE FROM cache_counters WHERE model = $1', [model]);
  }

  async summary(): Promise<CacheSummary[]> {
    const q = await this.ctx.pool();
    const { rows } = await q.query<CacheSummary>(
      `SELECT model, count(*) AS entries, coalesce(sum(bytes), 0)::bigint AS bytes
       FROM cache_entries GROUP BY model ORDER BY model COLLATE "C"`,
    );
    return rows;
  }
}
