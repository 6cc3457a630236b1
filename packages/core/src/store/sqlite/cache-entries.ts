/** Persisted response-cache entries in SQLite. */
import { entryFrom, type EntryRow } from '../rows.js';
import type { CacheEntryRepository } from '../conversation-store.js';
import type { CacheCounts, CacheEntry, CacheSummary } from '../types.js';
import { count, guard, type SqliteContext } from './sqlite-util.js';

/** `CacheEntryRepository` over SQLite. */
export class SqliteCacheEntries implements CacheEntryRepository {
  constructor(private readonly ctx: SqliteContext) {}

  get(key: string, now: number = this.ctx.now()): Promise<CacheEntry | undefined> {
    return guard('read cache entry', () => {
      const row = this.ctx.db
        .prepare('SELECT * FROM cache_entries WHERE key = ? AND (expires_at IS NULL OR expires_at > ?)')
        .get(key, now) as EntryRow | undefined;
      if (row) this.ctx.db.prepare('UPDATE cache_entries SET used_at = ? WHERE key = ?').run(now, key);
      return row && entryFrom(row);
    });
  }

  put(entry: Parameters<CacheEntryRepository['put']>[0]): Promise<CacheEntry> {
    return guard('write cache entry', () => {
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
      this.ctx.db
        .prepare(
          `INSERT INTO cache_entries (key, model, value, bytes, created_at, expires_at, used_at)
           VALUES (@key, @model, @value, @bytes, @createdAt, @expiresAt, @usedAt)
           ON CONFLICT (key) DO UPDATE SET model = excluded.model, value = excluded.value,
             bytes = excluded.bytes, created_at = excluded.created_at, expires_at = excluded.expires_at,
             used_at = excluded.used_at`,
        )
        .run({ ...record, value: text, usedAt: record.createdAt });
      return record;
    });
  }

  delete(key: string): Promise<boolean> {
    return guard('delete cache entry', () => {
      return this.ctx.db.prepare('DELETE FROM cache_entries WHERE key = ?').run(key).changes > 0;
    });
  }

  deleteByModel(model: string): Promise<number> {
    return guard('delete cache entries', () => {
      return this.ctx.db.prepare('DELETE FROM cache_entries WHERE model = ?').run(model).changes;
    });
  }

  clear(): Promise<number> {
    return guard('clear cache entries', () => this.ctx.db.prepare('DELETE FROM cache_entries').run().changes);
  }

  list(
    opts: { model?: string; limit?: number; includeExpired?: boolean; now?: number } = {},
  ): Promise<CacheEntry[]> {
    return guard('list cache entries', () => {
      const rows = this.ctx.db
        .prepare(
          `SELECT * FROM cache_entries
           WHERE (@model IS NULL OR model = @model)
             AND (@all = 1 OR expires_at IS NULL OR expires_at > @now)
           ORDER BY created_at DESC, key LIMIT @limit`,
        )
        .all({
          model: opts.model ?? null,
          all: opts.includeExpired ? 1 : 0,
          now: opts.now ?? this.ctx.now(),
          limit: count(opts.limit, -1),
        }) as EntryRow[];
      return rows.map(entryFrom);
    });
  }

  purgeExpired(now: number = this.ctx.now()): Promise<number> {
    return guard('purge cache entries', () => {
      return this.ctx.db
        .prepare('DELETE FROM cache_entries WHERE expires_at IS NOT NULL AND expires_at <= ?')
        .run(now).changes;
    });
  }

  trim(maxBytes: number): Promise<{ entries: number; bytes: number }> {
    return guard('trim cache entries', () => {
      const db = this.ctx.db;
      return db.transaction(() => {
        const total = (
          db.prepare('SELECT coalesce(sum(bytes), 0) AS n FROM cache_entries').get() as { n: number }
        ).n;
        let over = total - Math.max(0, maxBytes);
        const gone = { entries: 0, bytes: 0 };
        if (over <= 0) return gone;
        const oldest = db
          .prepare('SELECT key, bytes FROM cache_entries ORDER BY coalesce(used_at, created_at), key')
          .iterate() as IterableIterator<{ key: string; bytes: number }>;
        const del = db.prepare('DELETE FROM cache_entries WHERE key = ?');
        const doomed: { key: string; bytes: number }[] = [];
        for (const row of oldest) {
          if (over <= 0) break;
          doomed.push(row);
          over -= row.bytes;
        }
        for (const row of doomed) {
          del.run(row.key);
          gone.entries++;
          gone.bytes += row.bytes;
        }
        return gone;
      })();
    });
  }

  counters(): Promise<CacheCounts[]> {
    return guard('read cache counts', () => {
      return this.ctx.db
        .prepare('SELECT model, hits, misses FROM cache_counters ORDER BY model')
        .all() as CacheCounts[];
    });
  }

  addCounters(delta: readonly CacheCounts[]): Promise<void> {
    return guard('save cache counts', () => {
      const add = this.ctx.db.prepare(
        `INSERT INTO cache_counters (model, hits, misses, updated_at) VALUES (@model, @hits, @misses, @now)
         ON CONFLICT (model) DO UPDATE SET hits = hits + excluded.hits, misses = misses + excluded.misses,
           updated_at = excluded.updated_at`,
      );
      const now = this.ctx.now();
      this.ctx.db.transaction(() => {
        for (const d of delta) {
          const n = (x: number) => (Number.isFinite(x) && x > 0 ? Math.floor(x) : 0);
          add.run({ model: d.model, hits: n(d.hits), misses: n(d.misses), now });
        }
      })();
    });
  }

  resetCounters(model?: string): Promise<void> {
    return guard('reset cache counts', () => {
      if (model === undefined) this.ctx.db.prepare('DELETE FROM cache_counters').run();
      else this.ctx.db.prepare('DELETE FROM cache_counters WHERE model = ?').run(model);
    });
  }

  summary(): Promise<CacheSummary[]> {
    return guard('summarise cache entries', () => {
      return this.ctx.db
        .prepare(
          `SELECT model, count(*) AS entries, coalesce(sum(bytes), 0) AS bytes
           FROM cache_entries GROUP BY model ORDER BY model`,
        )
        .all() as CacheSummary[];
    });
  }
}
