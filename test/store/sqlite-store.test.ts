/**
 * The store conformance suite on real SQLite files, then what only SQLite has: the file's
 * place and settings, migrations, refusing a newer schema or a file that is not a database,
 * and the FTS5 query syntax.
 */
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { loadConfig } from '../../packages/core/src/config/load.js';
import { exitCodeFor, ParleyError, UsageError } from '../../packages/core/src/errors.js';
import { openStore } from '../../packages/core/src/store/open-store.js';
import { migrate, schemaVersion } from '../../packages/core/src/store/sqlite/migrate.js';
import { MIGRATIONS, SCHEMA_VERSION } from '../../packages/core/src/store/sqlite/schema.js';
import { SqliteConversationStore } from '../../packages/core/src/store/sqlite/sqlite-conversation-store.js';
import { StoreError } from '../../packages/core/src/store/store-errors.js';
import { runStoreConformance } from './store.conformance.case.js';

let dir: string;
let n = 0;
const fresh = (): string => path.join(dir, `store-${++n}.db`);

beforeEach(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'parley-store-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

runStoreConformance({
  name: 'sqlite',
  open: (now) => Promise.resolve(SqliteConversationStore.open({ path: fresh(), now })),
});

describe('the SQLite file', () => {
  it('lives at <data dir>/parley.db, private, in WAL mode with foreign keys, a busy timeout and a small page cache', async () => {
    const { config, paths } = loadConfig({ env: { PARLEY_HOME: dir } });
    const store = openStore(config, paths) as SqliteConversationStore;
    try {
      expect(store.file).toBe(path.join(dir, 'data', 'parley.db'));
      expect(statSync(store.file).mode & 0o777).toBe(0o600);
      expect(store.db.pragma('journal_mode', { simple: true })).toBe('wal');
      expect(store.db.pragma('foreign_keys', { simple: true })).toBe(1);
      expect(store.db.pragma('busy_timeout', { simple: true })).toBe(5000);
      // A 2 MiB page cache, not better-sqlite3's 16 MiB: a long-running server's memory
      // would otherwise grow with its history (the soak in test/hardening).
      expect(store.db.pragma('cache_size', { simple: true })).toBe(-2048);
      expect(store.integrityCheck()).toEqual(['ok']);
    } finally {
      await store.close();
    }
    const moved = loadConfig({
      env: { PARLEY_HOME: dir },
      flags: { store: { path: path.join(dir, 'x', 'h.db') } },
    });
    const other = openStore(moved.config, moved.paths) as SqliteConversationStore;
    expect(other.file).toBe(path.join(dir, 'x', 'h.db'));
    await other.close();
    // store.cache_mb sets the page cache; nonsense is a config error naming the key.
    const big = loadConfig({ env: { PARLEY_HOME: dir }, flags: { store: { cache_mb: 32 } } });
    const fast = openStore(big.config, big.paths) as SqliteConversationStore;
    expect(fast.db.pragma('cache_size', { simple: true })).toBe(-32 * 1024);
    await fast.close();
    for (const cache_mb of [0, -1, 1.5, 4096, 'lots'] as number[])
      expect(
        () => loadConfig({ env: { PARLEY_HOME: dir }, flags: { store: { cache_mb } } }),
        String(cache_mb),
      ).toThrow(/store\.cache_mb/);
  });

  it('is shared by two connections: what one commits, the other reads', async () => {
    const file = fresh();
    const a = SqliteConversationStore.open({ path: file });
    const b = SqliteConversationStore.open({ path: file });
    const c = await a.conversations.create({ title: 'shared' });
    await b.messages.append(c.id, { role: 'user', parts: [{ type: 'text', text: 'from b' }] });
    expect((await a.messages.list(c.id))[0]?.parts).toEqual([{ type: 'text', text: 'from b' }]);
    expect(b.migration.applied).toEqual([]);
    await a.close();
    await b.close();
  });
});

describe('migrations', () => {
  it('build an empty database up to the current version, once', async () => {
    const file = fresh();
    const s = SqliteConversationStore.open({ path: file });
    expect(s.migration).toEqual({ from: 0, to: SCHEMA_VERSION, applied: [1, 2, 3, 4, 5, 6] });
    const rows = s.db.prepare('SELECT version, name FROM schema_migrations ORDER BY version').all();
    expect(rows).toHaveLength(MIGRATIONS.length);
    await s.close();
    const again = SqliteConversationStore.open({ path: file });
    expect(again.migration).toEqual({ from: SCHEMA_VERSION, to: SCHEMA_VERSION, applied: [] });
    await again.close();
  });

  for (const previous of [1, 2, 3]) {
    it(`upgrade a version ${previous} database and keep (and index) its data`, async () => {
      const file = fresh();
      const db = new Database(file);
      expect(migrate(db, { target: previous }).to).toBe(previous);
      db.prepare(
        `INSERT INTO conversations (id, title, model, system, metadata, created_at, updated_at)
         VALUES ('old', 'Old chat', NULL, NULL, '{"source":"cli"}', 1, 2)`,
      ).run();
      db.prepare(
        `INSERT INTO messages (id, conversation_id, seq, role, parts, text, status, created_at, updated_at)
         VALUES ('m0', 'old', 0, 'user', '[{"type":"text","text":"a walrus question"}]', 'a walrus question', 'complete', 1, 1)`,
      ).run();
      if (previous >= 3) {
        // A cached answer from before entries had a last use: it counts as used when written.
        db.prepare(
          `INSERT INTO cache_entries (key, model, value, bytes, created_at, expires_at)
           VALUES ('kept', 'm', '{"v":1}', 50, 5, NULL)`,
        ).run();
        // Version 3 kept the cache's counts as memory facts; one of them is damaged.
        const fact = db.prepare(
          "INSERT INTO memory (scope, key, value, created_at, updated_at) VALUES ('parley.cache-counters', ?, ?, 1, 2)",
        );
        fact.run('local:a', '{"hits":3,"misses":1}');
        fact.run('local:b', '{"hits":-4,"misses":"x"}');
        db.prepare(
          "INSERT INTO memory (scope, key, value, created_at, updated_at) VALUES ('global', 'name', '\"Ada\"', 1, 2)",
        ).run();
      }
      db.close();

      const s = SqliteConversationStore.open({ path: file });
      expect(s.migration.from).toBe(previous);
      expect(s.migration.to).toBe(SCHEMA_VERSION);
      expect(await s.conversations.get('old')).toMatchObject({
        title: 'Old chat',
        metadata: { source: 'cli' },
      });
      expect((await s.search('walrus')).map((h) => h.messageId)).toEqual(['m0']);
      const next = await s.messages.append('old', {
        role: 'assistant',
        parts: [{ type: 'text', text: 'walrus!' }],
      });
      expect(next.seq).toBe(1);
      expect(await s.cache.put({ key: 'k', model: 'm', value: 1 })).toMatchObject({ key: 'k' });
      if (previous >= 3) {
        expect(await s.cache.counters()).toEqual([
          { model: 'local:a', hits: 3, misses: 1 },
          { model: 'local:b', hits: 0, misses: 0 },
        ]);
        expect(await s.memory.list('parley.cache-counters')).toEqual([]);
        expect((await s.memory.get('name'))?.value).toBe('Ada');
        expect(await s.cache.get('kept', 6)).toMatchObject({ value: { v: 1 }, bytes: 50 });
        expect(await s.cache.trim(1)).toEqual({ entries: 1, bytes: 50 }); // the older one goes
        expect(await s.cache.get('k')).toMatchObject({ value: 1 });
      }
      expect(s.integrityCheck()).toEqual(['ok']);
      await s.close();
    });
  }

  it('refuse a database with a newer schema, saying which versions, and leave it alone', async () => {
    const file = fresh();
    (await SqliteConversationStore.open({ path: file }).close()) as void;
    const db = new Database(file);
    db.prepare("INSERT INTO schema_migrations VALUES (99, 'from the future', 0)").run();
    db.close();
    const before = readFileSync(file);
    const e = (() => {
      try {
        SqliteConversationStore.open({ path: file });
      } catch (x) {
        return x;
      }
    })();
    expect(e).toBeInstanceOf(StoreError);
    expect((e as StoreError).code).toBe('store_schema');
    expect((e as Error).message).toContain('schema version 99');
    expect((e as Error).message).toContain(`(${SCHEMA_VERSION})`);
    expect((e as Error).message).toContain(file);
    expect(exitCodeFor(e)).toBe(1);
    const check = new Database(file);
    expect(schemaVersion(check)).toBe(99);
    check.close();
    expect(readFileSync(file).equals(before)).toBe(true);
  });

  it('refuse a file that is not a database, with a clear error', () => {
    const file = fresh();
    writeFileSync(
      file,
      'this is not sqlite at all, just some text that happens to be long enough '.repeat(40),
    );
    expect(() => SqliteConversationStore.open({ path: file })).toThrow(
      /not a parley database, or it is damaged/,
    );
    expect(() => SqliteConversationStore.open({ path: dir })).toThrow(StoreError);
  });
});

describe('FTS5 query syntax (advanced search)', () => {
  let s: SqliteConversationStore;
  beforeEach(async () => {
    s = SqliteConversationStore.open({ path: fresh() });
    const c = await s.conversations.create();
    await s.messages.append(c.id, {
      role: 'user',
      parts: [{ type: 'text', text: 'red apples and green pears' }],
    });
    await s.messages.append(c.id, {
      role: 'assistant',
      parts: [{ type: 'text', text: 'bananas are yellow' }],
    });
  });
  afterEach(() => s.close());

  it('supports OR, NOT, prefixes and phrases', async () => {
    expect(await s.search('apples OR bananas', { syntax: 'advanced' })).toHaveLength(2);
    expect(await s.search('app*', { syntax: 'advanced' })).toHaveLength(1);
    expect(await s.search('red NOT pears', { syntax: 'advanced' })).toHaveLength(0);
    expect(await s.search('"green pears"', { syntax: 'advanced' })).toHaveLength(1);
  });

  it('turns every syntax error into a usage error that names the query, and stays usable', async () => {
    for (const q of [`"unbalanced`, `foo:bar`, `NEAR(`, `AND`, `*`, `'; DROP TABLE messages; --`, `(a OR`]) {
      const e = await s.search(q, { syntax: 'advanced' }).catch((x: unknown) => x);
      expect(e, q).toBeInstanceOf(UsageError);
      expect(ParleyError.is(e) && exitCodeFor(e)).toBe(2);
      expect((e as Error).message).toContain(`invalid search query ${JSON.stringify(q)}`);
    }
    expect(await s.search('bananas')).toHaveLength(1);
    expect(s.integrityCheck()).toEqual(['ok']);
  });
});
