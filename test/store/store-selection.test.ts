/**
 * Choosing the store from the command line, as a user would: `store.url` / PARLEY_STORE_URL
 * select PostgreSQL, `parley migrate` is the only thing that changes its schema, a server
 * refuses to start on an older one, a bad URL or an unreachable server is named (never the
 * password), and the SQLite default needs no server and never loads the `pg` driver.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { redact } from '../../packages/core/src/secrets.js';
import { runParley, tempHome } from '../helpers/cli.js';
import { POSTGRES_SKIP_REASON, startPostgres, type PgCluster } from '../helpers/postgres.js';
import { PG_SCHEMA_VERSION } from '../../packages/core/src/store/postgres/schema.js';

/**
 * A preload that reports on stderr when any file of the `pg` package is compiled, so a run
 * shows whether the driver was loaded at all.
 */
const hookDir = mkdtempSync(path.join(os.tmpdir(), 'parley-pg-hook-'));
const HOOK = path.join(hookDir, 'report-pg.cjs');
writeFileSync(
  HOOK,
  `const Module = require('node:module');
const js = Module._extensions['.js'];
let told = false;
Module._extensions['.js'] = function (module, filename) {
  if (!told && /[\\\\/]node_modules[\\\\/]pg[\\\\/]/.test(filename)) {
    told = true;
    process.stderr.write('PG-DRIVER-LOADED\\n');
  }
  return js.call(this, module, filename);
};
`,
);
afterAll(() => rmSync(hookDir, { recursive: true, force: true }));

describe('a store URL password', () => {
  it('is redacted from any text, however short, while *** is left as shown', () => {
    expect(redact('cannot reach postgres://me:pw@db:5432/x (postgresql://a:b%40c@h/y)')).toBe(
      'cannot reach postgres://me:[REDACTED]@db:5432/x (postgresql://a:[REDACTED]@h/y)',
    );
    expect(redact('postgres://me:***@db/x')).toBe('postgres://me:***@db/x');
    expect(redact('postgres://me@db/x and http://host:8080/a@b')).toBe(
      'postgres://me@db/x and http://host:8080/a@b',
    );
  });
});

describe('the SQLite default', () => {
  it('needs no server: a turn is stored and listed from the file, and pg is never loaded', async () => {
    const { home, cleanup } = tempHome();
    try {
      const env = { PARLEY_HOME: home, NODE_OPTIONS: `--require ${HOOK}` };
      const one = await runParley(['-m', 'canned:echo', 'remember the walrus'], { env });
      expect(one.stderr).not.toContain('PG-DRIVER-LOADED');
      expect(one.code, one.stderr).toBe(0);
      expect(one.stdout).toContain('remember the walrus');
      const found = await runParley(['history', 'search', 'walrus', '--json'], { env });
      expect(found.code, found.stderr).toBe(0);
      expect(found.stdout).toContain('walrus');
      expect(found.stderr).not.toContain('PG-DRIVER-LOADED');
      const migrate = await runParley(['migrate'], { env });
      expect(migrate.code, migrate.stderr).toBe(0);
      expect(migrate.stdout).toContain(path.join(home, 'data', 'parley.db'));
      expect(migrate.stdout).toContain('up to date');
      expect(migrate.stderr).not.toContain('PG-DRIVER-LOADED');
    } finally {
      cleanup();
    }
  });

  it('refuses a store.url that is not postgres://, naming the key and not the password', async () => {
    const { home, cleanup } = tempHome();
    try {
      const r = await runParley(['migrate'], {
        env: { PARLEY_HOME: home, PARLEY_STORE_URL: 'mysql://me:topsecret-pw@db/x' },
      });
      expect(r.code).toBe(2);
      expect(r.stderr).toContain('store.url');
      expect(r.stderr).toContain('postgres://');
      expect(r.stderr + r.stdout).not.toContain('topsecret-pw');
    } finally {
      cleanup();
    }
  });
});

describe.skipIf(POSTGRES_SKIP_REASON !== undefined)('PARLEY_STORE_URL on a real cluster', () => {
  let cluster: PgCluster;
  let home: string;
  let cleanup: () => void;
  beforeAll(async () => {
    ({ home, cleanup } = tempHome());
    cluster = await startPostgres();
  }, 120_000);
  afterAll(async () => {
    await cluster?.stop();
    cleanup?.();
  });

  it('refuses to serve an unmigrated database, migrates only when asked, then stores turns there', async () => {
    const url = await cluster.createDatabase();
    const env = { PARLEY_HOME: home, PARLEY_STORE_URL: url, NODE_OPTIONS: `--require ${HOOK}` };
    const secret = cluster.password;

    const refused = await runParley(['serve', '--port', '0', '-m', 'canned:echo'], { env });
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain(`schema version 0, older than this parley's (${PG_SCHEMA_VERSION})`);
    expect(refused.stderr).toContain('parley migrate');
    expect(refused.stderr).not.toContain('listening');
    expect(refused.stderr).not.toContain(secret);

    const shown = await runParley(['config', 'show'], { env });
    expect(shown.code).toBe(0);
    expect(shown.stdout).toContain(`"url": "postgres://${cluster.user}:`);
    expect(shown.stdout).not.toContain(secret);

    const migrated = await runParley(['migrate'], { env });
    expect(migrated.code, migrated.stderr).toBe(0);
    expect(migrated.stderr).toContain('PG-DRIVER-LOADED');
    expect(migrated.stdout).toContain(`migrated from schema version 0 to ${PG_SCHEMA_VERSION}`);
    expect(migrated.stdout).toContain(`${cluster.user}:***@127.0.0.1`);
    expect(migrated.stdout + migrated.stderr).not.toContain(secret);
    const again = await runParley(['migrate', '--json'], { env });
    expect(JSON.parse(again.stdout)).toMatchObject({
      store: 'postgres',
      from: PG_SCHEMA_VERSION,
      applied: [],
    });

    const one = await runParley(['-m', 'canned:echo', 'a postgres walrus'], { env });
    expect(one.code, one.stderr).toBe(0);
    const db = new URL(url).pathname.slice(1);
    const rows = await cluster.sql(db, 'SELECT role, text FROM messages ORDER BY created_at, seq');
    expect(rows.rows).toEqual([
      { role: 'user', text: 'a postgres walrus' },
      { role: 'assistant', text: 'a postgres walrus' },
    ]);
    const found = await runParley(['history', 'search', 'WALRUS'], { env });
    expect(found.code, found.stderr).toBe(0);
    expect(found.stdout).toContain('[walrus]');
    // No SQLite file was made.
    const sqlite = await runParley(['config', 'path'], { env });
    expect(sqlite.code).toBe(0);
  });

  it('names an unreachable server and exits with an error, never showing the password', async () => {
    const r = await runParley(['migrate'], {
      env: { PARLEY_HOME: home, PARLEY_STORE_URL: 'postgres://me:hunter2@127.0.0.1:1/parley' },
    });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(
      'cannot connect to the PostgreSQL database postgres://me:***@127.0.0.1:1/parley',
    );
    expect(r.stderr).not.toContain('hunter2');
  });
});
