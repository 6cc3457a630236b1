/** Assistants and their threads in PostgreSQL. */
import type { AssistantRepository } from '../conversation-store.js';
import { assistantFrom, conversationFrom, type AssistantRow, type ConversationRow } from '../rows.js';
import { ConflictError, NotFoundError } from '../store-errors.js';
import type { AssistantPatch, AssistantRecord, ConversationSummary, NewAssistant } from '../types.js';
import { defined, limitOf, pgCode, type PgContext } from './pg-context.js';

/** `AssistantRepository` over PostgreSQL. */
export class PgAssistants implements AssistantRepository {
  constructor(private readonly ctx: PgContext) {}

  async create(a: NewAssistant): Promise<AssistantRecord> {
    const now = this.ctx.now();
    const r: AssistantRecord = {
      name: a.name,
      instructions: a.instructions,
      model: a.model ?? null,
      tools: [...(a.tools ?? [])],
      createdAt: now,
      updatedAt: now,
    };
    const q = await this.ctx.pool();
    const { rowCount } = await q.query(
      `INSERT INTO assistants (name, instructions, model, tools, created_at, updated_at)
       VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (name) DO NOTHING`,
      [r.name, r.instructions, r.model, JSON.stringify(r.tools), now, now],
    );
    if (rowCount === 0) throw new ConflictError('assistant', r.name, 'use --force to replace it');
    return r;
  }

  async get(name: string): Promise<AssistantRecord | undefined> {
    const q = await this.ctx.pool();
    const { rows } = await q.query<AssistantRow>('SELECT * FROM assistants WHERE name = $1', [name]);
    return rows[0] && assistantFrom(rows[0]);
  }

  async list(): Promise<AssistantRecord[]> {
    const q = await this.ctx.pool();
    const { rows } = await q.query<AssistantRow>('SELECT * FROM assistants ORDER BY name COLLATE "C"');
    return rows.map(assistantFrom);
  }

  update(name: string, patch: AssistantPatch): Promise<AssistantRecord> {
    return this.ctx.tx(async (q) => {
      const { rows } = await q.query<AssistantRow>('SELECT * FROM assistants WHERE name = $1 FOR UPDATE', [
        name,
      ]);
      if (!rows[0]) throw new NotFoundError('assistant', name);
      const next: AssistantRecord = {
        ...assistantFrom(rows[0]),
        ...defined(patch),
        updatedAt: this.ctx.now(),
      };
      await q.query(
        'UPDATE assistants SET instructions = $1, model = $2, tools = $3, updated_at = $4 WHERE name = $5',
        [next.instructions, next.model, JSON.stringify(next.tools), next.updatedAt, name],
      );
      return next;
    });
  }

  async delete(name: string): Promise<boolean> {
    const q = await this.ctx.pool();
    // The threads' bindings go with it (ON DELETE CASCADE); the conversations stay.
    const { rowCount } = await q.query('DELETE FROM assistants WHERE name = $1', [name]);
    return (rowCount ?? 0) > 0;
  }

  async bindThread(name: string, conversationId: string): Promise<void> {
    const q = await this.ctx.pool();
    try {
      await q.query(
        `INSERT INTO assistant_threads (conversation_id, assistant, created_at) VALUES ($1, $2, $3)
         ON CONFLICT (conversation_id) DO UPDATE SET assistant = excluded.assistant`,
        [conversationId, name, this.ctx.now()],
      );
    } catch (e) {
      if (pgCode(e) !== '23503') throw e;
      const known = await q.query('SELECT 1 FROM assistants WHERE name = $1', [name]);
      throw known.rowCount
        ? new NotFoundError('conversation', conversationId)
        : new NotFoundError('assistant', name);
    }
  }

  async threadOf(conversationId: string): Promise<string | undefined> {
    const q = await this.ctx.pool();
    const { rows } = await q.query<{ assistant: string }>(
      'SELECT assistant FROM assistant_threads WHERE conversation_id = $1',
      [conversationId],
    );
    return rows[0]?.assistant;
  }

  async threads(name: string, opts: { limit?: number } = {}): Promise<ConversationSummary[]> {
    const q = await this.ctx.pool();
    const { rows } = await q.query<ConversationRow>(
      `SELECT c.*, (SELECT count(*) FROM messages m WHERE m.conversation_id = c.id) AS message_count
       FROM assistant_threads t JOIN conversations c ON c.id = t.conversation_id
       WHERE t.assistant = $1 ORDER BY c.updated_at DESC, c.id COLLATE "C" DESC LIMIT $2`,
      [name, limitOf(opts.limit, null)],
    );
    return rows.map((r) => ({ ...conversationFrom(r), messageCount: r.message_count ?? 0 }));
  }
}
