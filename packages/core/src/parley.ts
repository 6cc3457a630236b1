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
import path from 'node:path';
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
import { messageText, userText } from './chat-model.js';
// Attachments load on the first turn that has some (start-up time; docs/PERFORMANCE.md).
import type { AttachResult, AttachTurnOptions } from './documents/attach.js';
import type { ExtractedDocument } from './documents/types.js';
import { loadConfig, type LoadConfigOptions } from './config/load.js';
import type { ParleyPaths } from './config/paths.js';
import type { ConfigLayer, ParleyConfig } from './config/schema.js';
import { runTurn, type TurnOptions } from './engine/turn.js';
import { runToolLoop, type ToolLoopOptions } from './tools/loop.js';
import type { ChatEvent } from './events.js';
import { errorInfo, requestedLabel } from './parley-labels.js';
import { collectTurn, type ChatResult } from './collect-turn.js';
import { Conversation, type ConversationOptions } from './conversation.js';
import { LocalEngine, type LocalEngineOptions } from './local/local-engine.js';
import { resolveModel, type ResolverContext } from './model-resolver.js';
import type { ConversationStore } from './store/conversation-store.js';
import { loadConversation } from './store/conversation-log.js';
import { openStore } from './store/open-store.js';
import type { Router } from './router/router.js';
import { DocumentCollections } from './documents/collections/document-collections.js';
import { newId } from './store/ids.js';
import { createLog, logLevelFrom, type Log, type LogLevel } from './observability/log.js';
import { MetricsFanout, type MetricsSink } from './observability/metrics-sink.js';
import { observeTurn } from './observability/observe-turn.js';

import type { GeneratedImage, ImageRequest } from './images/generate-image.js';

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
  /** The log to write to (default: `<state dir>/parley.log`, see {@link ParleyOptions.logLevel}). */
  log?: Log;
  /** The log level when `PARLEY_LOG_LEVEL` is not set. Default `warn`. */
  logLevel?: LogLevel;
  /** Also write the log, human-readable, here (`--verbose` on a TTY). */
  logPretty?: { write(chunk: string): unknown };
  /** Colour the human-readable lines (default true). */
  logColor?: boolean;
  /** A metrics sink to attach from the start (see {@link Parley.attachMetrics}). */
  metrics?: MetricsSink;
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
  /** The turn's logger, bound to its request id (default: `parley.log.child({ req: requestId })`). */
  log?: Log;
  /** The request id every log line of the turn carries (default: a new one). */
  requestId?: string;
  /** Which front end sent the turn (`cli`, `ws`, `openai`, …), logged with its start. */
  source?: string;
  /**
   * Files that go with the last user message (read with `extractFile` or `readAttachmentFiles`):
   * whole when they fit, else through retrieval, with a `notice` (see {@link Parley.attach}).
   */
  attachments?: ExtractedDocument[] | undefined;
}

export class Parley {
  readonly config: ParleyConfig;
  readonly paths: ParleyPaths;
  readonly engine: LocalEngine;
  private readonly env: NodeJS.ProcessEnv;
  private readonly models = new Map<string, Promise<ChatModel>>();
  /** parley's log (pino JSON lines in `<state dir>/parley.log`; nothing is loaded until a line is written). */
  readonly log: Log;
  private readonly sinks = new MetricsFanout();

  constructor(private readonly options: ParleyOptions = {}) {
    this.env = options.env ?? process.env;
    const loadOpts: LoadConfigOptions = { env: this.env, flags: options.config ?? {} };
    if (options.configFile) loadOpts.configFile = options.configFile;
    if (options.defaults) loadOpts.defaults = options.defaults;
    const { config, paths } = loadConfig(loadOpts);
    this.config = config;
    this.paths = paths;
    this.log =
      options.log ??
      createLog({
        level: logLevelFrom(this.env, options.logLevel ?? 'warn'),
        file: path.join(paths.state, 'parley.log'),
        pretty: options.logPretty,
        color: options.logColor ?? true,
      });
    if (options.metrics) this.sinks.attach(options.metrics);
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

  /** Where every turn is reported: the metrics sinks attached (none by default). */
  get metrics(): MetricsSink {
    return this.sinks;
  }

  /**
   * Report every turn, cache lookup and hook call of this instance to `sink` (a
   * `ParleyMetrics` registry from `createMetrics()`, say). Returns the function that detaches it.
   */
  attachMetrics(sink: MetricsSink): () => void {
    return this.sinks.attach(sink);
  }

  /**
   * Stream one turn. Accepts a prompt, or a whole request with history. The turn is logged
   * (with its request id) and reported to the attached metrics.
   */
  stream(input: string | ChatRequest, opts: StreamOptions = {}): AsyncIterable<ChatEvent> {
    const log = opts.log ?? this.log.child({ req: opts.requestId ?? newId() });
    const model = opts.race?.length
      ? opts.race.map(requestedLabel).join(',')
      : requestedLabel(opts.model ?? this.config.model ?? 'default');
    const start: Record<string, unknown> = {};
    if (opts.source) start.source = opts.source;
    if (typeof input !== 'string') start.messages = input.messages.length;
    return observeTurn(this.run(input, opts), { log, metrics: this.sinks, model, start });
  }

  private async *run(input: string | ChatRequest, opts: StreamOptions): AsyncIterable<ChatEvent> {
    const c = this.config;
    let base: ChatRequest = typeof input === 'string' ? { messages: [userText(input)] } : input;
    if (opts.attachments?.length) {
      const last = base.messages.at(-1);
      let attached: AttachResult;
      try {
        attached = await this.attach(opts.attachments, {
          question: last ? messageText(last) : '',
          model: opts.model ?? opts.race?.[0],
          signal: opts.signal,
        });
      } catch (e) {
        yield { type: 'error', error: errorInfo(e) };
        return;
      }
      yield* attached.notices;
      const { withAttachedParts } = await import('./documents/attach.js');
      base = { ...base, messages: withAttachedParts(base.messages, attached.parts) };
    }
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
      // Loaded only when a turn is routed, so a plain turn does not pay for the router.
      const { routeTurn } = await import('./router/route-turn.js');
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
      yield { type: 'error', error: errorInfo(e) };
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

  /** Generate an image and save it (docs/images.md): in the data folder, or `req.output`. */
  async generateImage(req: ImageRequest): Promise<GeneratedImage> {
    const { generateImageFile } = await import('./images/generate-image.js');
    const ctx = { config: this.config, dataDir: this.paths.data, env: this.env, fetch: this.options.fetch };
    return generateImageFile(req, ctx);
  }

  /**
   * Decide how files go with a turn to `model`: whole while they fit `attachments.inline_fraction`
   * of its context window, the rest through retrieval (the passages closest to the question).
   * The parts go before the user's text; each `notice` names a file sent through retrieval.
   *
   * @throws DocumentRefusedError when the files break a limit of `[attachments]`
   */
  async attach(docs: ExtractedDocument[], opts: AttachTurnOptions): Promise<AttachResult> {
    const { attachForModel, attachmentSettings, oneTurnRetrieval } = await import('./documents/attach.js');
    return attachForModel(await this.model(opts.model, opts.signal), docs, {
      question: opts.question,
      settings: attachmentSettings(this.config),
      retrieval: oneTurnRetrieval,
      signal: opts.signal,
    });
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
      const p = import('./router/router-config.js').then(({ routerFromConfig }) =>
        routerFromConfig({
          config: this.config,
          paths: this.paths,
          env: this.env,
          engine: this.engine,
          fetch: this.options.fetch,
        }),
      );
      this.routerPromise = p;
      p.catch(() => {
        if (this.routerPromise === p) this.routerPromise = undefined;
      });
    }
    return this.routerPromise;
  }
  private routerPromise: Promise<Router> | undefined;

  /** Document collections: indexing, retrieval and citations (docs/DOCUMENTS.md). */
  documents(): DocumentCollections {
    this.documentCollections ??= new DocumentCollections(() => this.store(), {
      config: this.config,
      paths: this.paths,
      env: this.env,
      engine: this.engine,
      fetch: this.options.fetch,
    });
    return this.documentCollections;
  }
  private documentCollections: DocumentCollections | undefined;

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
      this.cacheStore = createResponseCacheStore(settings, backing, {
        onCount: (model, hit) => this.sinks.cacheLookup(model, hit),
      });
    }
    return this.cacheStore;
  }
  private cacheStore: ResponseCacheStore | undefined;

  /** Unload local models. */
  async dispose(): Promise<void> {
    const router = this.routerPromise;
    this.routerPromise = undefined;
    await router?.then((r) => r.dispose()).catch(() => undefined);
    await this.documentCollections?.dispose();
    this.documentCollections = undefined;
    await this.cacheStore?.close();
    this.cacheStore = undefined;
    if (this.openedStore && this.openedStore !== this.options.store) await this.openedStore.close();
    this.openedStore = undefined;
    await this.engine.dispose();
    if (!this.options.log) this.log.close();
  }
}

/** Create a parley instance: config layers loaded and validated, nothing loaded yet. */
export function createParley(options: ParleyOptions = {}): Parley {
  return new Parley(options);
}

export { collectTurn, Conversation };
export type { ChatResult, ConversationOptions };
