/**
 * `PostgresConversationStore`: the store several `parley serve` instances share. A `pg` pool
 * (loaded with a dynamic import on first use, so SQLite users never load it), every write
 * committed before its promise resolves, several rows of one turn in one transaction, and
 * search with `tsvector`. The schema is migrated explicitly (`parley migrate`); opening an
 * older or newer schema is refused with a `store_schema` error that says what to do.
 */
import type { Pool, PoolConfig } from 'pg';
import { ParleyError } from '../../errors.js';
import type { ConversationStore } from '../conversation-store.js';
import { StoreError } from '../store-errors.js';
import type { SearchHit, SearchOptions } from '../types.js';
import { PgAssistants } from './assistants.js';
import { PgCacheEntries } from './cache-entries.js';
import { PgCollections } from './collections.js';
import { PgConversations, PgMessages } from './conversations.js';
import { pgMigrate, pgSchemaVersion, type MigrationResult } from './migrate.js';
import {
  checkPostgresUrl,
  guard,
  inTransaction,
  pgCode,
  safeUrl,
  scrub,
  type PgContext,
  type Queryable,
} from './pg-context.js';
import { PgRequests } from './requests.js';
import { PG_SCHEMA_VERSION } from './schema.js';
import { searchMessages } from './search.js';
import { PgMemory, PgSessions } from './sessions.js';

/** Options of `PostgresConversationStore`. */
export interface PostgresStoreOptions {
  /** `postgres://user:password@host:port/database` (also `?sslmode=…` and the other libpq options pg knows). */
  url: string;
  /** Apply pending migrations when connecting (tests and `parley migrate`); default false. */
  migrate?: boolean;
  /** Most connections of this process (default 10). */
  poolSize?: number;
  /** Milliseconds to wait for a connection (default 5000). */
  connectTimeoutMs?: number;
  /** The clock for record times (tests). Default `Date.now`. */
  now?: () => number;
}

/** Every method of a repository runs through `guard`, so driver errors become `StoreError`s. */
function guarded<T extends object>(name: string, repo: T, password: string): T {
  return new Proxy(repo, {
    get(target, prop, receiver) {
      const value = Reflect.get(target, prop, receiver) as unknown;
      if (typeof value !== 'function') return value;
      return (...args: unknown[]) =>
        guard(
          `${name} ${String(prop)}`,
          () => (value as (...a: unknown[]) => Promise<unknown>).apply(target, args),
          password,
        );
    },
  });
}

/** The `ConversationStore` over a PostgreSQL database. */
export class PostgresConversationStore implements ConversationStore {
  readonly kind = 'postgres';
  readonly conversations: PgConversations;
  readonly messages: PgMessages;
  readonly sessions: PgSessions;
  readonly memory: PgMemory;
  readonly cache: PgCacheEntries;
  readonly requests: PgRequests;
  readonly assistants: PgAssistants;
  /** Not supported on PostgreSQL yet: every call rejects with `UnsupportedError`. */
  readonly collections = new PgCollections();
  /** The URL with its password hidden. */
  readonly displayUrl: string;
  /** What the migrations did when this store connected (with `migrate: true`). */
  migration: MigrationResult | undefined;
  private readonly ctx: PgContext;
  private readonly password: string;
  private connecting: Promise<Pool> | undefined;
  private poolHandle: Pool | undefined;
  private closed = false;

  /** A store that connects on first use; throws `StoreError` at once for a URL that is not postgres://. */
  constructor(private readonly opts: PostgresStoreOptions) {
    const u = checkPostgresUrl(opts.url);
    this.password = u.password;
    this.displayUrl = safeUrl(opts.url);
    this.ctx = {
      pool: () => this.connected() as Promise<Queryable>,
      tx: async (fn) => inTransaction(await this.connected(), fn),
      now: opts.now ?? Date.now,
    };
    this.conversations = guarded('conversations', new PgConversations(this.ctx), this.password);
    this.messages = guarded('messages', new PgMessages(this.ctx), this.password);
    this.sessions = guarded('sessions', new PgSessions(this.ctx), this.password);
    this.memory = guarded('memory', new PgMemory(this.ctx), this.password);
    this.cache = guarded('cache', new PgCacheEntries(this.ctx), this.password);
    this.requests = guarded('requests', new PgRequests(this.ctx), this.password);
    this.assistants = guarded('assistants', new PgAssistants(this.ctx), this.password);
  }

  /** Connect and check (or, with `migrate`, bring up) the schema. */
  static async open(opts: PostgresStoreOptions): Promise<PostgresConversationStore> {
    const store = new PostgresConversationStore(opts);
    try {
      await store.ready();
    } catch (e) {
      await store.close();
      throw e;
    }
    return store;
  }

  /** Resolves once connected with a current schema; rejects with the reason otherwise. */
  async ready(): Promise<void> {
    await this.connected();
  }

  /** The applied schema version and the one this parley writes. */
  async schemaVersion(): Promise<{ current: number; latest: number }> {
    const pool = await this.rawPool();
    return guard(
      'read schema version',
      async () => ({
        current: await pgSchemaVersion(pool),
        latest: PG_SCHEMA_VERSION,
      }),
      this.password,
    );
  }

  /** Apply every pending migration (`parley migrate`); refuses a newer schema. */
  async migrate(): Promise<MigrationResult> {
    const pool = await this.rawPool();
    const result = await guard(
      'migrate',
      () => pgMigrate((fn) => inTransaction(pool, fn), { now: this.ctx.now }),
      this.password,
    );
    if (result.from > PG_SCHEMA_VERSION) throw this.tooNew(result.from);
    return result;
  }

  search(query: string, opts?: SearchOptions): Promise<SearchHit[]> {
    return guard('search', () => searchMessages(this.ctx, query, opts), this.password);
  }

  async close(): Promise<void> {
    this.closed = true;
    const pool = this.poolHandle;
    this.poolHandle = undefined;
    this.connecting = undefined;
    if (pool && !pool.ended) await pool.end().catch(() => undefined);
  }

  private connected(): Promise<Pool> {
    if (this.closed) return Promise.reject(new StoreError('store', 'the store is closed'));
    this.connecting ??= this.connect().catch((e: unknown) => {
      this.connecting = undefined;
      throw e;
    });
    return this.connecting;
  }

  private tooNew(version: number): StoreError {
    return new StoreError(
      'store_schema',
      `the database ${this.displayUrl} has schema version ${version}, newer than this parley knows (${PG_SCHEMA_VERSION}); ` +
        'upgrade parley, or point store.url at another database',
    );
  }

  private async connect(): Promise<Pool> {
    const pool = await this.rawPool();
    try {
      if (this.opts.migrate) this.migration = await this.migrate();
      const version = await guard('read schema version', () => pgSchemaVersion(pool), this.password);
      if (version > PG_SCHEMA_VERSION) throw this.tooNew(version);
      if (version < PG_SCHEMA_VERSION) {
        throw new StoreError(
          'store_schema',
          `the database ${this.displayUrl} has schema version ${version}, older than this parley's (${PG_SCHEMA_VERSION}); ` +
            'run `parley migrate` to upgrade it (every instance on this database needs the new parley)',
        );
      }
      return pool;
    } catch (e) {
      this.poolHandle = undefined;
      await pool.end().catch(() => undefined);
      throw e;
    }
  }

  /** The pool, connected once, with no schema check (for migrations). */
  private async rawPool(): Promise<Pool> {
    if (this.closed) throw new StoreError('store', 'the store is closed');
    if (this.poolHandle) return this.poolHandle;
    const { default: pg } = await import('pg');
    const int8 = (v: string): number => Number(v);
    const config: PoolConfig = {
      connectionString: this.opts.url,
      max: this.opts.poolSize ?? 10,
      connectionTimeoutMillis: this.opts.connectTimeoutMs ?? 5000,
      application_name: 'parley',
      types: {
        getTypeParser: ((oid: number, format?: 'text' | 'binary') =>
          oid === 20 ? int8 : pg.types.getTypeParser(oid, format)) as typeof pg.types.getTypeParser,
      },
    };
    const pool = new pg.Pool(config);
    // An idle connection the server closes (a restart) must not end the process.
    pool.on('error', () => undefined);
    try {
      const client = await pool.connect();
      client.release();
    } catch (e) {
      await pool.end().catch(() => undefined);
      throw this.connectError(e);
    }
    if (this.closed) {
      await pool.end().catch(() => undefined);
      throw new StoreError('store', 'the store is closed');
    }
    this.poolHandle = pool;
    return pool;
  }

  private connectError(e: unknown): ParleyError {
    if (ParleyError.is(e)) return e;
    const code = pgCode(e) ?? (e as { code?: string } | null)?.code;
    const raw = scrub(e instanceof Error ? e.message : String(e), this.password);
    const why =
      code === 'ECONNREFUSED'
        ? 'connection refused (is the server running, and on that port?)'
        : code === 'ENOTFOUND' || code === 'EAI_AGAIN'
          ? 'unknown host'
          : code === '28P01' || code === '28000'
            ? `authentication failed (${raw})`
            : code === '3D000'
              ? `the database does not exist (${raw})`
              : raw || 'no answer';
    return new StoreError('store', `cannot connect to the PostgreSQL database ${this.displayUrl}: ${why}`, {
      cause: e,
    });
  }
}
