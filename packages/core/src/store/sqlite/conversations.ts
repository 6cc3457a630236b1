/** Conversation and message queries of the SQLite store. */
import type { ConversationRepository, MessageRepository } from '../conversation-store.js';
import { newId } from '../ids.js';
import { partsText } from '../parts.js';
import { conversationFrom, messageFrom, type ConversationRow, type MessageRow } from '../rows.js';
import { ConflictError, NotFoundError } from '../store-errors.js';
import type {
  ConversationPatch,
  ConversationRecord,
  ConversationSummary,
  MessagePatch,
  MessageRecord,
  NewConversation,
  NewMessage,
} from '../types.js';
import { count, defined, guard, sqliteCode, toJson, type SqliteContext } from './sqlite-util.js';

const INSERT_CONVERSATION = `INSERT INTO conversations (id, title, model, system, metadata, created_at, updated_at)
  VALUES (@id, @title, @model, @system, @metadata, @createdAt, @updatedAt)`;
const INSERT_MESSAGE = `INSERT INTO messages (id, conversation_id, seq, role, parts, text, model, status,
    finish_reason, error, usage, timings, created_at, updated_at)
  VALUES (@id, @conversationId, @seq, @role, @parts, @text, @model, @status,
    @finishReason, @error, @usage, @timings, @createdAt, @updatedAt)`;

function conversationParams(c: ConversationRecord): Record<string, unknown> {
  return { ...c, metadata: JSON.stringify(c.metadata) };
}

function messageParams(m: MessageRecord): Record<string, unknown> {
  return {
    ...m,
    parts: JSON.stringify(m.parts),
    text: partsText(m.parts),
    error: toJson(m.error),
    usage: toJson(m.usage),
    timings: toJson(m.timings),
  };
}

/** `ConversationRepository` over SQLite. */
export class SqliteConversations implements ConversationRepository {
  constructor(private readonly ctx: SqliteContext) {}

  create(c: NewConversation = {}): Promise<ConversationRecord> {
    return guard('create conversation', () => {
      const now = this.ctx.now();
      const record: ConversationRecord = {
        id: c.id ?? newId(now),
        title: c.title ?? null,
        model: c.model ?? null,
        system: c.system ?? null,
        metadata: c.metadata ?? {},
        createdAt: now,
        updatedAt: now,
      };
      try {
        this.ctx.db.prepare(INSERT_CONVERSATION).run(conversationParams(record));
      } catch (e) {
        if (sqliteCode(e)?.startsWith('SQLITE_CONSTRAINT'))
          throw new ConflictError('conversation', record.id);
        throw e;
      }
      return record;
    });
  }

  get(id: string): Promise<ConversationRecord | undefined> {
    return guard('read conversation', () => {
      const row = this.ctx.db.prepare('SELECT * FROM conversations WHERE id = ?').get(id) as
        ConversationRow | undefined;
      return row && conversationFrom(row);
    });
  }

  list(opts: { limit?: number; offset?: number } = {}): Promise<ConversationSummary[]> {
    return guard('list conversations', () => {
      const rows = this.ctx.db
        .prepare(
          `SELECT c.*, (SELECT count(*) FROM messages m WHERE m.conversation_id = c.id) AS message_count
           FROM conversations c ORDER BY c.updated_at DESC, c.id DESC LIMIT ? OFFSET ?`,
        )
        .all(count(opts.limit, -1), count(opts.offset, 0)) as ConversationRow[];
      return rows.map((r) => ({ ...conversationFrom(r), messageCount: r.message_count ?? 0 }));
    });
  }

  latest(): Promise<ConversationRecord | undefined> {
    return guard('read conversation', () => {
      const row = this.ctx.db
        .prepare('SELECT * FROM conversations ORDER BY updated_at DESC, id DESC LIMIT 1')
        .get() as ConversationRow | undefined;
      return row && conversationFrom(row);
    });
  }

  update(id: string, patch: ConversationPatch): Promise<ConversationRecord> {
    return guard('update conversation', () => {
      const row = this.ctx.db.prepare('SELECT * FROM conversations WHERE id = ?').get(id) as
        ConversationRow | undefined;
      if (!row) throw new NotFoundError('conversation', id);
      const next: ConversationRecord = {
        ...conversationFrom(row),
        ...defined(patch),
        updatedAt: this.ctx.now(),
      };
      this.ctx.db
        .prepare(
          `UPDATE conversations SET title = @title, model = @model, system = @system, metadata = @metadata,
           updated_at = @updatedAt WHERE id = @id`,
        )
        .run(conversationParams(next));
      return next;
    });
  }

  delete(id: string): Promise<boolean> {
    return guard('delete conversation', () => {
      return this.ctx.db.prepare('DELETE FROM conversations WHERE id = ?').run(id).changes > 0;
    });
  }

  insert(conversation: ConversationRecord, messages: MessageRecord[]): Promise<void> {
    return guard('insert conversation', () => {
      const db = this.ctx.db;
      db.transaction(() => {
        if (db.prepare('SELECT 1 FROM conversations WHERE id = ?').get(conversation.id)) {
          throw new ConflictError('conversation', conversation.id);
        }
        db.prepare(INSERT_CONVERSATION).run(conversationParams(conversation));
        const insert = db.prepare(INSERT_MESSAGE);
        for (const m of messages) {
          try {
            insert.run(messageParams({ ...m, conversationId: conversation.id }));
          } catch (e) {
            if (sqliteCode(e)?.startsWith('SQLITE_CONSTRAINT')) throw new ConflictError('message', m.id);
            throw e;
          }
        }
      }).immediate();
    });
  }
}

/** `MessageRepository` over SQLite. */
export class SqliteMessages implements MessageRepository {
  constructor(private readonly ctx: SqliteContext) {}

  append(conversationId: string, m: NewMessage): Promise<MessageRecord> {
    return guard('append message', () => {
      const db = this.ctx.db;
      return db
        .transaction((): MessageRecord => {
          const now = this.ctx.now();
          const conv = db
            .prepare('UPDATE conversations SET updated_at = max(updated_at, ?) WHERE id = ?')
            .run(now, conversationId);
          if (conv.changes === 0) throw new NotFoundError('conversation', conversationId);
          const { seq } = db
            .prepare('SELECT coalesce(max(seq) + 1, 0) AS seq FROM messages WHERE conversation_id = ?')
            .get(conversationId) as { seq: number };
          const record: MessageRecord = {
            id: newId(now),
            conversationId,
            seq,
            role: m.role,
            parts: m.parts,
            model: m.model ?? null,
            status: m.status ?? 'complete',
            finishReason: m.finishReason ?? null,
            error: m.error ?? null,
            usage: m.usage ?? null,
            timings: m.timings ?? null,
            createdAt: now,
            updatedAt: now,
          };
          db.prepare(INSERT_MESSAGE).run(messageParams(record));
          return record;
        })
        .immediate();
    });
  }

  update(id: string, patch: MessagePatch): Promise<MessageRecord> {
    return guard('update message', () => {
      const db = this.ctx.db;
      return db
        .transaction((): MessageRecord => {
          const row = db.prepare('SELECT * FROM messages WHERE id = ?').get(id) as MessageRow | undefined;
          if (!row) throw new NotFoundError('message', id);
          const next: MessageRecord = { ...messageFrom(row), ...defined(patch), updatedAt: this.ctx.now() };
          db.prepare(
            `UPDATE messages SET parts = @parts, text = @text, model = @model, status = @status,
             finish_reason = @finishReason, error = @error, usage = @usage, timings = @timings,
             updated_at = @updatedAt WHERE id = @id`,
          ).run(messageParams(next));
          db.prepare('UPDATE conversations SET updated_at = max(updated_at, ?) WHERE id = ?').run(
            next.updatedAt,
            next.conversationId,
          );
          return next;
        })
        .immediate();
    });
  }

  get(id: string): Promise<MessageRecord | undefined> {
    return guard('read message', () => {
      const row = this.ctx.db.prepare('SELECT * FROM messages WHERE id = ?').get(id) as
        MessageRow | undefined;
      return row && messageFrom(row);
    });
  }

  list(conversationId: string): Promise<MessageRecord[]> {
    return guard('read messages', () => {
      const rows = this.ctx.db
        .prepare('SELECT * FROM messages WHERE conversation_id = ? ORDER BY seq')
        .all(conversationId) as MessageRow[];
      return rows.map(messageFrom);
    });
  }
}
