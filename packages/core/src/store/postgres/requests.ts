/** Per-request timings in PostgreSQL, for stats. */
import { requestFrom, type RequestRow } from '../rows.js';
import type { RequestLogRepository } from '../conversation-store.js';
import { newId } from '../ids.js';
import type { NewRequest, RequestRecord, RequestStats } from '../types.js';
import { limitOf, type PgContext } from './pg-context.js';

/** `RequestLogRepository` over PostgreSQL. */
export class PgRequests implements RequestLogRepository {
  constructor(private readonly ctx: PgContext) {}

  async record(r: NewRequest): Promise<RequestRecord> {
    const q = await this.ctx.pool();
    const now = this.ctx.now();
    const record: RequestRecord = {
      ...r,
      id: newId(now),
      conversationId: r.conversationId ?? null,
      messageId: r.messageId ?? null,
      cached: r.cached ?? false,
      createdAt: now,
    };
    await q.query(
      `INSERT INTO requests (id, conversation_id, message_id, model, source, status, finish_reason,
         error_code, cached, input_tokens, output_tokens, total_tokens, ttft_ms, total_ms,
         tokens_per_second, created_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16)`,
      [
        record.id,
        record.conversationId,
        record.messageId,
        record.model,
        record.source,
        record.status,
        record.finishReason,
        record.errorCode,
        record.cached,
        r.usage.inputTokens ?? null,
        r.usage.outputTokens ?? null,
        r.usage.totalTokens ?? null,
        r.timings.ttftMs,
        r.timings.totalMs,
        r.timings.tokensPerSecond,
        record.createdAt,
      ],
    );
    return record;
  }

  async list(opts: { model?: string; since?: number; limit?: number } = {}): Promise<RequestRecord[]> {
    const q = await this.ctx.pool();
    const { rows } = await q.query<RequestRow>(
      `SELECT * FROM requests WHERE ($1::text IS NULL OR model = $1) AND created_at >= $2
       ORDER BY created_at DESC, id COLLATE "C" DESC LIMIT $3`,
      [opts.model ?? null, opts.since ?? 0, limitOf(opts.limit, null)],
    );
    return rows.map(requestFrom);
  }

  async stats(opts: { since?: number } = {}): Promise<RequestStats[]> {
    const q = await this.ctx.pool();
    const { rows } = await q.query<RequestStats>(
      `SELECT model, count(*) AS "requests",
         count(*) FILTER (WHERE status = 'error') AS "errors",
         count(*) FILTER (WHERE status = 'partial') AS "partial",
         count(*) FILTER (WHERE cached) AS "cached",
         coalesce(sum(input_tokens), 0)::bigint AS "inputTokens",
         coalesce(sum(output_tokens), 0)::bigint AS "outputTokens",
         avg(ttft_ms)::double precision AS "avgTtftMs",
         avg(tokens_per_second)::double precision AS "avgTokensPerSecond"
       FROM requests WHERE created_at >= $1 GROUP BY model ORDER BY model COLLATE "C"`,
      [opts.since ?? 0],
    );
    return rows;
  }
}
