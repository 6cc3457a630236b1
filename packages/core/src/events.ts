import type { IntentScore, RouteStrategyName, RouteTarget } from './router/types.js';

/**
 * The one event union every part of parley speaks. Models produce these, the chat engine
 * refines them, and every front end renders these and nothing else.
 */

/** Token counts for one turn. Missing counts are `undefined`, never guessed. */
export interface Usage {
  inputTokens?: number | undefined;
  outputTokens?: number | undefined;
  totalTokens?: number | undefined;
}

/** Wall-clock timings of one turn, measured by the chat engine. */
export interface Timings {
  /** Milliseconds from the request to the first text or reasoning token; null when none came. */
  ttftMs: number | null;
  /** Milliseconds from the request to the end of the stream. */
  totalMs: number;
  /** Output tokens per second after the first token; null when it cannot be computed. */
  tokensPerSecond: number | null;
}

/** Why a model stopped. */
export type FinishReason = 'stop' | 'length' | 'tool-calls' | 'content-filter' | 'error' | 'other';

/** A serialisable error as it travels in the event stream (already sanitised). */
export interface ErrorInfo {
  /** Stable machine-readable code, e.g. `rate_limited`, `auth`, `timeout`. */
  code: string;
  message: string;
  retryable: boolean;
  provider?: string | undefined;
  status?: number | undefined;
  /** Milliseconds the provider asked us to wait before retrying (`Retry-After`). */
  retryAfterMs?: number | undefined;
}

export interface TextDeltaEvent {
  type: 'text-delta';
  text: string;
}
export interface ReasoningDeltaEvent {
  type: 'reasoning-delta';
  text: string;
}
export interface ToolCallEvent {
  type: 'tool-call';
  id: string;
  name: string;
  args: unknown;
}
export interface ToolResultEvent {
  type: 'tool-result';
  id: string;
  name: string;
  result: unknown;
  isError?: boolean | undefined;
}
export interface UsageEvent {
  type: 'usage';
  usage: Usage;
}
/** Where the router sent this turn (only when routing is on), before any model output. */
export interface RouteEvent {
  type: 'route';
  intent: string;
  /** The strategy that decided: `override`, `rule`, `embedding` or `default`. */
  strategy: RouteStrategyName;
  /** Every intent's score from the encoder, best first; empty when no encoder ran. */
  scores: IntentScore[];
  /** Why, in a few words: `slash command /code`, `image attached`, `closest examples, …`. */
  reason: string;
  /** The chosen intent's target (its `model`, when set, answered this turn unless one was named). */
  target: RouteTarget;
  /** The encoder behind `scores`. */
  encoder?: string | undefined;
  /** True when the router's cache answered. */
  cached?: boolean | undefined;
}
/** Something the user should know that is not an error: trimming, retries, fallbacks. */
export interface NoticeEvent {
  type: 'notice';
  level: 'info' | 'warn';
  code: string;
  message: string;
}
export interface ErrorEvent {
  type: 'error';
  error: ErrorInfo;
}
export interface DoneEvent {
  type: 'done';
  /** `provider:model` that produced the answer. */
  model: string;
  finishReason: FinishReason;
  usage: Usage;
  timings: Timings;
  /** True when the response cache answered (the model was not called). */
  cached?: boolean | undefined;
}
/** The stream was cancelled; `partialText` is what arrived before the cancel. */
export interface InterruptedEvent {
  type: 'interrupted';
  model: string;
  reason: string;
  partialText: string;
  usage: Usage;
  timings: Timings;
}

export type ChatEvent =
  | TextDeltaEvent
  | ReasoningDeltaEvent
  | ToolCallEvent
  | ToolResultEvent
  | UsageEvent
  | RouteEvent
  | NoticeEvent
  | ErrorEvent
  | DoneEvent
  | InterruptedEvent;

export type ChatEventType = ChatEvent['type'];

/** Every event type, for exhaustive checks and protocol validation. */
export const CHAT_EVENT_TYPES: readonly ChatEventType[] = [
  'text-delta',
  'reasoning-delta',
  'tool-call',
  'tool-result',
  'usage',
  'route',
  'notice',
  'error',
  'done',
  'interrupted',
];

/** True for the events that end a stream. */
export function isTerminalEvent(e: ChatEvent): e is DoneEvent | InterruptedEvent | ErrorEvent {
  return e.type === 'done' || e.type === 'interrupted' || e.type === 'error';
}
