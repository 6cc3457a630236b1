/**
 * The library entry point: `createParley(options)` gives `stream()` and `chat()`, the same
 * API the CLI uses.
 *
 * @example
 * ```ts
 * import { createParley } from '@parley/core';
 * const parley = createParley();
 * for await (const e of parley.stream('Write a haiku about tea')) {
 *   if (e.type === 'text-delta') process.stdout.write(e.text);
 * }
 * await parley.dispose();
 * ```
 */
import {
  cacheApplies,
  cacheModeFor,
  cacheSettings,
  createResponseCacheStore,
  withResponseCache,
} from './cache/cache-config.js';
import type { ResponseCacheStore } from './cache/response-cache-store.js';
import { storeCacheBacking } from './cache/store-backing.js';
import type { ChatModel, ChatRequest } from './chat-model.js';
import { userText } from './chat-model.js';
import { loadConfig, type LoadConfigOptions } from './config/load.js';
import type { ParleyPaths } from './config/paths.js';
import type { ConfigLayer, ParleyConfig } from './config/schema.js';
import { runTurn, type TurnOptions } from './engine/turn.js';
import { runToolLoop, type ToolLoopOptions } from './tools/loop.js';
import type { ChatEvent } from './events.js';
import { ParleyError } from './errors.js';
import { collectTurn, type ChatResult } from './collect-turn.js';
import { Conversation, type ConversationOptions } from './conversation.js';
import { LocalEngine, type LocalEngineOptions } from './local/local-engine.js';
import { resolveModel, type ResolverContext } from './model-resolver.js';
import type { ConversationStore } from './store/conversation-store.js';
import { loadConversation } from './store/conversation-log.js';
import { openStore } from './store/open-store.js';
import type { Router } from './router/router.js';
import { routerFromConfig } from './router/router-config.js';
import { routeTurn } from './router/route-turn.js';

export interface ParleyOptions {
  /** Settings that win over every other layer (the flags layer). */
  config?: ConfigLayer;
  /** Environment to read `PARLEY_*` and provider keys from (default `process.env`). */
  env?: NodeJS.ProcessEnv;
  /** Read this config file instead of the default. */
  configFile?: string;
  /** A front end's defaults: over the built-in ones, under the file, environment and flags. */
  defaults?: ConfigLayer;
  /** Overrides for the local engine (tests pin `threads: 1`). */
  local?: LocalEngineOptions;
  /** The history store (default: SQLite at `store.path` or `<data dir>/parley.db`, opened on first use). */
  store?: ConversationStore;
  /** fetch used by cloud providers and downloads. */
  fetch?: typeof fetch;
  /** Progress of the default model's first download. */
  onPull?: ResolverContext['onPull'];
}

export interface StreamOptions {
  /** Model name (`provider:model`, alias or .gguf path); default from config. */
  model?: string;
  /** Extra models tried in order when the first fails before its first token. */
  fallback?: string[];
  /** Send to all of these at once and stream the first to answer. */
  race?: string[];
  system?: string;
  temperature?: number;
  maxTokens?: number;
  signal?: AbortSignal;
  /** `true` caches even a non-deterministic request (`--cache`), `false` bypasses the cache. */
  cache?: boolean;
  /**
   * Let the model call these tools (see docs/tools.md): the turn becomes a tool-calling loop.
   * Build one with `createToolSession()`.
   */
  tools?: Omit<ToolLoopOptions, 'signal'> | undefined;
  /** Route this turn (default: `router.enabled`); a `route` event comes first. */
  route?: boolean;
  /** Route to this intent, whatever the text says (routing is on for the turn). */
  intent?: string;
  /** Thinking mode: the provider's reasoning options on (default: `think`, or the routed intent's `think` handler). */
  think?: boolean;
}

export class Parley {
  readonly config: ParleyConfig;
  readonly paths: ParleyPaths;
  readonly engine: LocalEngine;
  private readonly env: NodeJS.ProcessEnv;
  private readonly models = new Map<string, Promise<ChatModel>>();

  constructor(private readonly options: ParleyOptions = {}) {
    this.env = options.env ?? process.env;
    const loadOpts: LoadConfigOptions = { env: this.env, flags: options.config ?? {} };
    if (options.configFile) loadOpts.configFile = options.configFile;
    if (options.defaults) loadOpts.defaults = options.defaults;
    const { config, paths } = loadConfig(loadOpts);
    this.config = config;
    this.paths = paths;
    const l = config.local;
    this.engine = new LocalEngine({
      threads: l.threads,
      gpu: l.gpu,
      contextSize: l.context_size,
      sequences: l.sequences,
      ...options.local,
    });
  }

  /** The `ChatModel` for a name (default from config), created once and kept. */
  model(name?: string, signal?: AbortSignal): Promise<ChatModel> {
    const key = name ?? '';
    let p = this.models.get(key);
    if (!p) {
      p = resolveModel(name, {
        config: this.config,
        paths: this.paths,
        env: this.env,
        engine: this.engine,
        fetch: this.options.fetch,
        onPull: this.options.onPull,
        signal,
      });
      this.models.set(key, p);
      p.catch(() => this.models.delete(key));
    }
    return p;
  }

  /** Stream one turn. Accepts a prompt, or a whole request with history. */
  async *stream(input: string | ChatRequest, opts: StreamOptions = {}): AsyncIterable<ChatEvent> {
    const c = this.config;
    const base: ChatRequest = typeof input === 'string' ? { messages: [userText(input)] } : input;
    const request: ChatRequest = {
      ...base,
      system: opts.system ?? base.system ?? c.system,
      temperature: opts.temperature ?? base.temperature ?? c.temperature,
      maxTokens: opts.maxTokens ?? base.maxTokens ?? c.max_tokens,
      topP: base.topP ?? c.top_p,
      seed: base.seed ?? c.seed,
      think: opts.think ?? base.think ?? c.think,
    };
    let model = opts.model;
    if (opts.intent !== undefined || (opts.route ?? c.router?.enabled === true)) {
      const routed = await routeTurn(() => this.router(), request, opts.intent, opts.signal);
      yield* routed.events;
      if (routed.stop) return;
      model ??= routed.decision?.target.model;
      if (routed.decision?.target.handler === 'think') request.think = opts.think ?? true;
    }
    let models: ChatModel[];
    try {
      const names = opts.race?.length ? opts.race : [model, ...(opts.fallback ?? c.fallback)];
      models = await Promise.all(names.map((n) => this.model(n, opts.signal)));
    } catch (e) {
      yield {
        type: 'error',
        error: ParleyError.is(e) ? e.toInfo() : { code: 'runtime', message: String(e), retryable: false },
      };
      return;
    }
    const cacheMode = cacheModeFor(cacheSettings(c), opts.cache);
    // A tool-calling turn is not cached: the same request may call tools that answer differently.
    if (!opts.tools && cacheApplies(cacheMode, models, request)) {
      models = withResponseCache(models, this.responseCache(), cacheMode, c);
    }
    const turnOpts: TurnOptions = {
      maxRetries: c.max_retries,
      baseDelayMs: c.retry_base_delay_ms,
      maxDelayMs: c.retry_max_delay_ms,
      timeoutMs: c.timeout_ms,
      historyLimit: c.history_limit,
      race: Boolean(opts.race?.length),
      signal: opts.signal,
    };
    if (opts.tools && opts.tools.registry.size > 0) {
      const loopOpts: ToolLoopOptions = { ...opts.tools, signal: opts.signal };
      yield* runToolLoop((r) => runTurn(models, r, turnOpts), request, loopOpts);
      return;
    }
    yield* runTurn(models, request, turnOpts);
  }

  /** Run one turn to the end. Throws `StreamError` when the stream reports an error. */
  async chat(input: string | ChatRequest, opts: StreamOptions = {}): Promise<ChatResult> {
    return collectTurn(this.stream(input, opts));
  }

  /** A conversation that keeps its history between turns (and saves them; see `ConversationOptions`). */
  conversation(opts: ConversationOptions = {}): Conversation {
    return new Conversation(this, opts);
  }

  /**
   * Go on with a stored conversation: the one with `id` (`NotFoundError` when unknown), or
   * the most recently updated one (a new conversation when there is none yet).
   */
  async resumeConversation(id?: string, opts: ConversationOptions = {}): Promise<Conversation> {
    return new Conversation(this, opts, await loadConversation(this.store(), id));
  }

  /** The semantic router config describes, built on first use (docs/router.md). */
  router(): Promise<Router> {
    if (!this.routerPromise) {
      const p = routerFromConfig({
        config: this.config,
        paths: this.paths,
        env: this.env,
        engine: this.engine,
        fetch: this.options.fetch,
      });
      this.routerPromise = p;
      p.catch(() => {
        if (this.routerPromise === p) this.routerPromise = undefined;
      });
    }
    return this.routerPromise;
  }
  private routerPromise: Promise<Router> | undefined;

  /** The history store, opened (and migrated) on first use. */
  store(): ConversationStore {
    this.openedStore ??= this.options.store ?? openStore(this.config, this.paths);
    return this.openedStore;
  }
  private openedStore: ConversationStore | undefined;

  /**
   * The response cache, created on first use: memory over the store's cache entries (memory
   * only when `cache.persist` is off or the store cannot be opened).
   */
  responseCache(): ResponseCacheStore {
    if (!this.cacheStore) {
      const settings = cacheSettings(this.config);
      let backing: ReturnType<typeof storeCacheBacking> | undefined;
      try {
        backing = settings.persist ? storeCacheBacking(this.store()) : undefined;
      } catch {
        backing = undefined;
      }
      this.cacheStore = createResponseCacheStore(settings, backing);
    }
    return this.cacheStore;
  }
  private cacheStore: ResponseCacheStore | undefined;

  /** Unload local models. */
  async dispose(): Promise<void> {
    const router = this.routerPromise;
    this.routerPromise = undefined;
    await router?.then((r) => r.dispose()).catch(() => undefined);
    await this.cacheStore?.close();
    this.cacheStore = undefined;
    if (this.openedStore && this.openedStore !== this.options.store) await this.openedStore.close();
    this.openedStore = undefined;
    await this.engine.dispose();
  }
}

/** Create a parley instance: config layers loaded and validated, nothing loaded yet. */
export function createParley(options: ParleyOptions = {}): Parley {
  return new Parley(options);
}

export { collectTurn, Conversation };
export type { ChatResult, ConversationOptions };
