/** Per-request timings in SQLite, for stats. */
import { requestFrom, type RequestRow } from '../rows.js';
import type { RequestLogRepository } from '../conversation-store.js';
import { newId } from '../ids.js';
import type { NewRequest, RequestRecord, RequestStats } from '../types.js';
import { count, guard, type SqliteContext } from './sqlite-util.js';

/** `RequestLogRepository` over SQLite. */
export class SqliteRequests implements RequestLogRepository {
  constructor(private readonly ctx: SqliteContext) {}

  record(r: NewRequest): Promise<RequestRecord> {
    return guard('record request', () => {
      const now = this.ctx.now();
      const record: RequestRecord = {
        ...r,
        id: newId(now),
        conversationId: r.conversationId ?? null,
        messageId: r.messageId ?? null,
        cached: r.cached ?? false,
        createdAt: now,
      };
      this.ctx.db
        .prepare(
          `INSERT INTO requests (id, conversation_id, message_id, model, source, status, finish_reason,
             error_code, cached, input_tokens, output_tokens, total_tokens, ttft_ms, total_ms,
             tokens_per_second, created_at)
           VALUES (@id, @conversationId, @messageId, @model, @source, @status, @finishReason, @errorCode,
             @cached, @inputTokens, @outputTokens, @totalTokens, @ttftMs, @totalMs, @tokensPerSecond,
             @createdAt)`,
        )
        .run({
          ...record,
          cached: record.cached ? 1 : 0,
          inputTokens: r.usage.inputTokens ?? null,
          outputTokens: r.usage.outputTokens ?? null,
          totalTokens: r.usage.totalTokens ?? null,
          ttftMs: r.timings.ttftMs,
          totalMs: r.timings.totalMs,
          tokensPerSecond: r.timings.tokensPerSecond,
        });
      return record;
    });
  }

  list(opts: { model?: string; since?: number; limit?: number } = {}): Promise<RequestRecord[]> {
    return guard('list requests', () => {
      const rows = this.ctx.db
        .prepare(
          `SELECT * FROM requests WHERE (@model IS NULL OR model = @model) AND created_at >= @since
           ORDER BY created_at DESC, id DESC LIMIT @limit`,
        )
        .all({
          model: opts.model ?? null,
          since: opts.since ?? 0,
          limit: count(opts.limit, -1),
        }) as RequestRow[];
      return rows.map(requestFrom);
    });
  }

  stats(opts: { since?: number } = {}): Promise<RequestStats[]> {
    return guard('request stats', () => {
      return this.ctx.db
        .prepare(
          `SELECT model, count(*) AS requests,
             sum(status = 'error') AS errors, sum(status = 'partial') AS partial, sum(cached) AS cached,
             coalesce(sum(input_tokens), 0) AS inputTokens, coalesce(sum(output_tokens), 0) AS outputTokens,
             avg(ttft_ms) AS avgTtftMs, avg(tokens_per_second) AS avgTokensPerSecond
           FROM requests WHERE created_at >= ? GROUP BY model ORDER BY model`,
        )
        .all(opts.since ?? 0) as RequestStats[];
    });
  }
}
