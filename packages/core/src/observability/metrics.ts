/**
 * The metrics registry: one prom-client `Registry` per instance (so two servers in one
 * process, as in tests, never share counters), holding every metric parley exports. Front
 * ends feed it through the {@link MetricsSink} functions; `GET /metrics` serves
 * `registry.metrics()`. Names and labels are listed in docs/observability.md.
 *
 * prom-client is loaded by {@link createMetrics} on first use, never by `import '@parley/core'`
 * (it costs ~60 ms of start-up, which a one-shot command does not pay).
 */
import type * as PromClient from 'prom-client';
import type { Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { LocalEngineStats } from '../local/local-engine.js';
import type {
  Api,
  MetricsSink,
  ResidencyLoadSample,
  RouterDecisionSample,
  ToolCallSample,
  TurnSample,
} from './metrics-sink.js';

/** Histogram buckets: time to first token, in seconds. */
export const TTFT_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];
/** Histogram buckets: tokens per second. */
export const TOKENS_PER_SECOND_BUCKETS = [1, 5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000, 10000];
/** Histogram buckets: a whole request, in seconds. */
export const DURATION_BUCKETS = [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120];

/** Most distinct `model` label values kept; later ones are counted as `other`. */
const MAX_MODELS = 64;

/** Keeps short label values to a small known set, whatever a client sends. */
export function safeLabel(value: string): string {
  return /^[a-z][a-z0-9_-]{0,31}$/.test(value) ? value : 'other';
}

/** Options of {@link createMetrics}. */
export interface MetricsOptions {
  /** The local engine, for its queue and loaded-model gauges. */
  engine?: { stats(): LocalEngineStats } | undefined;
  /** Collect prom-client's default process metrics (CPU, RSS, heap, event loop lag). Default true. */
  defaultMetrics?: boolean;
}

/** Every metric parley exports, and the {@link MetricsSink} that feeds them. */
export class ParleyMetrics implements MetricsSink {
  readonly registry: Registry;
  // The server's own.
  readonly httpRequests: Counter<'method' | 'route' | 'status'>;
  readonly httpDuration: Histogram<'method' | 'route' | 'status'>;
  readonly turns: Counter<'api' | 'outcome'>;
  readonly tokens: Counter<'api' | 'direction'>;
  readonly errors: Counter<'api' | 'code'>;
  readonly wsFrames: Counter<'kind'>;
  readonly openSockets: Gauge;
  readonly wsSessions: Gauge;
  readonly framesDropped: Counter<'reason'>;
  readonly activeTurns: Gauge<'api'>;
  // The core's, per `provider:model`.
  readonly ttft: Histogram<'model'>;
  readonly tokensPerSecond: Histogram<'model'>;
  readonly requestDuration: Histogram<'model' | 'outcome'>;
  readonly requests: Counter<'model' | 'outcome' | 'code'>;
  readonly cacheLookups: Counter<'model' | 'result'>;
  // Hooks for the router, tools and model residency.
  readonly routerDecisions: Counter<'route' | 'strategy'>;
  readonly routerSeconds: Histogram;
  readonly toolCalls: Counter<'tool' | 'outcome'>;
  readonly toolSeconds: Histogram<'tool'>;
  readonly residency: Counter<'model' | 'outcome'>;
  readonly residencySeconds: Histogram<'model'>;
  private readonly models = new Set<string>();

  constructor(prom: typeof PromClient, options: MetricsOptions = {}) {
    const registry = new prom.Registry();
    this.registry = registry;
    const registers = [registry];
    if (options.defaultMetrics !== false) prom.collectDefaultMetrics({ register: registry });
    const counter = <L extends string>(name: string, help: string, labelNames: L[] = []) =>
      new prom.Counter<L>({ name, help, labelNames, registers });
    const gauge = <L extends string>(name: string, help: string, labelNames: L[] = []) =>
      new prom.Gauge<L>({ name, help, labelNames, registers });
    const histogram = <L extends string>(
      name: string,
      help: string,
      buckets: number[],
      labelNames: L[] = [],
    ) => new prom.Histogram<L>({ name, help, labelNames, buckets, registers });

    this.httpRequests = counter(
      'parley_http_requests_total',
      'HTTP requests answered, by method, route and status',
      ['method', 'route', 'status'],
    );
    this.httpDuration = histogram(
      'parley_http_request_duration_seconds',
      'Time to answer an HTTP request (a stream: to its end), by method, route and status',
      DURATION_BUCKETS,
      ['method', 'route', 'status'],
    );
    this.turns = counter(
      'parley_turns_total',
      'Server turns finished, by API (openai, ws) and outcome (done, error, interrupted)',
      ['api', 'outcome'],
    );
    this.tokens = counter(
      'parley_tokens_total',
      'Tokens of finished server turns, by API and direction (input, output)',
      ['api', 'direction'],
    );
    this.errors = counter(
      'parley_errors_total',
      'Errors sent to clients, by API (openai, ws, http, cli) and stable code',
      ['api', 'code'],
    );
    this.wsFrames = counter('parley_ws_frames_total', 'WebSocket frames received, by kind (text, binary)', [
      'kind',
    ]);
    this.openSockets = gauge('parley_open_sockets', 'Open WebSocket connections');
    this.wsSessions = gauge(
      'parley_ws_sessions_open',
      'Open WebSocket connections that have a session (after hello)',
    );
    this.framesDropped = counter(
      'parley_ws_frames_dropped_total',
      'Outgoing WebSocket frames not sent, by reason (closed: the socket had closed)',
      ['reason'],
    );
    this.activeTurns = gauge('parley_active_turns', 'Turns being generated right now, by API', ['api']);

    this.ttft = histogram(
      'parley_ttft_seconds',
      'Time to first token of generated answers, by provider:model',
      TTFT_BUCKETS,
      ['model'],
    );
    this.tokensPerSecond = histogram(
      'parley_tokens_per_second',
      'Output tokens per second after the first token, by provider:model',
      TOKENS_PER_SECOND_BUCKETS,
      ['model'],
    );
    this.requestDuration = histogram(
      'parley_request_duration_seconds',
      'Time from a request to the end of its stream, by provider:model and outcome',
      DURATION_BUCKETS,
      ['model', 'outcome'],
    );
    this.requests = counter(
      'parley_requests_total',
      'Model requests (turns) finished, by provider:model, outcome and error code (none when not an error)',
      ['model', 'outcome', 'code'],
    );
    this.cacheLookups = counter(
      'parley_cache_lookups_total',
      'Response-cache lookups, by provider:model and result (hit, miss)',
      ['model', 'result'],
    );
    this.routerDecisions = counter(
      'parley_router_decisions_total',
      'Router decisions, by route and deciding strategy',
      ['route', 'strategy'],
    );
    this.routerSeconds = histogram(
      'parley_router_decision_seconds',
      'Time a router decision took',
      TTFT_BUCKETS,
    );
    this.toolCalls = counter('parley_tool_calls_total', 'Tool calls finished, by tool and outcome', [
      'tool',
      'outcome',
    ]);
    this.toolSeconds = histogram(
      'parley_tool_call_seconds',
      'Time a tool call took, by tool',
      DURATION_BUCKETS,
      ['tool'],
    );
    this.residency = counter(
      'parley_residency_loads_total',
      'Models made resident in memory or evicted, by provider:model and outcome (loaded, failed, evicted)',
      ['model', 'outcome'],
    );
    this.residencySeconds = histogram(
      'parley_residency_load_seconds',
      'Time to load a model into memory, by provider:model',
      DURATION_BUCKETS,
      ['model'],
    );
    new prom.Gauge({
      name: 'parley_process_memory_bytes',
      help: 'Memory of this process, by kind (rss, heap_used, heap_total, external)',
      labelNames: ['kind'],
      registers,
      collect() {
        const m = process.memoryUsage();
        this.set({ kind: 'rss' }, m.rss);
        this.set({ kind: 'heap_used' }, m.heapUsed);
        this.set({ kind: 'heap_total' }, m.heapTotal);
        this.set({ kind: 'external' }, m.external);
      },
    });

    const engine = options.engine;
    if (engine) {
      new prom.Gauge({
        name: 'parley_local_queue_depth',
        help: 'Requests waiting for a free context sequence of the local engine',
        registers,
        collect() {
          this.set(engine.stats().queued);
        },
      });
      new prom.Counter({
        name: 'parley_local_queue_waits_total',
        help: 'Requests that had to wait for a context sequence of the local engine',
        registers,
        collect() {
          this.reset();
          this.inc(engine.stats().waited);
        },
      });
      new prom.Gauge({
        name: 'parley_local_models_loaded',
        help: 'Models loaded by the local engine',
        registers,
        collect() {
          this.set(engine.stats().models);
        },
      });
    }
  }

  /** Prometheus text of every metric (what `GET /metrics` sends). */
  text(): Promise<string> {
    return this.registry.metrics();
  }

  get contentType(): string {
    return this.registry.contentType;
  }

  /** The `model` label for a `provider:model`: at most {@link MAX_MODELS} distinct values. */
  modelLabel(model: string): string {
    const m = model.length <= 120 && /^[\w.:/@+-]+$/.test(model) ? model : 'other';
    if (this.models.has(m)) return m;
    if (this.models.size >= MAX_MODELS) return 'other';
    this.models.add(m);
    return m;
  }

  turnEnded(t: TurnSample): void {
    const model = this.modelLabel(t.model);
    const code = t.outcome === 'error' ? safeLabel(t.errorCode ?? 'unknown') : '';
    this.requests.inc({ model, outcome: t.outcome, code });
    this.requestDuration.observe({ model, outcome: t.outcome }, t.totalMs / 1000);
    // A cached answer was replayed: its first token says nothing about the model.
    if (t.cached) return;
    if (t.ttftMs !== null) this.ttft.observe({ model }, t.ttftMs / 1000);
    if (t.tokensPerSecond !== null) this.tokensPerSecond.observe({ model }, t.tokensPerSecond);
  }

  cacheLookup(model: string, hit: boolean): void {
    this.cacheLookups.inc({ model: this.modelLabel(model), result: hit ? 'hit' : 'miss' });
  }

  error(api: Api, code: string): void {
    this.errors.inc({ api, code: safeLabel(code) });
  }

  wsSession(delta: 1 | -1): void {
    this.wsSessions.inc(delta);
  }

  frameDropped(reason: string): void {
    this.framesDropped.inc({ reason: safeLabel(reason) });
  }

  routerDecision(d: RouterDecisionSample): void {
    this.routerDecisions.inc({ route: safeLabel(d.route), strategy: safeLabel(d.strategy) });
    if (d.seconds !== undefined) this.routerSeconds.observe(d.seconds);
  }

  toolCall(c: ToolCallSample): void {
    const tool = safeLabel(c.tool);
    this.toolCalls.inc({ tool, outcome: c.outcome });
    if (c.seconds !== undefined) this.toolSeconds.observe({ tool }, c.seconds);
  }

  residencyLoad(l: ResidencyLoadSample): void {
    const model = this.modelLabel(l.model);
    this.residency.inc({ model, outcome: l.outcome });
    if (l.seconds !== undefined && l.outcome !== 'evicted')
      this.residencySeconds.observe({ model }, l.seconds);
  }

  /** Count a finished server turn and its tokens from its terminal event. */
  serverTurnEnded(
    api: Api,
    end:
      | { type: string; usage?: { inputTokens?: number | undefined; outputTokens?: number | undefined } }
      | undefined,
  ): void {
    const outcome =
      end?.type === 'done' || end?.type === 'interrupted' || end?.type === 'error' ? end.type : 'error';
    this.turns.inc({ api, outcome });
    if (end?.usage && outcome !== 'error') {
      const { inputTokens, outputTokens } = end.usage;
      if (inputTokens) this.tokens.inc({ api, direction: 'input' }, inputTokens);
      if (outputTokens) this.tokens.inc({ api, direction: 'output' }, outputTokens);
    }
  }
}

/** A new registry with every parley metric; loads prom-client on first call. */
export async function createMetrics(options: MetricsOptions = {}): Promise<ParleyMetrics> {
  const prom = await import('prom-client');
  return new ParleyMetrics(prom, options);
}
