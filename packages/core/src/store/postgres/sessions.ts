/** Sessions and memory facts in PostgreSQL. */
import type { MemoryRepository, SessionRepository } from '../conversation-store.js';
import { newId } from '../ids.js';
import { ConflictError, NotFoundError } from '../store-errors.js';
import type { MemoryFact, SessionRecord } from '../types.js';
import { defined, limitOf, pgCode, type PgContext, type Queryable } from './pg-context.js';

const GLOBAL_SCOPE = 'global';

interface SessionRow {
  id: string;
  mode: string;
  settings: string;
  conversation_id: string | null;
  created_at: number;
  updated_at: number;
}

function sessionFrom(r: SessionRow): SessionRecord {
  return {
    id: r.id,
    mode: r.mode,
    settings: JSON.parse(r.settings) as Record<string, unknown>,
    conversationId: r.conversation_id,
    createdAt: r.created_at,
    updatedAt: r.updated_at,
  };
}

async function writeSession(q: Queryable, s: SessionRecord, insertOnly = false): Promise<void> {
  try {
    await q.query(
      `INSERT INTO sessions (id, mode, settings, conversation_id, created_at, updated_at)
       VALUES ($1, $2, $3, $4, $5, $6)
       ${
         insertOnly
           ? ''
           : `ON CONFLICT (id) DO UPDATE SET mode = excluded.mode, settings = excluded.settings,
         conversation_id = excluded.conversation_id, created_at = excluded.created_at,
         updated_at = excluded.updated_at`
       }`,
      [s.id, s.mode, JSON.stringify(s.settings), s.conversationId, s.createdAt, s.updatedAt],
    );
  } catch (e) {
    if (pgCode(e) === '23503') throw new NotFoundError('conversation', s.conversationId ?? '');
    if (pgCode(e) === '23505') throw new ConflictError('session', s.id);
    throw e;
  }
}

/** `SessionRepository` over PostgreSQL. */
export class PgSessions implements SessionRepository {
  constructor(private readonly ctx: PgContext) {}

  async create(s: Parameters<SessionRepository['create']>[0]): Promise<SessionRecord> {
    const q = await this.ctx.pool();
    const now = this.ctx.now();
    const record: SessionRecord = {
      id: s.id ?? newId(now),
      mode: s.mode,
      settings: s.settings ?? {},
      conversationId: s.conversationId ?? null,
      createdAt: now,
      updatedAt: now,
    };
    await writeSession(q, record, true);
    return record;
  }

  async get(id: string): Promise<SessionRecord | undefined> {
    const q = await this.ctx.pool();
    const { rows } = await q.query<SessionRow>('SELECT * FROM sessions WHERE id = $1', [id]);
    return rows[0] && sessionFrom(rows[0]);
  }

  async put(s: SessionRecord): Promise<void> {
    await writeSession(await this.ctx.pool(), s);
  }

  update(
    id: string,
    patch: Partial<Pick<SessionRecord, 'mode' | 'settings' | 'conversationId'>>,
  ): Promise<SessionRecord> {
    return this.ctx.tx(async (q) => {
      const { rows } = await q.query<SessionRow>('SELECT * FROM sessions WHERE id = $1 FOR UPDATE', [id]);
      if (!rows[0]) throw new NotFoundError('session', id);
      const next: SessionRecord = { ...sessionFrom(rows[0]), ...defined(patch), updatedAt: this.ctx.now() };
      await writeSession(q, next);
      return next;
    });
  }

  delete(id: string): Promise<boolean> {
    return this.ctx.tx(async (q) => {
      await q.query('DELETE FROM memory WHERE scope = $1', [id]);
      const r = await q.query('DELETE FROM sessions WHERE id = $1', [id]);
      return (r.rowCount ?? 0) > 0;
    });
  }

  async list(opts: { limit?: number } = {}): Promise<SessionRecord[]> {
    const q = await this.ctx.pool();
    const { rows } = await q.query<SessionRow>(
      'SELECT * FROM sessions ORDER BY updated_at DESC, id COLLATE "C" DESC LIMIT $1',
      [limitOf(opts.limit, null)],
    );
    return rows.map(sessionFrom);
  }
}

interface FactRow {
  scope: string;
  key: string;
  value: string;
  created_at: number;
  updated_at: number;
}

function factFrom(r: FactRow): MemoryFact {
  return {
    scope: r.scope,
    key: r.key,
    value: JSON.parse(r.value) as unknown,
    createdAt: r.created_at,
    updatedAt: r.updated_at,
  };
}

/** `MemoryRepository` over PostgreSQL. */
export class PgMemory implements MemoryRepository {
  constructor(private readonly ctx: PgContext) {}

  async get(key: string, scope: string = GLOBAL_SCOPE): Promise<MemoryFact | undefined> {
    const q = await this.ctx.pool();
    const { rows } = await q.query<FactRow>('SELECT * FROM memory WHERE scope = $1 AND key = $2', [
      scope,
      key,
    ]);
    return rows[0] && factFrom(rows[0]);
  }

  async set(fact: Parameters<MemoryRepository['set']>[0]): Promise<MemoryFact> {
    const now = this.ctx.now();
    const scope = fact.scope ?? GLOBAL_SCOPE;
    const text = JSON.stringify(fact.value);
    if (text === undefined) throw new TypeError('a memory value must be JSON (not undefined or a function)');
    const q = await this.ctx.pool();
    // A new fact takes the given or current time; a replaced one keeps its createdAt unless given.
    const { rows } = await q.query<FactRow>(
      `INSERT INTO memory (scope, key, value, created_at, updated_at)
       VALUES ($1, $2, $3, coalesce($4::bigint, $6::bigint), coalesce($5::bigint, $6::bigint))
       ON CONFLICT (scope, key) DO UPDATE SET value = excluded.value,
         created_at = coalesce($4::bigint, memory.created_at), updated_at = excluded.updated_at
       RETURNING *`,
      [scope, fact.key, text, fact.createdAt ?? null, fact.updatedAt ?? null, now],
    );
    const row = rows[0] as FactRow;
    return { ...factFrom(row), value: JSON.parse(text) as unknown };
  }

  async delete(key: string, scope: string = GLOBAL_SCOPE): Promise<boolean> {
    const q = await this.ctx.pool();
    const r = await q.query('DELETE FROM memory WHERE scope = $1 AND key = $2', [scope, key]);
    return (r.rowCount ?? 0) > 0;
  }

  async list(scope: string = GLOBAL_SCOPE): Promise<MemoryFact[]> {
    const q = await this.ctx.pool();
    const { rows } = await q.query<FactRow>(
      'SELECT * FROM memory WHERE scope = $1 ORDER BY key COLLATE "C"',
      [scope],
    );
    return rows.map(factFrom);
  }
}
