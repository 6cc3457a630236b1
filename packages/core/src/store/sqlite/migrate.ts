/**
 * Versioned migrations: the `schema_migrations` table records every applied version. Opening
 * a database whose schema is newer than this parley knows is refused, so an old parley never
 * writes into a schema it does not understand.
 */
import type { Database } from 'better-sqlite3';
import { StoreError } from '../store-errors.js';
import { MIGRATIONS, type Migration } from './schema.js';

/** What `migrate` did. */
export interface MigrationResult {
  /** The version found (0 for an empty database). */
  from: number;
  /** The version now. */
  to: number;
  applied: number[];
}

/** The applied schema version of an open database (0 when none). */
export function schemaVersion(db: Database): number {
  const table = db
    .prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'schema_migrations'")
    .get();
  if (!table) return 0;
  const row = db.prepare('SELECT max(version) AS v FROM schema_migrations').get() as { v: number | null };
  return row.v ?? 0;
}

/**
 * Bring the database up to `target` (default: the newest migration), each migration in the
 * same write transaction as its record, so a crash leaves either version. Another process
 * migrating at the same time waits for the lock (the busy timeout) and then finds nothing left.
 */
export function migrate(
  db: Database,
  opts: { target?: number; migrations?: readonly Migration[]; file?: string; now?: () => number } = {},
): MigrationResult {
  const migrations = opts.migrations ?? MIGRATIONS;
  const newest = migrations[migrations.length - 1]?.version ?? 0;
  const target = opts.target ?? newest;
  const now = opts.now ?? Date.now;
  const run = db.transaction((): MigrationResult => {
    db.exec(`CREATE TABLE IF NOT EXISTS schema_migrations (
      version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at INTEGER NOT NULL)`);
    const from = schemaVersion(db);
    if (from > newest) {
      throw new StoreError(
        'store_schema',
        `the database${opts.file ? ` ${opts.file}` : ''} has schema version ${from}, newer than this parley knows (${newest}); ` +
          'upgrade parley, or point it at another database (PARLEY_HOME or store.path)',
      );
    }
    const applied: number[] = [];
    const record = db.prepare('INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)');
    for (const m of migrations) {
      if (m.version <= from || m.version > target) continue;
      db.exec(m.up);
      record.run(m.version, m.name, now());
      applied.push(m.version);
    }
    return { from, to: Math.max(from, ...applied), applied };
  });
  return run.immediate();
}
