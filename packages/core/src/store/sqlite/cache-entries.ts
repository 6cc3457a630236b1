/** Persisted response-cache entries in SQLite. */
import type { CacheEntryRepository } from '../conversation-store.js';
import type { CacheEntry, CacheSummary } from '../types.js';
import { count, guard, type SqliteContext } from './sqlite-util.js';

interface EntryRow {
  key: string;
  model: string;
  value: string;
  bytes: number;
  created_at: number;
  expires_at: number | null;
}

function entryFrom(r: EntryRow): CacheEntry {
  return {
    key: r.key,
    model: r.model,
    value: JSON.parse(r.value) as unknown,
    bytes: r.bytes,
    createdAt: r.created_at,
    expiresAt: r.expires_at,
  };
}

/** `CacheEntryRepository` over SQLite. */
export class SqliteCacheEntries implements CacheEntryRepository {
  constructor(private readonly ctx: SqliteContext) {}

  get(key: string, now: number = this.ctx.now()): Promise<CacheEntry | undefined> {
    return guard('read cache entry', () => {
      const row = this.ctx.db
        .prepare('SELECT * FROM cache_entries WHERE key = ? AND (expires_at IS NULL OR expires_at > ?)')
        .get(key, now) as EntryRow | undefined;
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
          `INSERT INTO cache_entries (key, model, value, bytes, created_at, expires_at)
           VALUES (@key, @model, @value, @bytes, @createdAt, @expiresAt)
           ON CONFLICT (key) DO UPDATE SET model = excluded.model, value = excluded.value,
             bytes = excluded.bytes, created_at = excluded.created_at, expires_at = excluded.expires_at`,
        )
        .run({ ...record, value: text });
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
