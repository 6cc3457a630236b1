/**
 * The semantic router: a chain of strategies (override, rules, embeddings, default), each
 * returning a decision or nothing, with decisions kept in an LRU so a repeated query costs a
 * lookup. Concurrent routes of one query share one run of the chain (lru-cache's `fetch`).
 */
import { createHash } from 'node:crypto';
import { LRUCache } from 'lru-cache';
import { UsageError } from '../errors.js';
import { abortReason } from '../util/abort.js';
import type { Encoder } from './encoder.js';
import { IntentIndex } from './intent-index.js';
import { defaultStrategy, embeddingStrategy, overrideStrategy, rulesStrategy } from './strategies.js';
import type { Intent, RouteContext, RouteDecision, RouteInput, RouteStrategy } from './types.js';

/** How to build a {@link Router}. */
export interface RouterOptions {
  intents: readonly Intent[];
  /** The intent the default strategy picks; must be one of `intents`. */
  defaultIntent: string;
  encoder: Encoder;
  /** Decisions kept in the LRU (default 1,000; 0 keeps none). */
  cacheSize?: number | undefined;
  /** Examples per intent averaged into its score (default 3). */
  topK?: number | undefined;
  /** The chain, for callers that want another; default override → rules → embeddings → default. */
  strategies?: (index: () => Promise<IntentIndex>) => RouteStrategy[];
}

/** Texts longer than this are cached under their hash, not themselves. */
const LONG_KEY = 256;

export class Router {
  readonly encoder: Encoder;
  readonly defaultIntent: string;
  private readonly intents: ReadonlyMap<string, Intent>;
  private readonly chain: RouteStrategy[];
  private readonly cache: LRUCache<string, RouteDecision, RouteInput> | undefined;
  private indexPromise: Promise<IntentIndex> | undefined;

  constructor(private readonly options: RouterOptions) {
    if (options.intents.length === 0) throw new UsageError('the router has no intents');
    this.intents = new Map(options.intents.map((i) => [i.name, i]));
    if (!this.intents.has(options.defaultIntent)) {
      throw new UsageError(
        `the default intent "${options.defaultIntent}" is not an intent (${[...this.intents.keys()].join(', ')})`,
      );
    }
    this.encoder = options.encoder;
    this.defaultIntent = options.defaultIntent;
    const index = (): Promise<IntentIndex> => this.index();
    this.chain = options.strategies?.(index) ?? [
      overrideStrategy,
      rulesStrategy,
      embeddingStrategy(index),
      defaultStrategy,
    ];
    const size = options.cacheSize ?? 1000;
    this.cache =
      size > 0
        ? new LRUCache<string, RouteDecision, RouteInput>({
            max: size,
            fetchMethod: (_key, _stale, { context, signal }) => this.decide(context, signal),
          })
        : undefined;
  }

  /** Every intent, in config order. */
  list(): Intent[] {
    return [...this.intents.values()];
  }

  /** The examples embedded and ready (done on the first route otherwise). */
  index(): Promise<IntentIndex> {
    if (!this.indexPromise) {
      this.indexPromise = IntentIndex.build([...this.intents.values()], this.encoder, {
        topK: this.options.topK,
      });
      this.indexPromise.catch(() => (this.indexPromise = undefined));
    }
    return this.indexPromise;
  }

  /** Route one turn. Rejects on an unknown explicit intent, or when the encoder fails. */
  async route(input: RouteInput, signal?: AbortSignal): Promise<RouteDecision> {
    if (signal?.aborted) throw abortReason(signal);
    if (!this.cache) return this.decide(input, signal);
    const status: LRUCache.Status<string, RouteDecision, RouteInput> = {};
    // The shared run has no caller's signal: one caller giving up must not fail the others.
    const shared = this.cache.fetch(cacheKey(input), { context: input, status });
    const decision = await abortable(shared, signal);
    if (!decision) throw new Error('the router decided nothing');
    return status.fetch === 'hit' ? { ...decision, cached: true } : decision;
  }

  /** Run the chain (no cache). */
  private async decide(input: RouteInput, signal?: AbortSignal): Promise<RouteDecision> {
    const ctx: RouteContext = { intents: this.intents, defaultIntent: this.defaultIntent, signal };
    for (const strategy of this.chain) {
      const d = await strategy.decide(input, ctx);
      if (!d) continue;
      const intent = this.intents.get(d.intent);
      if (!intent) throw new Error(`strategy ${strategy.name} chose an unknown intent "${d.intent}"`);
      return {
        intent: d.intent,
        strategy: strategy.name,
        scores: d.scores ?? ctx.scores ?? [],
        target: intent.target,
        reason: d.reason,
        encoder: d.encoder ?? ctx.encoder,
      };
    }
    throw new Error('no strategy decided: the chain must end with one that always does');
  }

  async dispose(): Promise<void> {
    this.cache?.clear();
    await this.encoder.dispose?.();
  }
}

function cacheKey(input: RouteInput): string {
  const text = input.text.trim().replace(/\s+/g, ' ');
  const key = text.length > LONG_KEY ? `#${createHash('sha256').update(text).digest('base64')}` : text;
  return `${input.hasImage ? 'i' : '-'}${input.intent ?? ''}\u0000${key}`;
}

function abortable<T>(p: Promise<T>, signal: AbortSignal | undefined): Promise<T> {
  if (!signal) return p;
  return new Promise<T>((resolve, reject) => {
    const onAbort = (): void => reject(abortReason(signal));
    signal.addEventListener('abort', onAbort, { once: true });
    p.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort));
  });
}
