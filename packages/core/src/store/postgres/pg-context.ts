/**
 * The connection of the PostgreSQL store: a `pg` pool, loaded with a dynamic import the first
 * time the store is used (so the SQLite default never loads `pg`), plus transactions and the
 * mapping of driver errors to parley errors. The URL's password never appears in a message.
 */
import type { Pool, PoolClient, QueryResultRow } from 'pg';
import { ParleyError } from '../../errors.js';
import { StoreError } from '../store-errors.js';

export { defined, fromJson, toJson } from '../rows.js';

/** What runs queries: the pool, or one client inside a transaction. */
export interface Queryable {
  query<R extends QueryResultRow = QueryResultRow>(
    sql: string,
    params?: unknown[],
  ): Promise<{ rows: R[]; rowCount: number | null }>;
}

/** What every PostgreSQL repository works with. */
export interface PgContext {
  /** The pool, once connected and checked (the first call connects). */
  pool(): Promise<Queryable>;
  /** Run `fn` in one transaction: committed when it resolves, rolled back when it throws. */
  tx<T>(fn: (q: Queryable) => Promise<T>): Promise<T>;
  now: () => number;
}

/** The URL as it may be shown: its password replaced by `***`. */
export function safeUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    return u.toString();
  } catch {
    return url.replace(/(\/\/[^:/@\s]*:)[^@\s]*@/, '$1***@');
  }
}

/** Check a store URL; throws `StoreError` naming what is wrong (never the password). */
export function checkPostgresUrl(url: string): URL {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    throw new StoreError('store', `store.url ${JSON.stringify(safeUrl(url))} is not a valid URL`);
  }
  if (u.protocol !== 'postgres:' && u.protocol !== 'postgresql:') {
    throw new StoreError(
      'store',
      `store.url ${JSON.stringify(safeUrl(url))} is not a postgres:// URL (use store.path for a SQLite file)`,
    );
  }
  if (!u.hostname && !u.searchParams.get('host')) {
    throw new StoreError('store', `store.url ${JSON.stringify(safeUrl(url))} names no host`);
  }
  return u;
}

/** The PostgreSQL error code (`23505`, …) of a thrown value, if it has one. */
export function pgCode(e: unknown): string | undefined {
  const code = (e as { code?: unknown } | null)?.code;
  return typeof code === 'string' && /^[0-9A-Z]{5}$/.test(code) ? code : undefined;
}

/** Remove every occurrence of the password from a message. */
export function scrub(text: string, password: string): string {
  let out = text;
  if (password) out = out.split(password).join('***');
  if (password && password !== decodeURIComponent(password)) {
    out = out.split(decodeURIComponent(password)).join('***');
  }
  return out;
}

/**
 * Run one store operation: parley errors pass through; driver errors become a `StoreError`
 * that says what failed.
 */
export async function guard<T>(what: string, fn: () => Promise<T>, password = ''): Promise<T> {
  try {
    return await fn();
  } catch (e) {
    if (ParleyError.is(e)) throw e;
    const msg = scrub(e instanceof Error ? e.message : String(e), password);
    const closed = /after calling end|pool is (ended|closed)|Client was closed/i.test(msg);
    throw new StoreError('store', closed ? `${what}: the store is closed` : `${what}: ${msg}`, {
      cause: e,
    });
  }
}

/** Begin, run, commit; roll back on any error. */
export async function inTransaction<T>(pool: Pool, fn: (q: Queryable) => Promise<T>): Promise<T> {
  const client: PoolClient = await pool.connect();
  try {
    await client.query('BEGIN');
    const result = await fn(client as Queryable);
    await client.query('COMMIT');
    return result;
  } catch (e) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw e;
  } finally {
    client.release();
  }
}

/** A whole number ≥ 0 for LIMIT and OFFSET, or null (no limit) / the default. */
export function limitOf(n: number | undefined, fallback: number | null): number | null {
  return n === undefined || !Number.isFinite(n) || n < 0 ? fallback : Math.floor(n);
}

/** PostgreSQL text cannot hold NUL: the searchable copy of a message has spaces instead. */
export function searchable(text: string): string {
  return text.split('\u0000').join(' ');
}
