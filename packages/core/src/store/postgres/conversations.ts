/** Conversation and message queries of the PostgreSQL store. */
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
import {
  defined,
  limitOf,
  pgCode,
  searchable,
  toJson,
  type PgContext,
  type Queryable,
} from './pg-context.js';

const CONVERSATION_COLUMNS = 'id, title, model, system, metadata, created_at, updated_at';
const MESSAGE_COLUMNS = `id, conversation_id, seq, role, parts, model, status, finish_reason, error, usage,
  timings, created_at, updated_at`;

function insertConversation(q: Queryable, c: ConversationRecord): Promise<unknown> {
  return q.query(`INSERT INTO conversations (${CONVERSATION_COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7)`, [
    c.id,
    c.title,
    c.model,
    c.system,
    JSON.stringify(c.metadata),
    c.createdAt,
    c.updatedAt,
  ]);
}

function insertMessage(q: Queryable, m: MessageRecord): Promise<unknown> {
  return q.query(
    `INSERT INTO messages (id, conversation_id, seq, role, parts, text, model, status, finish_reason,
       error, usage, timings, created_at, updated_at)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)`,
    [
      m.id,
      m.conversationId,
      m.seq,
      m.role,
      JSON.stringify(m.parts),
      searchable(partsText(m.parts)),
      m.model,
      m.status,
      m.finishReason,
      toJson(m.error),
      toJson(m.usage),
      toJson(m.timings),
      m.createdAt,
      m.updatedAt,
    ],
  );
}

/** `ConversationRepository` over PostgreSQL. */
export class PgConversations implements ConversationRepository {
  constructor(private readonly ctx: PgContext) {}

  async create(c: NewConversation = {}): Promise<ConversationRecord> {
    const q = await this.ctx.pool();
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
      await insertConversation(q, record);
    } catch (e) {
      if (pgCode(e) === '23505') throw new ConflictError('conversation', record.id);
      throw e;
    }
    return record;
  }

  async get(id: string): Promise<ConversationRecord | undefined> {
    const q = await this.ctx.pool();
    const { rows } = await q.query<ConversationRow>(
      `SELECT ${CONVERSATION_COLUMNS} FROM conversations WHERE id = $1`,
      [id],
    );
    return rows[0] && conversationFrom(rows[0]);
  }

  async list(opts: { limit?: number; offset?: number } = {}): Promise<ConversationSummary[]> {
    const q = await this.ctx.pool();
    const { rows } = await q.query<ConversationRow>(
      `SELECT c.*, (SELECT count(*) FROM messages m WHERE m.conversation_id = c.id) AS message_count
       FROM conversations c ORDER BY c.updated_at DESC, c.id COLLATE "C" DESC LIMIT $1 OFFSET $2`,
      [limitOf(opts.limit, null), limitOf(opts.offset, 0)],
    );
    return rows.map((r) => ({ ...conversationFrom(r), messageCount: r.message_count ?? 0 }));
  }

  async latest(): Promise<ConversationRecord | undefined> {
    const q = await this.ctx.pool();
    const { rows } = await q.query<ConversationRow>(
      `SELECT ${CONVERSATION_COLUMNS} FROM conversations ORDER BY updated_at DESC, id COLLATE "C" DESC LIMIT 1`,
    );
    return rows[0] && conversationFrom(rows[0]);
  }

  update(id: string, patch: ConversationPatch): Promise<ConversationRecord> {
    return this.ctx.tx(async (q) => {
      const { rows } = await q.query<ConversationRow>(
        `SELECT ${CONVERSATION_COLUMNS} FROM conversations WHERE id = $1 FOR UPDATE`,
        [id],
      );
      if (!rows[0]) throw new NotFoundError('conversation', id);
      const next: ConversationRecord = {
        ...conversationFrom(rows[0]),
        ...defined(patch),
        updatedAt: this.ctx.now(),
      };
      await q.query(
        `UPDATE conversations SET title = $2, model = $3, system = $4, metadata = $5, updated_at = $6
         WHERE id = $1`,
        [id, next.title, next.model, next.system, JSON.stringify(next.metadata), next.updatedAt],
      );
      return next;
    });
  }

  async delete(id: string): Promise<boolean> {
    const q = await this.ctx.pool();
    const r = await q.query('DELETE FROM conversations WHERE id = $1', [id]);
    return (r.rowCount ?? 0) > 0;
  }

  insert(conversation: ConversationRecord, messages: MessageRecord[]): Promise<void> {
    return this.ctx.tx(async (q) => {
      const exists = await q.query('SELECT 1 FROM conversations WHERE id = $1', [conversation.id]);
      if (exists.rows.length > 0) throw new ConflictError('conversation', conversation.id);
      try {
        await insertConversation(q, conversation);
      } catch (e) {
        if (pgCode(e) === '23505') throw new ConflictError('conversation', conversation.id);
        throw e;
      }
      for (const m of messages) {
        try {
          await insertMessage(q, { ...m, conversationId: conversation.id });
        } catch (e) {
          if (pgCode(e) === '23505') throw new ConflictError('message', m.id);
          throw e;
        }
      }
    });
  }
}

/** `MessageRepository` over PostgreSQL. */
export class PgMessages implements MessageRepository {
  constructor(private readonly ctx: PgContext) {}

  append(conversationId: string, m: NewMessage): Promise<MessageRecord> {
    return this.ctx.tx(async (q) => {
      const now = this.ctx.now();
      // Locks the conversation's row: appends to one conversation from several instances
      // take turns, so each gets the next seq.
      const conv = await q.query(
        'UPDATE conversations SET updated_at = greatest(updated_at, $1) WHERE id = $2',
        [now, conversationId],
      );
      if (conv.rowCount === 0) throw new NotFoundError('conversation', conversationId);
      const { rows } = await q.query<{ seq: number }>(
        'SELECT coalesce(max(seq) + 1, 0)::integer AS seq FROM messages WHERE conversation_id = $1',
        [conversationId],
      );
      const record: MessageRecord = {
        id: newId(now),
        conversationId,
        seq: rows[0]?.seq ?? 0,
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
      await insertMessage(q, record);
      return record;
    });
  }

  update(id: string, patch: MessagePatch): Promise<MessageRecord> {
    return this.ctx.tx(async (q) => {
      const { rows } = await q.query<MessageRow>(
        `SELECT ${MESSAGE_COLUMNS} FROM messages WHERE id = $1 FOR UPDATE`,
        [id],
      );
      if (!rows[0]) throw new NotFoundError('message', id);
      const next: MessageRecord = { ...messageFrom(rows[0]), ...defined(patch), updatedAt: this.ctx.now() };
      await q.query(
        `UPDATE messages SET parts = $2, text = $3, model = $4, status = $5, finish_reason = $6, error = $7,
           usage = $8, timings = $9, updated_at = $10 WHERE id = $1`,
        [
          id,
          JSON.stringify(next.parts),
          searchable(partsText(next.parts)),
          next.model,
          next.status,
          next.finishReason,
          toJson(next.error),
          toJson(next.usage),
          toJson(next.timings),
          next.updatedAt,
        ],
      );
      await q.query('UPDATE conversations SET updated_at = greatest(updated_at, $1) WHERE id = $2', [
        next.updatedAt,
        next.conversationId,
      ]);
      return next;
    });
  }

  async get(id: string): Promise<MessageRecord | undefined> {
    const q = await this.ctx.pool();
    const { rows } = await q.query<MessageRow>(`SELECT ${MESSAGE_COLUMNS} FROM messages WHERE id = $1`, [id]);
    return rows[0] && messageFrom(rows[0]);
  }

  async list(conversationId: string): Promise<MessageRecord[]> {
    const q = await this.ctx.pool();
    const { rows } = await q.query<MessageRow>(
      `SELECT ${MESSAGE_COLUMNS} FROM messages WHERE conversation_id = $1 ORDER BY seq`,
      [conversationId],
    );
    return rows.map(messageFrom);
  }
}
