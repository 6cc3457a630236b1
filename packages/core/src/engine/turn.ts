/**
 * One turn through the chat engine: trimming to the context window (with a notice),
 * retries, the fallback chain or a race, and timings measured from the caller's side.
 */
import { hasCachedAnswer } from '../cache/response-cache.js';
import type { ChatModel, ChatRequest } from '../chat-model.js';
import { modelLabel } from '../chat-model.js';
import type { ChatEvent, Usage } from '../events.js';
import { isTerminalEvent } from '../events.js';
import { TurnClock } from '../util/clock.js';
import { streamWithFallback, type PrepareRequest } from './fallback.js';
import { raceModels } from './race.js';
import type { RetryOptions } from './retry.js';
import { estimateTokens, trimToFit } from './trim.js';

export interface TurnOptions extends RetryOptions {
  /** Keep at most this many messages of history. */
  historyLimit: number;
  /** Send to every model at once and stream the first to answer. */
  race?: boolean;
  signal?: AbortSignal | undefined;
}

/** Tokens kept free for the answer when `maxTokens` is not set. */
const DEFAULT_ANSWER_RESERVE = 512;

export function prepareFor(request: ChatRequest, historyLimit: number): PrepareRequest {
  return async (model) => {
    // A cached answer to the whole request needs no trimming, so no local model is loaded.
    if (await hasCachedAnswer(model, request)) return { request, notices: [] };
    const contextWindow = model.resolveContextWindow
      ? await model.resolveContextWindow().catch(() => model.capabilities.contextWindow)
      : model.capabilities.contextWindow;
    const count = model.countTokens
      ? (t: string) => model.countTokens!(t).catch(() => estimateTokens(t))
      : estimateTokens;
    const reserve = Math.min(
      request.maxTokens ?? DEFAULT_ANSWER_RESERVE,
      Math.floor((contextWindow ?? 4096) / 2),
    );
    const r = await trimToFit(request, {
      contextWindow,
      reserveTokens: reserve,
      historyLimit,
      countTokens: count,
    });
    const notices: ChatEvent[] = [];
    if (r.dropped > 0) {
      notices.push({
        type: 'notice',
        level: 'warn',
        code: 'history-trimmed',
        message: `dropped the ${r.dropped} oldest message${r.dropped === 1 ? '' : 's'} to fit ${model.provider}:${model.modelId}'s context window (${contextWindow ?? '?'} tokens)`,
      });
    }
    if (r.overflow) {
      notices.push({
        type: 'notice',
        level: 'warn',
        code: 'context-overflow',
        message: `the prompt (~${r.promptTokens} tokens) is larger than the context window (${contextWindow} tokens); the model may cut it`,
      });
    }
    return { request: r.request, notices };
  };
}

/**
 * Run one turn. Yields the models' events with `done` and `interrupted` timings replaced by
 * the caller-side clock (so time to first token includes retries and fallbacks), and always
 * ends with exactly one terminal event.
 */
export async function* runTurn(
  models: readonly ChatModel[],
  request: ChatRequest,
  opts: TurnOptions,
): AsyncIterable<ChatEvent> {
  const clock = new TurnClock();
  const prepare = prepareFor(request, opts.historyLimit);
  const inner =
    opts.race && models.length > 1
      ? raceModels(models, prepare, opts.signal, opts)
      : streamWithFallback(models, prepare, opts.signal, opts);
  let text = '';
  let usage: Usage = {};
  for await (const e of inner) {
    if (e.type === 'text-delta' || e.type === 'reasoning-delta') {
      clock.token();
      if (e.type === 'text-delta') text += e.text;
    }
    if (e.type === 'usage') usage = { ...usage, ...e.usage };
    if (e.type === 'done' || e.type === 'interrupted') {
      const merged = { ...usage, ...stripUndefined(e.usage) };
      const timings = clock.timings(merged.outputTokens);
      // A cached answer was replayed, not generated: a tokens/s figure would be fiction.
      if (e.type === 'done' && e.cached === true) timings.tokensPerSecond = null;
      yield { ...e, usage: merged, timings };
      return;
    }
    yield e;
    if (isTerminalEvent(e)) return;
  }
  // The inner stream ended without a terminal event: only an abort does that.
  yield clock.interrupted(models[0] ? modelLabel(models[0]) : 'unknown', opts.signal, text, usage);
}

function stripUndefined(u: Usage): Usage {
  return Object.fromEntries(Object.entries(u).filter(([, v]) => v !== undefined)) as Usage;
}
