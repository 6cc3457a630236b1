/**
 * One chat completion from the core's event stream: streamed as `chat.completion.chunk`
 * events over SSE, or collected into one `chat.completion`.
 */
import type { ChatEvent, Usage } from '@parley/core';
import type { FastifyReply } from 'fastify';
import { HttpError, httpErrorFromInfo, streamErrorBody } from './http-errors.js';
import type { ParleyMetrics } from '@parley/core';
import { ChunkWriter, completionObject, finishReasonFor } from './openai-mapping.js';
import { SSE_DONE, SSE_HEADERS, SseStream, sseData } from './sse.js';
import type { StopSequences } from './stop-sequences.js';
import type { ActiveTurn } from './turns.js';

/** What a completion runs on. */
export interface CompletionContext {
  /** The core's events for this turn. */
  events: AsyncIterator<ChatEvent>;
  turn: ActiveTurn;
  stops: StopSequences;
  /** The model id as the client named it (echoed in every object). */
  model: string;
  metrics: ParleyMetrics;
  /** True once the client has gone away. */
  clientGone: () => boolean;
}

/** The next event that is not a notice (notices have no place in OpenAI's format). */
export async function nextEvent(it: AsyncIterator<ChatEvent>): Promise<ChatEvent | undefined> {
  for (;;) {
    const r = await it.next();
    if (r.done) return undefined;
    if (r.value.type !== 'notice') return r.value;
  }
}

/** The error for a turn that ended early: a model error, or a cancel by shutdown or by the client. */
export function earlyEndError(e: ChatEvent): HttpError {
  if (e.type === 'error') return httpErrorFromInfo(e.error);
  const reason = e.type === 'interrupted' ? e.reason : 'the stream ended without an answer';
  return new HttpError(503, `the answer was interrupted: ${reason}`, { code: 'interrupted' });
}

/**
 * Stream the turn as SSE, starting with `first` (already pulled, so an early error could
 * still become an HTTP status). Resolves with the terminal event once the response is over.
 */
export async function streamCompletion(
  reply: FastifyReply,
  first: ChatEvent,
  ctx: CompletionContext,
  includeUsage: boolean,
): Promise<ChatEvent | undefined> {
  const sse = new SseStream();
  reply.code(200).headers(SSE_HEADERS).send(sse.stream);
  const w = new ChunkWriter(ctx.model, includeUsage);
  await sse.write(sseData(w.chunk({ role: 'assistant', content: '' })));
  const flushHeld = async (): Promise<void> => {
    const held = ctx.stops.flush();
    if (held) await sse.write(sseData(w.chunk({ content: held })));
  };
  let ev: ChatEvent | undefined = first;
  try {
    while (ev) {
      switch (ev.type) {
        case 'text-delta': {
          const text = ctx.stops.push(ev.text);
          if (text) await sse.write(sseData(w.chunk({ content: text })));
          if (ctx.stops.stopped) ctx.turn.abort('stop sequence');
          break;
        }
        case 'reasoning-delta':
          if (!ctx.stops.stopped) await sse.write(sseData(w.chunk({ reasoning_content: ev.text })));
          break;
        case 'error':
          await sse.write(sseData(streamErrorBody(ev.error)));
          ctx.metrics.error('http', ev.error.code);
          return ev;
        case 'done':
        case 'interrupted': {
          if (ev.type === 'interrupted' && !ctx.stops.stopped) {
            // Cancelled by a shutdown (the client is still there: tell it) or by the client itself.
            if (!ctx.clientGone()) {
              await flushHeld();
              await sse.write(sseData(earlyEndError(ev).body()));
              ctx.metrics.error('http', 'interrupted');
            }
            return ev;
          }
          await flushHeld();
          const finish = ev.type === 'done' ? finishReasonFor(ev.finishReason) : 'stop';
          await sse.write(sseData(w.chunk({}, finish)));
          if (includeUsage) await sse.write(sseData(w.usageChunk(ev.usage)));
          await sse.write(SSE_DONE);
          return ev;
        }
        default:
          break;
      }
      const next: IteratorResult<ChatEvent> = await ctx.events.next();
      ev = next.done ? undefined : next.value;
    }
    return undefined;
  } finally {
    sse.end();
  }
}

/** The collected answer of a non-streaming completion, or why there is none. */
export type CollectedCompletion =
  | { ok: true; body: Record<string, unknown>; terminal: ChatEvent }
  | { ok: false; error: HttpError; terminal: ChatEvent | undefined };

/** Run the turn to its end and build one `chat.completion`. */
export async function collectCompletion(
  first: ChatEvent,
  ctx: CompletionContext,
): Promise<CollectedCompletion> {
  let text = '';
  let reasoning = '';
  let ev: ChatEvent | undefined = first;
  while (ev) {
    if (ev.type === 'text-delta') {
      text += ctx.stops.push(ev.text);
      if (ctx.stops.stopped) ctx.turn.abort('stop sequence');
    } else if (ev.type === 'reasoning-delta') {
      if (!ctx.stops.stopped) reasoning += ev.text;
    } else if (ev.type === 'error' || (ev.type === 'interrupted' && !ctx.stops.stopped)) {
      return { ok: false, error: earlyEndError(ev), terminal: ev };
    } else if (ev.type === 'done' || ev.type === 'interrupted') {
      text += ctx.stops.flush();
      const finish = ev.type === 'done' ? finishReasonFor(ev.finishReason) : 'stop';
      const usage: Usage = ev.usage;
      return { ok: true, body: completionObject(ctx.model, text, reasoning, finish, usage), terminal: ev };
    }
    const next: IteratorResult<ChatEvent> = await ctx.events.next();
    ev = next.done ? undefined : next.value;
  }
  return {
    ok: false,
    error: new HttpError(500, 'the stream ended without an answer', { code: 'internal' }),
    terminal: undefined,
  };
}
