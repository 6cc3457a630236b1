/**
 * Versioned migrations of the PostgreSQL store, recorded in `schema_migrations`. Unlike the
 * local SQLite file, a shared database is migrated only when asked (`parley migrate`): an
 * instance that finds an older schema refuses to start rather than change the schema under
 * the other instances, and one that finds a newer schema refuses too.
 */
import type { MigrationResult } from '../sqlite/migrate.js';
import { PG_MIGRATIONS, type Migration } from './schema.js';
import type { Queryable } from './pg-context.js';

export type { MigrationResult };

/** The advisory lock that makes two `parley migrate` runs take turns. */
const MIGRATE_LOCK = 0x6d696772; // "migr"

/** The applied schema version (0 for a database parley never migrated). */
export async function pgSchemaVersion(q: Queryable): Promise<number> {
  const t = await q.query<{ t: string | null }>("SELECT to_regclass('schema_migrations')::text AS t");
  if (!t.rows[0]?.t) return 0;
  const { rows } = await q.query<{ v: number | null }>('SELECT max(version) AS v FROM schema_migrations');
  return rows[0]?.v ?? 0;
}

/**
 * Bring the schema up to `target` (default: the newest migration) in one transaction, under
 * an advisory lock, so a failure leaves the old version and a concurrent run finds nothing left.
 */
export async function pgMigrate(
  tx: <T>(fn: (q: Queryable) => Promise<T>) => Promise<T>,
  opts: { target?: number; migrations?: readonly Migration[]; now?: () => number } = {},
): Promise<MigrationResult> {
  const migrations = opts.migrations ?? PG_MIGRATIONS;
  const newest = migrations[migrations.length - 1]?.version ?? 0;
  const target = opts.target ?? newest;
  const now = opts.now ?? Date.now;
  return tx(async (q) => {
    await q.query('SELECT pg_advisory_xact_lock($1)', [MIGRATE_LOCK]);
    await q.query(`CREATE TABLE IF NOT EXISTS schema_migrations (
      version integer PRIMARY KEY, name text NOT NULL, applied_at bigint NOT NULL)`);
    const from = await pgSchemaVersion(q);
    const applied: number[] = [];
    if (from > newest) return { from, to: from, applied };
    for (const m of migrations) {
      if (m.version <= from || m.version > target) continue;
      await q.query(m.up);
      await q.query('INSERT INTO schema_migrations (version, name, applied_at) VALUES ($1, $2, $3)', [
        m.version,
        m.name,
        now(),
      ]);
      applied.push(m.version);
    }
    return { from, to: Math.max(from, ...applied), applied };
  });
}
