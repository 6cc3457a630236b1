/** Session and memory queries of the SQLite store. */
import type { MemoryRepository, SessionRepository } from '../conversation-store.js';
import { newId } from '../ids.js';
import { ConflictError, NotFoundError } from '../store-errors.js';
import type { MemoryFact, SessionRecord } from '../types.js';
import { count, defined, guard, sqliteCode, type SqliteContext } from './sqlite-util.js';

/** The scope of facts that belong to no session. */
export const GLOBAL_SCOPE = 'global';

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

const UPSERT_SESSION = `INSERT INTO sessions (id, mode, settings, conversation_id, created_at, updated_at)
  VALUES (@id, @mode, @settings, @conversationId, @createdAt, @updatedAt)
  ON CONFLICT (id) DO UPDATE SET mode = excluded.mode, settings = excluded.settings,
    conversation_id = excluded.conversation_id, created_at = excluded.created_at, updated_at = excluded.updated_at`;

function sessionParams(s: SessionRecord): Record<string, unknown> {
  return { ...s, settings: JSON.stringify(s.settings) };
}

/** `SessionRepository` over SQLite. */
export class SqliteSessions implements SessionRepository {
  constructor(private readonly ctx: SqliteContext) {}

  create(s: Parameters<SessionRepository['create']>[0]): Promise<SessionRecord> {
    return guard('create session', () => {
      const now = this.ctx.now();
      const record: SessionRecord = {
        id: s.id ?? newId(now),
        mode: s.mode,
        settings: s.settings ?? {},
        conversationId: s.conversationId ?? null,
        createdAt: now,
        updatedAt: now,
      };
      const exists = this.ctx.db.prepare('SELECT 1 FROM sessions WHERE id = ?').get(record.id);
      if (exists) throw new ConflictError('session', record.id);
      this.write(record);
      return record;
    });
  }

  get(id: string): Promise<SessionRecord | undefined> {
    return guard('read session', () => {
      const row = this.ctx.db.prepare('SELECT * FROM sessions WHERE id = ?').get(id) as
        SessionRow | undefined;
      return row && sessionFrom(row);
    });
  }

  put(s: SessionRecord): Promise<void> {
    return guard('write session', () => this.write(s));
  }

  update(
    id: string,
    patch: Partial<Pick<SessionRecord, 'mode' | 'settings' | 'conversationId'>>,
  ): Promise<SessionRecord> {
    return guard('update session', () => {
      const row = this.ctx.db.prepare('SELECT * FROM sessions WHERE id = ?').get(id) as
        SessionRow | undefined;
      if (!row) throw new NotFoundError('session', id);
      const next: SessionRecord = { ...sessionFrom(row), ...defined(patch), updatedAt: this.ctx.now() };
      this.write(next);
      return next;
    });
  }

  delete(id: string): Promise<boolean> {
    return guard('delete session', () => {
      const db = this.ctx.db;
      return db.transaction(() => {
        db.prepare('DELETE FROM memory WHERE scope = ?').run(id);
        return db.prepare('DELETE FROM sessions WHERE id = ?').run(id).changes > 0;
      })();
    });
  }

  list(opts: { limit?: number } = {}): Promise<SessionRecord[]> {
    return guard('list sessions', () => {
      const rows = this.ctx.db
        .prepare('SELECT * FROM sessions ORDER BY updated_at DESC, id DESC LIMIT ?')
        .all(count(opts.limit, -1)) as SessionRow[];
      return rows.map(sessionFrom);
    });
  }

  private write(s: SessionRecord): void {
    try {
      this.ctx.db.prepare(UPSERT_SESSION).run(sessionParams(s));
    } catch (e) {
      if (sqliteCode(e) === 'SQLITE_CONSTRAINT_FOREIGNKEY') {
        throw new NotFoundError('conversation', s.conversationId ?? '');
      }
      throw e;
    }
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

/** `MemoryRepository` over SQLite. */
export class SqliteMemory implements MemoryRepository {
  constructor(private readonly ctx: SqliteContext) {}

  get(key: string, scope: string = GLOBAL_SCOPE): Promise<MemoryFact | undefined> {
    return guard('read memory', () => {
      const row = this.ctx.db.prepare('SELECT * FROM memory WHERE scope = ? AND key = ?').get(scope, key) as
        FactRow | undefined;
      return row && factFrom(row);
    });
  }

  set(fact: Parameters<MemoryRepository['set']>[0]): Promise<MemoryFact> {
    return guard('write memory', () => {
      const now = this.ctx.now();
      const scope = fact.scope ?? GLOBAL_SCOPE;
      const text = JSON.stringify(fact.value);
      if (text === undefined)
        throw new TypeError('a memory value must be JSON (not undefined or a function)');
      const existing = this.ctx.db
        .prepare('SELECT created_at FROM memory WHERE scope = ? AND key = ?')
        .get(scope, fact.key) as { created_at: number } | undefined;
      const record: MemoryFact = {
        scope,
        key: fact.key,
        value: JSON.parse(text) as unknown,
        createdAt: fact.createdAt ?? existing?.created_at ?? now,
        updatedAt: fact.updatedAt ?? now,
      };
      this.ctx.db
        .prepare(
          `INSERT INTO memory (scope, key, value, created_at, updated_at) VALUES (?, ?, ?, ?, ?)
           ON CONFLICT (scope, key) DO UPDATE SET value = excluded.value,
             created_at = excluded.created_at, updated_at = excluded.updated_at`,
        )
        .run(scope, fact.key, text, record.createdAt, record.updatedAt);
      return record;
    });
  }

  delete(key: string, scope: string = GLOBAL_SCOPE): Promise<boolean> {
    return guard('delete memory', () => {
      return (
        this.ctx.db.prepare('DELETE FROM memory WHERE scope = ? AND key = ?').run(scope, key).changes > 0
      );
    });
  }

  list(scope: string = GLOBAL_SCOPE): Promise<MemoryFact[]> {
    return guard('list memory', () => {
      const rows = this.ctx.db
        .prepare('SELECT * FROM memory WHERE scope = ? ORDER BY key')
        .all(scope) as FactRow[];
      return rows.map(factFrom);
    });
  }
}
