/**
 * A throwaway PostgreSQL cluster for tests: `initdb` into a temp dir, `pg_ctl start` on a free
 * port on 127.0.0.1 with password authentication, one fresh database per store, and `stop()`
 * removes it all. As root, the cluster runs as the `postgres` user (or `nobody`), because the
 * server refuses to run as root.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chownSync, existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';

const BIN_DIRS = [
  '/usr/lib/postgresql/17/bin',
  '/usr/lib/postgresql/16/bin',
  '/usr/lib/postgresql/15/bin',
  '/usr/local/bin',
  '/usr/bin',
];

/** The folder holding `initdb`, `pg_ctl` and `postgres`, or undefined when none is installed. */
export function postgresBinDir(): string | undefined {
  const fromEnv = process.env.PARLEY_TEST_PG_BIN;
  const dirs = fromEnv ? [fromEnv, ...BIN_DIRS] : BIN_DIRS;
  return dirs.find((d) => ['initdb', 'pg_ctl', 'postgres'].every((b) => existsSync(path.join(d, b))));
}

/** Why postgres tests are skipped, or undefined when they can run. */
export const POSTGRES_SKIP_REASON: string | undefined = postgresBinDir()
  ? undefined
  : 'PostgreSQL is not installed (no initdb, pg_ctl and postgres found; apt-get install postgresql, or set PARLEY_TEST_PG_BIN)';

/** A running cluster. */
export interface PgCluster {
  port: number;
  user: string;
  password: string;
  /** The URL of a database on this cluster. */
  url(database?: string): string;
  /** Create an empty database (optionally a copy of `template`) and return its URL. */
  createDatabase(template?: string): Promise<string>;
  /** SQL as the superuser on a database. */
  sql(database: string, text: string, params?: unknown[]): Promise<pg.QueryResult>;
  stop(): Promise<void>;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as net.AddressInfo;
      srv.close(() => resolve(port));
    });
  });
}

/** Who runs the server: ourselves, or, as root, an unprivileged user. */
function serverUser(): string | undefined {
  if (process.getuid?.() !== 0) return undefined;
  for (const u of ['postgres', 'nobody']) {
    if (spawnSync('id', ['-u', u]).status === 0) return u;
  }
  throw new Error('running as root, and neither a postgres nor a nobody user exists to run the server');
}

function runAs(user: string | undefined, cmd: string, args: string[]): void {
  const [file, argv] = user ? ['runuser', ['-u', user, '--', cmd, ...args]] : [cmd, args];
  execFileSync(file, argv, { stdio: ['ignore', 'pipe', 'pipe'], timeout: 120_000 });
}

let counter = 0;

/** Start a fresh cluster. Throws when PostgreSQL is not installed (check `POSTGRES_SKIP_REASON`). */
export async function startPostgres(): Promise<PgCluster> {
  const bin = postgresBinDir();
  if (!bin) throw new Error(POSTGRES_SKIP_REASON);
  const user = serverUser();
  const dir = mkdtempSync(path.join(os.tmpdir(), 'parley-pg-'));
  const data = path.join(dir, 'data');
  const password = `pw-${randomBytes(9).toString('hex')}`;
  const pwfile = path.join(dir, 'pw');
  writeFileSync(pwfile, `${password}\n`);
  if (user) {
    const uid = Number(execFileSync('id', ['-u', user]).toString().trim());
    const gid = Number(execFileSync('id', ['-g', user]).toString().trim());
    chownSync(dir, uid, gid);
    chownSync(pwfile, uid, gid);
  }
  const port = await freePort();
  const admin = 'parley_admin';
  try {
    runAs(user, path.join(bin, 'initdb'), [
      '-D',
      data,
      '-U',
      admin,
      `--pwfile=${pwfile}`,
      '--auth-host=scram-sha-256',
      '--auth-local=trust',
      '-E',
      'UTF8',
      '--locale=C.UTF-8',
      '--no-sync',
      '--no-instructions',
    ]);
    runAs(user, path.join(bin, 'pg_ctl'), [
      '-D',
      data,
      '-l',
      path.join(dir, 'log'),
      '-w',
      '-t',
      '60',
      'start',
      '-o',
      `-p ${port} -h 127.0.0.1 -k ${dir} -F -c max_connections=300 -c shared_buffers=32MB`,
    ]);
  } catch (e) {
    rmSync(dir, { recursive: true, force: true });
    const err = e as { stderr?: Buffer; message: string };
    throw new Error(`could not start a PostgreSQL cluster: ${err.stderr?.toString() || err.message}`);
  }
  const url = (database = 'postgres') =>
    `postgres://${admin}:${encodeURIComponent(password)}@127.0.0.1:${port}/${database}`;
  const sql = async (database: string, text: string, params?: unknown[]) => {
    const client = new pg.Client({ connectionString: url(database) });
    await client.connect();
    try {
      return await client.query(text, params);
    } finally {
      await client.end();
    }
  };
  return {
    port,
    user: admin,
    password,
    url,
    sql,
    async createDatabase(template?: string) {
      const name = `t_${process.pid}_${++counter}`;
      await sql('postgres', `CREATE DATABASE ${name}${template ? ` TEMPLATE ${template}` : ''}`);
      return url(name);
    },
    stop() {
      try {
        runAs(user, path.join(bin, 'pg_ctl'), ['-D', data, '-m', 'immediate', '-w', 'stop']);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
      return Promise.resolve();
    },
  };
}
