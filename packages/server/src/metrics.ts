/**
 * The server's Prometheus metrics, in a registry of its own (so two servers in one process,
 * as in tests, never share counters). Served at `GET /metrics`.
 */
import type { ChatEvent, LocalEngine } from '@parley/core';
import { collectDefaultMetrics, Counter, Gauge, Registry } from 'prom-client';

/** Which front door a turn came through. */
export type TurnApi = 'openai' | 'ws';

/** Keeps label values to a small known set, whatever a client sends. */
function label(value: string): string {
  return /^[a-z][a-z0-9_-]{0,31}$/.test(value) ? value : 'other';
}

/** Every metric the server exports. */
export class ServerMetrics {
  readonly registry = new Registry();
  readonly httpRequests: Counter<'method' | 'route' | 'status'>;
  readonly turns: Counter<'api' | 'outcome'>;
  readonly tokens: Counter<'api' | 'direction'>;
  readonly errors: Counter<'api' | 'code'>;
  readonly wsFrames: Counter<'kind'>;
  readonly openSockets: Gauge;
  readonly activeTurns: Gauge<'api'>;

  constructor(engine: LocalEngine) {
    const registers = [this.registry];
    collectDefaultMetrics({ register: this.registry });
    this.httpRequests = new Counter({
      name: 'parley_http_requests_total',
      help: 'HTTP requests answered, by method, route and status',
      labelNames: ['method', 'route', 'status'],
      registers,
    });
    this.turns = new Counter({
      name: 'parley_turns_total',
      help: 'Chat turns finished, by API (openai, ws) and outcome (done, error, interrupted)',
      labelNames: ['api', 'outcome'],
      registers,
    });
    this.tokens = new Counter({
      name: 'parley_tokens_total',
      help: 'Tokens of finished turns, by API and direction (input, output)',
      labelNames: ['api', 'direction'],
      registers,
    });
    this.errors = new Counter({
      name: 'parley_errors_total',
      help: 'Errors sent to clients, by API (openai, ws, http) and stable code',
      labelNames: ['api', 'code'],
      registers,
    });
    this.wsFrames = new Counter({
      name: 'parley_ws_frames_total',
      help: 'WebSocket frames received, by kind (text, binary)',
      labelNames: ['kind'],
      registers,
    });
    this.openSockets = new Gauge({
      name: 'parley_open_sockets',
      help: 'Open WebSocket connections',
      registers,
    });
    this.activeTurns = new Gauge({
      name: 'parley_active_turns',
      help: 'Turns being generated right now, by API',
      labelNames: ['api'],
      registers,
    });
    new Gauge({
      name: 'parley_local_queue_depth',
      help: 'Requests waiting for a free context sequence of the local engine',
      registers,
      collect() {
        this.set(engine.stats().queued);
      },
    });
    new Counter({
      name: 'parley_local_queue_waits_total',
      help: 'Requests that had to wait for a context sequence of the local engine',
      registers,
      collect() {
        this.reset();
        this.inc(engine.stats().waited);
      },
    });
    new Gauge({
      name: 'parley_local_models_loaded',
      help: 'Models loaded by the local engine',
      registers,
      collect() {
        this.set(engine.stats().models);
      },
    });
  }

  /** Count an error sent to a client. */
  error(api: TurnApi | 'http', code: string): void {
    this.errors.inc({ api, code: label(code) });
  }

  /** Count a finished turn and its tokens from its terminal event (errors are counted where they are sent). */
  turnEnded(api: TurnApi, end: ChatEvent | undefined): void {
    const outcome =
      end?.type === 'done' || end?.type === 'interrupted' || end?.type === 'error' ? end.type : 'error';
    this.turns.inc({ api, outcome });
    if (end?.type === 'done' || end?.type === 'interrupted') {
      const { inputTokens, outputTokens } = end.usage;
      if (inputTokens) this.tokens.inc({ api, direction: 'input' }, inputTokens);
      if (outputTokens) this.tokens.inc({ api, direction: 'output' }, outputTokens);
    }
  }
}
