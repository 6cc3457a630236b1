/**
 * The saved conversations (docs/history.md) over HTTP: `GET /api/conversations` (newest
 * first, or a full-text search with `q`), `GET /api/conversations/:id` with its messages, and
 * `DELETE /api/conversations/:id`. Errors are in OpenAI's shape, like the rest of the server.
 */
import { ID_PATTERN, ParleyError, type ConversationStore, type Parley } from '@parley/core';
import type { FastifyInstance } from 'fastify';
import { HttpError } from './http-errors.js';

/** Most conversations one list returns. */
export const MAX_LIST_LIMIT = 200;
const DEFAULT_LIST_LIMIT = 50;
/** Longest search text accepted. */
export const MAX_QUERY_CHARS = 1000;

type Query = Record<string, string | string[] | undefined>;

/** One query parameter as a single string (a repeated one is refused). */
function single(query: Query, name: string): string | undefined {
  const v = query[name];
  if (Array.isArray(v)) throw new HttpError(400, `${name}: give it once`, { param: name });
  return v;
}

function intParam(query: Query, name: string, def: number, min: number, max: number): number {
  const raw = single(query, name);
  if (raw === undefined) return def;
  if (!/^\d{1,10}$/.test(raw) || Number(raw) < min || Number(raw) > max) {
    throw new HttpError(400, `${name}: must be a whole number from ${min} to ${max}`, { param: name });
  }
  return Number(raw);
}

function conversationId(raw: string): string {
  if (!ID_PATTERN.test(raw)) {
    throw new HttpError(400, 'id: not a conversation id (letters, digits, - and _, at most 64)', {
      param: 'id',
      code: 'invalid_id',
    });
  }
  return raw;
}

function notFound(id: string): HttpError {
  return new HttpError(404, `no conversation with id "${id}"`, {
    param: 'id',
    code: 'conversation_not_found',
  });
}

/** Run `fn` on the store; a store that cannot be opened or read is a 503. */
async function withStore<T>(parley: Parley, fn: (store: ConversationStore) => Promise<T>): Promise<T> {
  try {
    return await fn(parley.store());
  } catch (e) {
    if (e instanceof HttpError) throw e;
    const why = e instanceof ParleyError ? e.message : 'the history store failed';
    throw new HttpError(503, `history: ${why}`, { code: 'store_unavailable' });
  }
}

/** Register the routes on `app`. */
export function registerConversationRoutes(app: FastifyInstance, parley: Parley): void {
  app.get<{ Querystring: Query }>('/api/conversations', async (req) => {
    const query = req.query;
    const limit = intParam(query, 'limit', DEFAULT_LIST_LIMIT, 1, MAX_LIST_LIMIT);
    const q = single(query, 'q');
    if (q === undefined) {
      const offset = intParam(query, 'offset', 0, 0, 1_000_000_000);
      const data = await withStore(parley, (s) => s.conversations.list({ limit, offset }));
      return { object: 'list', data };
    }
    if (q.trim() === '' || q.length > MAX_QUERY_CHARS) {
      throw new HttpError(400, `q: give 1 to ${MAX_QUERY_CHARS} characters to search for`, { param: 'q' });
    }
    const data = await withStore(parley, async (s) => {
      // Best hit first, one entry per conversation.
      const hits = await s.search(q, { limit: Math.min(limit * 4, 1000) });
      const out: Record<string, unknown>[] = [];
      const seen = new Set<string>();
      for (const h of hits) {
        if (out.length >= limit || seen.has(h.conversationId)) continue;
        seen.add(h.conversationId);
        const c = await s.conversations.get(h.conversationId);
        if (c) out.push({ ...c, match: { messageId: h.messageId, seq: h.seq, snippet: h.snippet } });
      }
      return out;
    });
    return { object: 'list', query: q, data };
  });

  app.get<{ Params: { id: string } }>('/api/conversations/:id', async (req) => {
    const id = conversationId(req.params.id);
    return withStore(parley, async (s) => {
      const c = await s.conversations.get(id);
      if (!c) throw notFound(id);
      return { ...c, messages: await s.messages.list(id) };
    });
  });

  app.delete<{ Params: { id: string } }>('/api/conversations/:id', async (req) => {
    const id = conversationId(req.params.id);
    const deleted = await withStore(parley, (s) => s.conversations.delete(id));
    if (!deleted) throw notFound(id);
    return { id, object: 'conversation.deleted', deleted: true };
  });
}
