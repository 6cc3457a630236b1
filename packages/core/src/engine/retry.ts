/**
 * Retries with exponential backoff and jitter on 429, 5xx and network errors, honouring
 * `Retry-After`, and a timeout on the wait for the first token and on any stall after it.
 * Only failures before the first token are retried: text already shown is never repeated.
 */
import type { ChatModel, ChatRequest } from '../chat-model.js';
import { modelLabel } from '../chat-model.js';
import type { ChatEvent, ErrorInfo } from '../events.js';
import { TimeoutError } from '../errors.js';
import { linkedController, sleep } from '../util/abort.js';

export interface RetryOptions {
  maxRetries: number;
  baseDelayMs: number;
  maxDelayMs: number;
  /** Longest wait for the first event, and between any two events. */
  timeoutMs: number;
  /** Injected for tests; defaults to Math.random. */
  random?: () => number;
}

/**
 * Backoff before retry number `attempt` (1-based): the server's `Retry-After` when it gave
 * one, else base·2^(attempt-1) capped at `maxDelayMs`, times a jitter in [0.5, 1).
 */
export function backoffDelay(attempt: number, opts: RetryOptions, retryAfterMs?: number): number {
  if (retryAfterMs !== undefined && retryAfterMs >= 0) return retryAfterMs;
  const exp = Math.min(opts.maxDelayMs, opts.baseDelayMs * 2 ** (attempt - 1));
  const jitter = 0.5 + (opts.random ?? Math.random)() * 0.5;
  return Math.round(exp * jitter);
}

/** Streams one model, retrying failures that happen before its first token. */
export async function* streamWithRetry(
  model: ChatModel,
  request: ChatRequest,
  signal: AbortSignal | undefined,
  opts: RetryOptions,
): AsyncIterable<ChatEvent> {
  const label = modelLabel(model);
  for (let attempt = 0; ; attempt++) {
    const ac = linkedController(signal);
    let timedOut = false;
    let timer: NodeJS.Timeout | undefined;
    const arm = (): void => {
      clearTimeout(timer);
      timer = setTimeout(() => {
        timedOut = true;
        ac.abort(new Error(`no answer from ${label} within ${opts.timeoutMs} ms`));
      }, opts.timeoutMs);
    };
    arm();
    let started = false;
    let failure: ErrorInfo | undefined;
    try {
      for await (const e of model.stream(request, ac.signal)) {
        arm();
        if (e.type === 'text-delta' || e.type === 'reasoning-delta' || e.type === 'tool-call') started = true;
        if (e.type === 'interrupted' && timedOut && !signal?.aborted) {
          failure = new TimeoutError(`${label} timed out: no answer within ${opts.timeoutMs} ms`, {
            provider: model.provider,
            retryable: !started,
          }).toInfo();
          break;
        }
        if (e.type === 'error') {
          failure = e.error;
          break;
        }
        yield e;
      }
    } finally {
      clearTimeout(timer);
    }
    if (!failure) return;
    const canRetry = failure.retryable && !started && attempt < opts.maxRetries && !signal?.aborted;
    const delay = backoffDelay(attempt + 1, opts, failure.retryAfterMs);
    if (canRetry && delay > opts.maxDelayMs) {
      const wait = `${Math.ceil(delay / 1000)} s`;
      failure = {
        ...failure,
        message: `${failure.message} (the server asks to wait ${wait}, longer than retry_max_delay_ms)`,
      };
    }
    if (!canRetry || delay > opts.maxDelayMs) {
      yield { type: 'error', error: failure };
      return;
    }
    yield {
      type: 'notice',
      level: 'warn',
      code: 'retry',
      message: `${label}: ${failure.message}; retry ${attempt + 1} of ${opts.maxRetries} in ${(delay / 1000).toFixed(1)} s`,
    };
    try {
      await sleep(delay, signal);
    } catch {
      yield {
        type: 'interrupted',
        model: label,
        reason: 'cancelled',
        partialText: '',
        usage: {},
        timings: { ttftMs: null, totalMs: 0, tokensPerSecond: null },
      };
      return;
    }
  }
}
