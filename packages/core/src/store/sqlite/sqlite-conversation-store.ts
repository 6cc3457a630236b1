/**
 * `SqliteConversationStore`: the default store, one SQLite file through better-sqlite3. WAL
 * (readers never block the writer), foreign keys on, a busy timeout so several parley
 * processes can share the file, and versioned migrations on open.
 */
import { chmodSync, existsSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import type { ConversationStore } from '../conversation-store.js';
import { StoreError } from '../store-errors.js';
import type { SearchHit, SearchOptions } from '../types.js';
import { SqliteAssistants } from './assistants.js';
import { SqliteCacheEntries } from './cache-entries.js';
import { SqliteCollections } from './collections.js';
import { SqliteConversations, SqliteMessages } from './conversations.js';
import { migrate, type MigrationResult } from './migrate.js';
import { SqliteRequests } from './requests.js';
import { searchMessages } from './search.js';
import { SqliteMemory, SqliteSessions } from './sessions.js';
import { diskFullHint, sqliteCode, type SqliteContext } from './sqlite-util.js';

/** The page cache of the one connection, in KiB, unless `store.cache_mb` says otherwise. */
export const PAGE_CACHE_KIB = 2048;

/** Options of `SqliteConversationStore.open`. */
export interface SqliteStoreOptions {
  /** The database file (created with its folder when missing), or `:memory:`. */
  path: string;
  /** Milliseconds to wait for another process's write lock (default 5000). */
  busyTimeoutMs?: number;
  /** SQLite's page cache, in KiB (default `PAGE_CACHE_KIB`). */
  cacheKib?: number;
  /** The clock for record times (tests). Default `Date.now`. */
  now?: () => number;
}

/** The `ConversationStore` over one SQLite file. */
export class SqliteConversationStore implements ConversationStore {
  readonly kind = 'sqlite';
  readonly conversations: SqliteConversations;
  readonly messages: SqliteMessages;
  readonly sessions: SqliteSessions;
  readonly memory: SqliteMemory;
  readonly cache: SqliteCacheEntries;
  readonly requests: SqliteRequests;
  readonly assistants: SqliteAssistants;
  readonly collections: SqliteCollections;
  /** What the migrations did when this store opened. */
  readonly migration: MigrationResult;
  private readonly ctx: SqliteContext;

  private constructor(
    readonly file: string,
    readonly db: Database.Database,
    now: () => number,
  ) {
    this.ctx = { db, now };
    this.migration = migrate(db, { file, now });
    this.conversations = new SqliteConversations(this.ctx);
    this.messages = new SqliteMessages(this.ctx);
    this.sessions = new SqliteSessions(this.ctx);
    this.memory = new SqliteMemory(this.ctx);
    this.cache = new SqliteCacheEntries(this.ctx);
    this.requests = new SqliteRequests(this.ctx);
    this.assistants = new SqliteAssistants(this.ctx);
    this.collections = new SqliteCollections(this.ctx);
  }

  /**
   * Open (or create) the database and migrate it. Throws `StoreError` when the file is not a
   * database, cannot be opened, or has a newer schema than this parley knows.
   */
  static open(opts: SqliteStoreOptions): SqliteConversationStore {
    const memory = opts.path === ':memory:';
    const file = memory ? opts.path : path.resolve(opts.path);
    let db: Database.Database | undefined;
    try {
      const fresh = !memory && !existsSync(file);
      if (!memory) mkdirSync(path.dirname(file), { recursive: true });
      db = new Database(file);
      // History is private: a new database file is readable by its owner only.
      if (fresh) chmodSync(file, 0o600);
      db.pragma(`busy_timeout = ${Math.max(0, Math.floor(opts.busyTimeoutMs ?? 5000))}`);
      db.pragma('journal_mode = WAL');
      // In WAL mode, NORMAL is durable against a crash of the process (not of the machine).
      db.pragma('synchronous = NORMAL');
      db.pragma('foreign_keys = ON');
      // better-sqlite3 builds SQLite with a 16 MiB page cache, which showed as a server whose
      // memory grew with the history (docs/SECURITY.md, the soak). 2 MiB keeps turns as fast
      // (docs/PERFORMANCE.md); `store.cache_mb` buys faster search on a large history.
      db.pragma(`cache_size = -${Math.max(64, Math.floor(opts.cacheKib ?? PAGE_CACHE_KIB))}`);
      return new SqliteConversationStore(file, db, opts.now ?? Date.now);
    } catch (e) {
      db?.close();
      if (e instanceof StoreError) throw e;
      const code = sqliteCode(e);
      const why =
        code === 'SQLITE_NOTADB' || code === 'SQLITE_CORRUPT'
          ? 'the file is not a parley database, or it is damaged'
          : e instanceof Error
            ? e.message
            : String(e);
      const hint = memory ? '' : diskFullHint(path.dirname(file));
      throw new StoreError('store', `cannot open the database ${file}: ${why}${hint}`, { cause: e });
    }
  }

  search(query: string, opts?: SearchOptions): Promise<SearchHit[]> {
    return searchMessages(this.ctx, query, opts);
  }

  /** `PRAGMA integrity_check` plus the search index's own check; `['ok']` when sound. */
  integrityCheck(): string[] {
    const rows = this.db.pragma('integrity_check', { simple: false }) as { integrity_check: string }[];
    const result = rows.map((r) => r.integrity_check);
    try {
      this.db.exec("INSERT INTO messages_fts (messages_fts) VALUES ('integrity-check')");
    } catch (e) {
      result.push(`search index: ${(e as Error).message}`);
      return result.filter((r) => r !== 'ok');
    }
    return result;
  }

  close(): Promise<void> {
    if (this.db.open) this.db.close();
    return Promise.resolve();
  }
}
