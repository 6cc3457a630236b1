/**
 * Full-text search over message text with PostgreSQL's `tsvector`: the `parley_search`
 * configuration ignores case and accents and does not stem (like the SQLite store's FTS5
 * index), matches are ranked with `ts_rank` and shown with `ts_headline`.
 */
import { UsageError } from '../../errors.js';
import type { SearchHit, SearchOptions } from '../types.js';
import { limitOf, type PgContext } from './pg-context.js';

/** Longest query accepted, in characters. */
const MAX_QUERY_CHARS = 1000;

interface HitRow {
  conversation_id: string;
  message_id: string;
  seq: number;
  role: SearchHit['role'];
  title: string | null;
  snippet: string;
  created_at: number;
}

/** One `ts_headline` option value, double-quoted (a quote inside is doubled). */
function optionValue(v: string): string {
  return `"${v.replace(/"/g, '""')}"`;
}

/**
 * Search message text; see `SearchOptions`. `words` is `plainto_tsquery` (every word, nothing
 * special); `advanced` is `websearch_to_tsquery` (`"a phrase"`, `or`, `-word`), which accepts
 * any text. Throws `UsageError` for an empty or too long query.
 */
export async function searchMessages(
  ctx: PgContext,
  query: string,
  opts: SearchOptions = {},
): Promise<SearchHit[]> {
  if (query.trim() === '') throw new UsageError('the search text is empty');
  if (query.length > MAX_QUERY_CHARS) {
    throw new UsageError(`the search text is ${query.length} characters, more than ${MAX_QUERY_CHARS}`);
  }
  // eslint-disable-next-line no-control-regex
  const text = query.replace(/[\u0000-\u001f]/g, ' ');
  const parse = opts.syntax === 'advanced' ? 'websearch_to_tsquery' : 'plainto_tsquery';
  const open = opts.highlight?.open ?? '[';
  const close = opts.highlight?.close ?? ']';
  const headline = [
    `StartSel=${optionValue(open)}`,
    `StopSel=${optionValue(close)}`,
    'MaxWords=16',
    'MinWords=6',
    'ShortWord=0',
    'MaxFragments=1',
    `FragmentDelimiter=${optionValue('…')}`,
  ].join(', ');
  const q = await ctx.pool();
  const { rows } = await q.query<HitRow>(
    `WITH query AS (SELECT ${parse}('parley_search', $1) AS q)
     SELECT m.conversation_id, m.id AS message_id, m.seq, m.role, c.title, m.created_at,
       ts_headline('parley_search', m.text, query.q, $2) AS snippet
     FROM query, messages m JOIN conversations c ON c.id = m.conversation_id
     WHERE m.search @@ query.q AND ($3::text IS NULL OR m.conversation_id = $3)
     ORDER BY ts_rank(m.search, query.q) DESC, m.created_at DESC
     LIMIT $4`,
    [text, headline, opts.conversationId ?? null, limitOf(opts.limit, 20)],
  );
  return rows.map((r) => ({
    conversationId: r.conversation_id,
    messageId: r.message_id,
    seq: r.seq,
    role: r.role,
    title: r.title,
    snippet: r.snippet,
    createdAt: r.created_at,
  }));
}
