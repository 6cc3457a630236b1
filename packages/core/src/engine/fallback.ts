/**
 * A fallback chain: when a model fails before its first token (after its own retries), the
 * next one is tried, with a `notice` saying so.
 */
import type { ChatModel, ChatRequest } from '../chat-model.js';
import { modelLabel } from '../chat-model.js';
import type { ChatEvent } from '../events.js';
import { streamWithRetry, type RetryOptions } from './retry.js';

/** Adapts a request to one model (trimming to its context) and reports what it changed. */
export type PrepareRequest = (model: ChatModel) => Promise<{ request: ChatRequest; notices: ChatEvent[] }>;

export async function* streamWithFallback(
  models: readonly ChatModel[],
  prepare: PrepareRequest,
  signal: AbortSignal | undefined,
  opts: RetryOptions,
): AsyncIterable<ChatEvent> {
  for (let i = 0; i < models.length; i++) {
    const model = models[i] as ChatModel;
    const next = models[i + 1];
    let started = false;
    let failed = false;
    const { request, notices } = await prepare(model);
    yield* notices;
    for await (const e of streamWithRetry(model, request, signal, opts)) {
      if (e.type === 'text-delta' || e.type === 'reasoning-delta' || e.type === 'tool-call') started = true;
      if (e.type === 'error' && !started && next && !signal?.aborted) {
        yield {
          type: 'notice',
          level: 'warn',
          code: 'fallback',
          message: `${modelLabel(model)} failed (${e.error.message}); falling back to ${modelLabel(next)}`,
        };
        failed = true;
        break;
      }
      yield e;
    }
    if (!failed) return;
  }
}
