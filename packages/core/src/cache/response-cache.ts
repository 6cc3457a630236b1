/**
 * `ResponseCache`: a `ChatModel` that wraps another and answers a request it has seen before
 * from a {@link ResponseCacheStore}, replaying the same events with `cached: true` on `done`.
 * A hit never calls the wrapped model, so a local model is not loaded and no connection is
 * opened. Only complete answers are kept: errors, interrupts and partial streams never are.
 *
 * @example
 * ```ts
 * const store = new ResponseCacheStore({ maxBytes: 8 << 20 });
 * const model = new ResponseCache(inner, { store });
 * for await (const e of model.stream({ messages: [userText('hi')], temperature: 0 })) { ... }
 * ```
 */
import type { ChatModel, ChatRequest, ModelCapabilities } from '../chat-model.js';
import { CHAT_MODEL_SPEC_VERSION, modelLabel } from '../chat-model.js';
import type { ChatEvent, NoticeEvent } from '../events.js';
import { ParleyError } from '../errors.js';
import { TurnClock } from '../util/clock.js';
import { cacheKey, isDeterministic } from './cache-key.js';
import type { Flight } from './flight.js';
import { describePressure, type PressureReport } from './memory-pressure.js';
import type { CachedAnswer, ResponseCacheStore } from './response-cache-store.js';

/** `auto`: deterministic requests only (temperature 0); `always`: every request; `off`: none. */
export type CacheMode = 'auto' | 'always' | 'off';

/** Options of {@link ResponseCache}. */
export interface ResponseCacheOptions {
  /** Where answers are kept; share one store between every wrapped model. */
  store: ResponseCacheStore;
  /** Which requests are cached. Default `auto`. */
  mode?: CacheMode;
  /** What tells this model apart from others of the same name (a GGUF path, a base URL). */
  identity?: string | undefined;
}

/** Times a caller tries to join or lead a call before it calls the model on its own. */
const MAX_JOINS = 3;

interface Pin {
  entry: CachedAnswer;
  pressure: PressureReport | undefined;
}

/** A `ChatModel` answering repeated requests from a cache. */
export class ResponseCache implements ChatModel {
  readonly specificationVersion = CHAT_MODEL_SPEC_VERSION;
  readonly provider: string;
  readonly modelId: string;
  readonly capabilities: ModelCapabilities;
  readonly countTokens?: (text: string) => Promise<number>;
  readonly resolveContextWindow?: () => Promise<number | undefined>;
  private readonly store: ResponseCacheStore;
  private readonly mode: CacheMode;
  private readonly keys = new WeakMap<ChatRequest, string>();
  private readonly pins = new WeakMap<ChatRequest, Pin>();

  constructor(
    readonly inner: ChatModel,
    private readonly options: ResponseCacheOptions,
  ) {
    this.provider = inner.provider;
    this.modelId = inner.modelId;
    this.capabilities = inner.capabilities;
    this.store = options.store;
    this.mode = options.mode ?? 'auto';
    if (inner.countTokens) this.countTokens = (text) => inner.countTokens!(text);
    if (inner.resolveContextWindow) this.resolveContextWindow = () => inner.resolveContextWindow!();
  }

  /** True when this request is looked up and kept. */
  applies(request: ChatRequest): boolean {
    if (this.mode === 'off') return false;
    return this.mode === 'always' || isDeterministic(this.provider, request);
  }

  /** The request's cache key (computed once per request object). */
  keyOf(request: ChatRequest): string {
    let k = this.keys.get(request);
    if (k === undefined) {
      k = cacheKey(
        { provider: this.provider, modelId: this.modelId, identity: this.options.identity },
        request,
      );
      this.keys.set(request, k);
    }
    return k;
  }

  /**
   * True when the cache holds an answer to exactly this request. The chat engine asks before
   * it trims the history to the context window (which loads a local model): an answer to the
   * whole request needs no trimming. The answer found is kept for the `stream` call that follows.
   */
  async lookup(request: ChatRequest): Promise<boolean> {
    if (!this.applies(request)) return false;
    const pin = await this.find(request);
    if (pin) this.pins.set(request, pin);
    return pin !== undefined;
  }

  async *stream(request: ChatRequest, signal?: AbortSignal): AsyncIterable<ChatEvent> {
    const key = this.applies(request) ? this.safeKeyOf(request) : undefined;
    if (key === undefined) {
      yield* this.inner.stream(request, signal);
      return;
    }
    const label = modelLabel(this);
    const pin = this.pins.get(request) ?? (await this.find(request));
    this.pins.delete(request);
    if (pin) {
      this.store.count(label, true);
      if (pin.pressure) yield pressureNotice(pin.pressure);
      yield* replayAnswer(pin.entry, label, signal);
      return;
    }
    for (let attempt = 0; attempt < MAX_JOINS; attempt++) {
      const generation = this.store.generation(label);
      const { leader, flight, result } = this.store.coalesce(key, label, (f) =>
        this.record(key, label, generation, request, f),
      );
      if (flight && (leader || flight.joinable)) {
        this.store.count(label, !leader);
        yield* flight.follow(signal);
        return;
      }
      // The call for this key has just ended, or failed: use its answer, or start afresh.
      const done = await result;
      if (done) {
        this.store.count(label, true);
        yield* replayAnswer(done, label, signal);
        return;
      }
    }
    this.store.count(label, false);
    yield* this.inner.stream(request, signal);
  }

  /** The key, or undefined for a request too deep to hash (which is simply not cached). */
  private safeKeyOf(request: ChatRequest): string | undefined {
    try {
      return this.keyOf(request);
    } catch {
      return undefined;
    }
  }

  private async find(request: ChatRequest): Promise<Pin | undefined> {
    const key = this.safeKeyOf(request);
    if (key === undefined) return undefined;
    const hot = this.store.peek(key);
    if (hot) return { entry: hot, pressure: undefined };
    const entry = await this.store.find(key);
    return entry && { entry, pressure: this.store.relievePressure() };
  }

  /** The leader's call: every event goes to the flight; a complete answer is kept. */
  private async record(
    key: string,
    label: string,
    generation: string,
    request: ChatRequest,
    flight: Flight,
  ): Promise<CachedAnswer | undefined> {
    const events: ChatEvent[] = [];
    try {
      for await (const e of this.inner.stream(request, flight.signal)) {
        if (e.type === 'done') {
          // Done after every reader left, or a failed answer: pass it on, keep nothing.
          if (flight.signal.aborted || e.finishReason === 'error') {
            flight.push(e);
            return undefined;
          }
          const entry = this.store.entryFor(key, label, [...events, e]);
          const pressure = this.store.relievePressure();
          if (pressure) flight.push(pressureNotice(pressure));
          flight.push(e);
          return this.store.keep(entry, generation) ? entry : undefined;
        }
        flight.push(e);
        if (e.type === 'error' || e.type === 'interrupted') return undefined;
        // Notices describe this call (a retry, a fallback), not the answer: not replayed.
        if (e.type !== 'notice') events.push(e);
      }
      return undefined;
    } catch (err) {
      flight.push({
        type: 'error',
        error: ParleyError.is(err)
          ? err.toInfo()
          : { code: 'provider', message: `${label} failed: ${String(err)}`, retryable: false },
      });
      return undefined;
    } finally {
      flight.end();
    }
  }
}

/** The events of a cached answer, as fresh objects, with `cached: true` on `done`. */
export async function* replayAnswer(
  entry: CachedAnswer,
  label: string,
  signal?: AbortSignal,
): AsyncIterable<ChatEvent> {
  const clock = new TurnClock();
  let text = '';
  for (const e of entry.value.events) {
    if (signal?.aborted) {
      yield clock.interrupted(label, signal, text);
      return;
    }
    if (e.type === 'done') {
      yield { ...e, usage: { ...e.usage }, cached: true, timings: clock.timings(e.usage.outputTokens) };
      return;
    }
    if (e.type === 'text-delta' || e.type === 'reasoning-delta') clock.token();
    if (e.type === 'text-delta') text += e.text;
    yield { ...e };
  }
}

function pressureNotice(r: PressureReport): NoticeEvent {
  return { type: 'notice', level: 'warn', code: 'cache-pressure', message: describePressure(r) };
}

/**
 * True when `model` is a {@link ResponseCache} holding an answer to exactly `request`. The chat
 * engine uses it to skip trimming (and so loading a local model) for a cached answer.
 */
export async function hasCachedAnswer(model: ChatModel, request: ChatRequest): Promise<boolean> {
  return model instanceof ResponseCache ? model.lookup(request) : false;
}
