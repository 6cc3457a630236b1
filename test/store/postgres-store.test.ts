/**
 * The store conformance suite on a real PostgreSQL cluster (started for this file, stopped at
 * its end), then what only PostgreSQL has: explicit migrations, refusing an older or newer
 * schema, clear errors for a bad URL, an unreachable server or a wrong password (never showing
 * the password), and two stores on one database.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { exitCodeFor, ParleyError } from '../../packages/core/src/errors.js';
import { PostgresConversationStore } from '../../packages/core/src/store/postgres/postgres-conversation-store.js';
import { PG_MIGRATIONS, PG_SCHEMA_VERSION } from '../../packages/core/src/store/postgres/schema.js';
import { pgMigrate } from '../../packages/core/src/store/postgres/migrate.js';
import { StoreError } from '../../packages/core/src/store/store-errors.js';
import { POSTGRES_SKIP_REASON, startPostgres, type PgCluster } from '../helpers/postgres.js';
import { runStoreConformance } from './store.conformance.case.js';

if (POSTGRES_SKIP_REASON) console.warn(`skipping the PostgreSQL store tests: ${POSTGRES_SKIP_REASON}`);

describe.skipIf(POSTGRES_SKIP_REASON !== undefined)('the PostgreSQL store', () => {
  let cluster: PgCluster;
  /** A migrated, empty database each store is copied from (faster than migrating each). */
  const TEMPLATE = 'parley_template';

  beforeAll(async () => {
    cluster = await startPostgres();
    await cluster.sql('postgres', `CREATE DATABASE ${TEMPLATE}`);
    const s = await PostgresConversationStore.open({ url: cluster.url(TEMPLATE), migrate: true });
    await s.close();
  }, 120_000);
  afterAll(async () => cluster?.stop());

  runStoreConformance({
    name: 'postgres',
    collections: false,
    open: async (now) => PostgresConversationStore.open({ url: await cluster.createDatabase(TEMPLATE), now }),
  });

  const failure = async (p: Promise<unknown>): Promise<Error> => {
    const e = await p.then(
      () => undefined,
      (x: unknown) => x,
    );
    expect(e).toBeInstanceOf(Error);
    return e as Error;
  };

  describe('migrations', () => {
    it('build an empty database up to the current version once, recorded in schema_migrations', async () => {
      const url = await cluster.createDatabase();
      const s = await PostgresConversationStore.open({ url, migrate: true });
      expect(s.migration).toEqual({
        from: 0,
        to: PG_SCHEMA_VERSION,
        applied: PG_MIGRATIONS.map((m) => m.version),
      });
      expect(await s.schemaVersion()).toEqual({ current: PG_SCHEMA_VERSION, latest: PG_SCHEMA_VERSION });
      expect(await s.migrate()).toEqual({ from: PG_SCHEMA_VERSION, to: PG_SCHEMA_VERSION, applied: [] });
      await s.close();
      const rows = await cluster.sql(new URL(url).pathname.slice(1), 'SELECT version FROM schema_migrations');
      expect(rows.rowCount).toBe(PG_MIGRATIONS.length);
    });

    it('run once when two instances migrate at the same time', async () => {
      const url = await cluster.createDatabase();
      const [a, b] = await Promise.all([
        PostgresConversationStore.open({ url, migrate: true }),
        PostgresConversationStore.open({ url, migrate: true }),
      ]);
      const applied = [a.migration?.applied, b.migration?.applied].sort(
        (x, y) => (y?.length ?? 0) - (x?.length ?? 0),
      );
      expect(applied).toEqual([PG_MIGRATIONS.map((m) => m.version), []]);
      await a.close();
      await b.close();
    });

    it('refuse to start on an empty or older schema, naming `parley migrate`, and leave it alone', async () => {
      const url = await cluster.createDatabase();
      const empty = await failure(PostgresConversationStore.open({ url }));
      expect(empty).toBeInstanceOf(StoreError);
      expect((empty as StoreError).code).toBe('store_schema');
      expect(empty.message).toContain('schema version 0, older');
      expect(empty.message).toContain('parley migrate');

      const db = new URL(url).pathname.slice(1);
      const s = new PostgresConversationStore({ url });
      // Bring it to version 1 only, as an older parley would have left it.
      const { default: pg } = await import('pg');
      const pool = new pg.Pool({ connectionString: url });
      await pgMigrate(
        async (fn) => {
          const c = await pool.connect();
          try {
            await c.query('BEGIN');
            const r = await fn(c);
            await c.query('COMMIT');
            return r;
          } finally {
            c.release();
          }
        },
        { target: 1 },
      );
      await pool.end();
      await cluster.sql(db, `INSERT INTO conversations VALUES ('old', 'Old chat', NULL, NULL, '{}', 1, 2)`);
      const older = await failure(s.conversations.list());
      expect(older.message).toContain(`schema version 1, older than this parley's (${PG_SCHEMA_VERSION})`);
      expect(exitCodeFor(older)).toBe(1);
      expect(await s.migrate()).toMatchObject({ from: 1, to: PG_SCHEMA_VERSION });
      expect(await s.conversations.get('old')).toMatchObject({ title: 'Old chat' });
      await s.close();
    });

    it('refuse a newer schema, saying which versions', async () => {
      const url = await cluster.createDatabase(TEMPLATE);
      await cluster.sql(
        new URL(url).pathname.slice(1),
        "INSERT INTO schema_migrations VALUES (99, 'future', 0)",
      );
      const e = await failure(PostgresConversationStore.open({ url }));
      expect((e as StoreError).code).toBe('store_schema');
      expect(e.message).toContain(`schema version 99, newer than this parley knows (${PG_SCHEMA_VERSION})`);
      const s = new PostgresConversationStore({ url });
      expect((await failure(s.migrate())).message).toContain('newer');
      await s.close();
    });
  });

  describe('bad input', () => {
    it('names a URL that is not postgres://, or not a URL, without its password', () => {
      expect(() => new PostgresConversationStore({ url: 'mysql://u:hunter22@h/db' })).toThrow(
        /not a postgres:\/\/ URL/,
      );
      try {
        new PostgresConversationStore({ url: 'postgres://u:hunter22@' });
      } catch (e) {
        expect((e as Error).message).not.toContain('hunter22');
      }
      expect(() => new PostgresConversationStore({ url: 'not a url' })).toThrow(StoreError);
    });

    it('says the server cannot be reached, and which, and recovers when asked again', async () => {
      const url = `postgres://u:sekrit-pw@127.0.0.1:1/db`;
      const s = new PostgresConversationStore({ url, connectTimeoutMs: 2000 });
      const e = await failure(s.conversations.list());
      expect(ParleyError.is(e) && e.code).toBe('store');
      expect(e.message).toContain(
        'cannot connect to the PostgreSQL database postgres://u:***@127.0.0.1:1/db',
      );
      expect(e.message).toContain('connection refused');
      expect(e.message).not.toContain('sekrit-pw');
      await s.close();
    });

    it('says authentication failed, never showing the password', async () => {
      const url = cluster.url('postgres').replace(encodeURIComponent(cluster.password), 'wrong-password-123');
      const e = await failure(PostgresConversationStore.open({ url }));
      expect(e.message).toMatch(/authentication failed/);
      expect(e.message).not.toContain('wrong-password-123');
      expect(e.message).not.toContain(cluster.password);
    });

    it('says the database does not exist', async () => {
      const e = await failure(PostgresConversationStore.open({ url: cluster.url('no_such_db') }));
      expect(e.message).toContain('the database does not exist');
    });
  });

  describe('one database, several instances', () => {
    it('what one commits, the other reads: history, cache hits and counts', async () => {
      const url = await cluster.createDatabase(TEMPLATE);
      const a = await PostgresConversationStore.open({ url });
      const b = await PostgresConversationStore.open({ url });
      const c = await a.conversations.create({ title: 'shared' });
      await b.messages.append(c.id, { role: 'user', parts: [{ type: 'text', text: 'from b' }] });
      expect((await a.messages.list(c.id))[0]?.parts).toEqual([{ type: 'text', text: 'from b' }]);
      await a.cache.put({ key: 'k', model: 'm', value: { answer: 1 } });
      expect((await b.cache.get('k'))?.value).toEqual({ answer: 1 });
      await a.cache.addCounters([{ model: 'm', hits: 1, misses: 2 }]);
      await b.cache.addCounters([{ model: 'm', hits: 3, misses: 0 }]);
      expect(await a.cache.counters()).toEqual([{ model: 'm', hits: 4, misses: 2 }]);
      await a.close();
      await b.close();
    });

    it('appends from many connections at once get distinct, gapless positions', async () => {
      const url = await cluster.createDatabase(TEMPLATE);
      const a = await PostgresConversationStore.open({ url });
      const b = await PostgresConversationStore.open({ url });
      const c = await a.conversations.create();
      await Promise.all(
        Array.from({ length: 20 }, (_, i) =>
          (i % 2 ? a : b).messages.append(c.id, { role: 'user', parts: [{ type: 'text', text: `m${i}` }] }),
        ),
      );
      expect((await a.messages.list(c.id)).map((m) => m.seq)).toEqual(
        Array.from({ length: 20 }, (_, i) => i),
      );
      await a.close();
      await b.close();
    });
  });

  describe('search syntax', () => {
    it('the advanced syntax is websearch_to_tsquery: phrases, or, -word; any text is accepted', async () => {
      const s = await PostgresConversationStore.open({ url: await cluster.createDatabase(TEMPLATE) });
      const c = await s.conversations.create();
      await s.messages.append(c.id, {
        role: 'user',
        parts: [{ type: 'text', text: 'red apples and green pears' }],
      });
      await s.messages.append(c.id, {
        role: 'assistant',
        parts: [{ type: 'text', text: 'bananas are yellow' }],
      });
      expect(await s.search('apples or bananas', { syntax: 'advanced' })).toHaveLength(2);
      expect(await s.search('red -pears', { syntax: 'advanced' })).toHaveLength(0);
      expect(await s.search('"green pears"', { syntax: 'advanced' })).toHaveLength(1);
      for (const q of [`"unbalanced`, `(a OR`, `'; DROP TABLE messages; --`, `*`]) {
        await expect(s.search(q, { syntax: 'advanced' })).resolves.toBeInstanceOf(Array);
      }
      const hl = await s.search('pears', { highlight: { open: '<"b">', close: '</b>' } });
      expect(hl[0]?.snippet).toContain('<"b">pears</b>');
      expect(await s.search('bananas')).toHaveLength(1);
      await s.close();
    });
  });
});
