/**
 * Watching one turn go by: its notices and its end are logged (every line with the turn's
 * request id), and its end is reported to the metrics. The events pass unchanged.
 */
import type { ChatEvent, ErrorEvent } from '../events.js';
import { isTerminalEvent } from '../events.js';
import type { Log } from './log.js';
import type { MetricsSink, TurnSample } from './metrics-sink.js';

/** What a turn is observed with. */
export interface TurnObservation {
  /** The turn's logger (bound to its request id). */
  log: Log;
  metrics: MetricsSink;
  /** `provider:model` asked for: named in the sample when the turn fails before any model answers. */
  model: string;
  /** Fields of the `turn start` line (never the prompt's text). */
  start?: Record<string, unknown>;
}

function errorFields(e: ErrorEvent): Record<string, unknown> {
  const { code, message, retryable, provider, status } = e.error;
  return { code, message, retryable, ...(provider ? { provider } : {}), ...(status ? { status } : {}) };
}

/** Pass `events` through, logging and measuring the turn. */
export async function* observeTurn(
  events: AsyncIterable<ChatEvent>,
  o: TurnObservation,
): AsyncGenerator<ChatEvent> {
  const started = performance.now();
  let firstAt: number | undefined;
  let terminal: ChatEvent | undefined;
  o.log.debug({ model: o.model, ...o.start }, 'turn start');
  try {
    for await (const e of events) {
      if (e.type === 'text-delta' || e.type === 'reasoning-delta') firstAt ??= performance.now();
      else if (e.type === 'notice') {
        if (e.level === 'warn') o.log.warn({ code: e.code }, e.message);
        else o.log.info({ code: e.code }, e.message);
      } else if (isTerminalEvent(e)) terminal = e;
      yield e;
    }
  } finally {
    report(o, terminal, started, firstAt);
  }
}

function report(
  o: TurnObservation,
  end: ChatEvent | undefined,
  started: number,
  firstAt: number | undefined,
): void {
  let sample: TurnSample;
  if (end?.type === 'done' || end?.type === 'interrupted') {
    sample = {
      model: end.model,
      outcome: end.type,
      ttftMs: end.timings.ttftMs,
      totalMs: end.timings.totalMs,
      tokensPerSecond: end.timings.tokensPerSecond,
      cached: end.type === 'done' && end.cached === true,
    };
  } else {
    // An error, or a consumer that stopped reading before the end (an interrupt).
    const totalMs = Math.round((performance.now() - started) * 100) / 100;
    const ttftMs = firstAt === undefined ? null : Math.round((firstAt - started) * 100) / 100;
    sample = {
      model: o.model,
      outcome: end?.type === 'error' ? 'error' : 'interrupted',
      errorCode: end?.type === 'error' ? end.error.code : undefined,
      ttftMs,
      totalMs,
      tokensPerSecond: null,
      cached: false,
    };
  }
  o.metrics.turnEnded(sample);
  if (end?.type === 'error') {
    o.log.warn(
      { model: o.model, outcome: 'error', totalMs: sample.totalMs, err: errorFields(end) },
      'turn error',
    );
    return;
  }
  const fields: Record<string, unknown> = {
    model: sample.model,
    outcome: sample.outcome,
    ttftMs: sample.ttftMs,
    totalMs: sample.totalMs,
    tokensPerSecond: sample.tokensPerSecond,
  };
  if (end?.type === 'done') {
    fields.finishReason = end.finishReason;
    fields.inputTokens = end.usage.inputTokens;
    fields.outputTokens = end.usage.outputTokens;
    if (end.cached) fields.cached = true;
  } else if (end?.type === 'interrupted') {
    fields.reason = end.reason;
    fields.outputTokens = end.usage.outputTokens;
  } else {
    fields.reason = 'the consumer stopped reading';
  }
  o.log.info(fields, `turn ${sample.outcome}`);
}
