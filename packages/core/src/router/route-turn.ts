/**
 * Routing as one step of a turn: read the last user message, ask the router, and turn the
 * decision into a `route` event. A failing encoder never fails the turn: it becomes a notice
 * and the turn goes on unrouted. An unknown explicit intent is the caller's error.
 */
import type { ChatRequest } from '../chat-model.js';
import { messageText } from '../chat-model.js';
import { ParleyError, UsageError, describeError } from '../errors.js';
import type { ChatEvent } from '../events.js';
import type { Router } from './router.js';
import type { RouteDecision, RouteInput } from './types.js';

/** The router's input for a request: its last user message. */
export function routeInput(request: ChatRequest, intent?: string): RouteInput {
  const last = request.messages.findLast((m) => m.role === 'user');
  return {
    text: last ? messageText(last) : '',
    hasImage: last?.content.some((p) => p.type === 'image') ?? false,
    ...(intent === undefined ? {} : { intent }),
  };
}

/** The decision as the event every front end receives. */
export function routeEvent(d: RouteDecision): ChatEvent {
  return {
    type: 'route',
    intent: d.intent,
    strategy: d.strategy,
    scores: d.scores,
    reason: d.reason,
    target: d.target,
    ...(d.encoder ? { encoder: d.encoder } : {}),
    ...(d.cached ? { cached: true } : {}),
  };
}

/** What routing adds to a turn: its events, the decision, and whether the turn must stop. */
export interface RoutedTurn {
  events: ChatEvent[];
  decision?: RouteDecision | undefined;
  stop: boolean;
}

export async function routeTurn(
  router: () => Promise<Router>,
  request: ChatRequest,
  intent: string | undefined,
  signal?: AbortSignal,
): Promise<RoutedTurn> {
  try {
    const decision = await (await router()).route(routeInput(request, intent), signal);
    return { events: [routeEvent(decision)], decision, stop: false };
  } catch (e) {
    if (e instanceof UsageError || (ParleyError.is(e) && e.code === 'config')) {
      return { events: [{ type: 'error', error: e.toInfo() }], stop: true };
    }
    if (signal?.aborted) return { events: [], stop: false };
    return {
      events: [
        {
          type: 'notice',
          level: 'warn',
          code: 'route-failed',
          message: `the router could not decide (${describeError(e)}); answering without routing`,
        },
      ],
      stop: false,
    };
  }
}
