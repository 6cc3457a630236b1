/** Full-text search over message text with SQLite FTS5. */
import { UsageError } from '../../errors.js';
import type { SearchHit, SearchOptions } from '../types.js';
import { count, guard, sqliteCode, type SqliteContext } from './sqlite-util.js';

/** Longest query accepted, in characters. */
const MAX_QUERY_CHARS = 1000;

/**
 * A query in which every word must appear and nothing is special: each word becomes an FTS5
 * string (double quotes doubled), so quotes, `*`, `:`, `(`, `NEAR` or SQL are just text.
 */
export function wordsQuery(text: string): string {
  return (
    text
      // eslint-disable-next-line no-control-regex
      .replace(/[\u0000-\u001f]/g, ' ')
      .split(/\s+/)
      .filter(Boolean)
      .map((w) => `"${w.replace(/"/g, '""')}"`)
      .join(' ')
  );
}

interface HitRow {
  conversation_id: string;
  message_id: string;
  seq: number;
  role: SearchHit['role'];
  title: string | null;
  snippet: string;
  created_at: number;
}

/** Search message text; see `SearchOptions`. Throws `UsageError` for an empty or invalid query. */
export function searchMessages(
  ctx: SqliteContext,
  query: string,
  opts: SearchOptions = {},
): Promise<SearchHit[]> {
  if (query.trim() === '') return Promise.reject(new UsageError('the search text is empty'));
  if (query.length > MAX_QUERY_CHARS) {
    return Promise.reject(
      new UsageError(`the search text is ${query.length} characters, more than ${MAX_QUERY_CHARS}`),
    );
  }
  const syntax = opts.syntax ?? 'words';
  const match = syntax === 'advanced' ? query : wordsQuery(query);
  const open = opts.highlight?.open ?? '[';
  const close = opts.highlight?.close ?? ']';
  return guard('search', () => {
    const where = opts.conversationId === undefined ? '' : 'AND m.conversation_id = @conversationId';
    const sql = `SELECT m.conversation_id, m.id AS message_id, m.seq, m.role, c.title, m.created_at,
        snippet(messages_fts, 0, @open, @close, '…', 16) AS snippet
      FROM messages_fts
      JOIN messages m ON m.n = messages_fts.rowid
      JOIN conversations c ON c.id = m.conversation_id
      WHERE messages_fts MATCH @match ${where}
      ORDER BY rank, m.created_at DESC
      LIMIT @limit`;
    let rows: HitRow[];
    try {
      rows = ctx.db.prepare(sql).all({
        match,
        open,
        close,
        limit: count(opts.limit, 20),
        conversationId: opts.conversationId ?? null,
      }) as HitRow[];
    } catch (e) {
      if (sqliteCode(e) === 'SQLITE_ERROR') {
        const reason = (e as Error).message.replace(/^fts5: /, '');
        throw new UsageError(
          `invalid search query ${JSON.stringify(query)}: ${reason}` +
            (syntax === 'advanced' ? ' (the FTS5 syntax: "a phrase", OR, NOT, prefix*, (groups))' : ''),
          { cause: e },
        );
      }
      throw e;
    }
    return rows.map((r) => ({
      conversationId: r.conversation_id,
      messageId: r.message_id,
      seq: r.seq,
      role: r.role,
      title: r.title,
      snippet: r.snippet,
      createdAt: r.created_at,
    }));
  });
}
