/**
 * What parley reports for metrics, as small functions. The core and every front end call
 * these; {@link ParleyMetrics} (prom-client) implements them, and `NO_METRICS` does nothing,
 * so nothing pays for metrics until a registry is attached (`parley.attachMetrics`).
 *
 * This file imports nothing heavy: the one-shot CLI loads it, prom-client it never loads.
 */

/** How a turn ended. */
export type TurnOutcome = 'done' | 'interrupted' | 'error';

/** One finished turn, as the chat engine saw it. */
export interface TurnSample {
  /** `provider:model` that answered (or was asked, when it failed before answering). */
  model: string;
  outcome: TurnOutcome;
  /** Stable error code when `outcome` is `error`. */
  errorCode?: string | undefined;
  /** Milliseconds to the first token; null when none came. */
  ttftMs: number | null;
  /** Milliseconds from the request to the end of the stream. */
  totalMs: number;
  /** Output tokens per second after the first token; null when unknown (or a cached answer). */
  tokensPerSecond: number | null;
  /** The response cache answered. */
  cached: boolean;
}

/** A router decision (hook for the router: one call per routed request). */
export interface RouterDecisionSample {
  /** The route chosen, e.g. an intent name or `default`. */
  route: string;
  /** The strategy that decided, e.g. `override`, `embedding`, `fallback`. */
  strategy: string;
  /** Seconds the decision took, if measured. */
  seconds?: number | undefined;
}

/** How a tool call ended. */
export type ToolOutcome = 'ok' | 'error' | 'denied' | 'timeout';

/** A tool call (hook for the tool runner: one call per finished tool call). */
export interface ToolCallSample {
  tool: string;
  outcome: ToolOutcome;
  /** Seconds the call took, if measured. */
  seconds?: number | undefined;
}

/** A model made resident in memory, or put out of it (hook for the residency manager). */
export interface ResidencyLoadSample {
  /** `provider:model` */
  model: string;
  outcome: 'loaded' | 'failed' | 'evicted';
  /** Seconds the load took (for `loaded` and `failed`). */
  seconds?: number | undefined;
}

/** Which front door a request came through. */
export type Api = 'openai' | 'ws' | 'http' | 'cli' | 'tui' | 'library';

/** Everything parley reports. Every method must be cheap and must never throw. */
export interface MetricsSink {
  /** A turn ended (called by the core for every `parley.stream()`). */
  turnEnded(t: TurnSample): void;
  /** The response cache looked up a request: `hit` when it answered without the model. */
  cacheLookup(model: string, hit: boolean): void;
  /** An error was sent to a client, by the API it went through and its stable code. */
  error(api: Api, code: string): void;
  /** A WebSocket session was opened (`hello`) or closed. */
  wsSession(delta: 1 | -1): void;
  /** An outgoing frame was dropped, e.g. its socket had closed, or a video frame under backpressure. */
  frameDropped(reason: string): void;
  /** The router decided (hook: the router calls it). */
  routerDecision(d: RouterDecisionSample): void;
  /** A tool call finished (hook: the tool runner calls it). */
  toolCall(c: ToolCallSample): void;
  /** A model was loaded into memory or evicted (hook: the residency manager calls it). */
  residencyLoad(l: ResidencyLoadSample): void;
}

const noop = (): void => undefined;

/** The sink that does nothing (the default until a registry is attached). */
export const NO_METRICS: MetricsSink = Object.freeze({
  turnEnded: noop,
  cacheLookup: noop,
  error: noop,
  wsSession: noop,
  frameDropped: noop,
  routerDecision: noop,
  toolCall: noop,
  residencyLoad: noop,
});

/** Forwards every call to each attached sink; a sink that throws never reaches the caller. */
export class MetricsFanout implements MetricsSink {
  private readonly sinks = new Set<MetricsSink>();

  /** Attach a sink; call the returned function to detach it. */
  attach(sink: MetricsSink): () => void {
    this.sinks.add(sink);
    return () => void this.sinks.delete(sink);
  }

  get size(): number {
    return this.sinks.size;
  }

  private each(fn: (s: MetricsSink) => void): void {
    for (const s of this.sinks) {
      try {
        fn(s);
      } catch {
        // Metrics never break a turn.
      }
    }
  }

  turnEnded(t: TurnSample): void {
    this.each((s) => s.turnEnded(t));
  }
  cacheLookup(model: string, hit: boolean): void {
    this.each((s) => s.cacheLookup(model, hit));
  }
  error(api: Api, code: string): void {
    this.each((s) => s.error(api, code));
  }
  wsSession(delta: 1 | -1): void {
    this.each((s) => s.wsSession(delta));
  }
  frameDropped(reason: string): void {
    this.each((s) => s.frameDropped(reason));
  }
  routerDecision(d: RouterDecisionSample): void {
    this.each((s) => s.routerDecision(d));
  }
  toolCall(c: ToolCallSample): void {
    this.each((s) => s.toolCall(c));
  }
  residencyLoad(l: ResidencyLoadSample): void {
    this.each((s) => s.residencyLoad(l));
  }
}
