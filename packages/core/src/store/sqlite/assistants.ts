/** Assistants and their threads in SQLite. */
import type { AssistantRepository } from '../conversation-store.js';
import { assistantFrom, conversationFrom, type AssistantRow, type ConversationRow } from '../rows.js';
import { ConflictError, NotFoundError } from '../store-errors.js';
import type { AssistantPatch, AssistantRecord, ConversationSummary, NewAssistant } from '../types.js';
import { count, defined, guard, type SqliteContext } from './sqlite-util.js';

/** `AssistantRepository` over SQLite. */
export class SqliteAssistants implements AssistantRepository {
  constructor(private readonly ctx: SqliteContext) {}

  private row(name: string): AssistantRow | undefined {
    return this.ctx.db.prepare('SELECT * FROM assistants WHERE name = ?').get(name) as
      AssistantRow | undefined;
  }

  create(a: NewAssistant): Promise<AssistantRecord> {
    return guard('create assistant', () => {
      const now = this.ctx.now();
      const r: AssistantRecord = {
        name: a.name,
        instructions: a.instructions,
        model: a.model ?? null,
        tools: [...(a.tools ?? [])],
        createdAt: now,
        updatedAt: now,
      };
      const res = this.ctx.db
        .prepare(
          `INSERT INTO assistants (name, instructions, model, tools, created_at, updated_at)
           VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (name) DO NOTHING`,
        )
        .run(r.name, r.instructions, r.model, JSON.stringify(r.tools), now, now);
      if (res.changes === 0) throw new ConflictError('assistant', r.name, 'use --force to replace it');
      return r;
    });
  }

  get(name: string): Promise<AssistantRecord | undefined> {
    return guard('read assistant', () => {
      const row = this.row(name);
      return row && assistantFrom(row);
    });
  }

  list(): Promise<AssistantRecord[]> {
    return guard('list assistants', () =>
      (this.ctx.db.prepare('SELECT * FROM assistants ORDER BY name').all() as AssistantRow[]).map(
        assistantFrom,
      ),
    );
  }

  update(name: string, patch: AssistantPatch): Promise<AssistantRecord> {
    return guard('update assistant', () => {
      const row = this.row(name);
      if (!row) throw new NotFoundError('assistant', name);
      const next: AssistantRecord = { ...assistantFrom(row), ...defined(patch), updatedAt: this.ctx.now() };
      this.ctx.db
        .prepare(
          'UPDATE assistants SET instructions = ?, model = ?, tools = ?, updated_at = ? WHERE name = ?',
        )
        .run(next.instructions, next.model, JSON.stringify(next.tools), next.updatedAt, name);
      return next;
    });
  }

  delete(name: string): Promise<boolean> {
    return guard('delete assistant', () => {
      // The threads' bindings go with it (ON DELETE CASCADE); the conversations stay.
      return this.ctx.db.prepare('DELETE FROM assistants WHERE name = ?').run(name).changes > 0;
    });
  }

  bindThread(name: string, conversationId: string): Promise<void> {
    return guard('bind thread', () => {
      const db = this.ctx.db;
      if (!this.row(name)) throw new NotFoundError('assistant', name);
      if (!db.prepare('SELECT 1 FROM conversations WHERE id = ?').get(conversationId)) {
        throw new NotFoundError('conversation', conversationId);
      }
      db.prepare(
        `INSERT INTO assistant_threads (conversation_id, assistant, created_at) VALUES (?, ?, ?)
         ON CONFLICT (conversation_id) DO UPDATE SET assistant = excluded.assistant`,
      ).run(conversationId, name, this.ctx.now());
    });
  }

  threadOf(conversationId: string): Promise<string | undefined> {
    return guard('read thread', () => {
      const row = this.ctx.db
        .prepare('SELECT assistant FROM assistant_threads WHERE conversation_id = ?')
        .get(conversationId) as { assistant: string } | undefined;
      return row?.assistant;
    });
  }

  threads(name: string, opts: { limit?: number } = {}): Promise<ConversationSummary[]> {
    return guard('list threads', () => {
      const rows = this.ctx.db
        .prepare(
          `SELECT c.*, (SELECT count(*) FROM messages m WHERE m.conversation_id = c.id) AS message_count
           FROM assistant_threads t JOIN conversations c ON c.id = t.conversation_id
           WHERE t.assistant = ? ORDER BY c.updated_at DESC, c.id DESC LIMIT ?`,
        )
        .all(name, count(opts.limit, -1)) as ConversationRow[];
      return rows.map((r) => ({ ...conversationFrom(r), messageCount: r.message_count ?? 0 }));
    });
  }
}
