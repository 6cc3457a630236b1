/** Reading a turn's event stream to the end: the whole answer of `parley.chat()`. */
import type { ChatEvent, FinishReason, RouteEvent, Timings, Usage } from './events.js';
import { StreamError } from './errors.js';

/** The whole answer of `chat()`. */
export interface ChatResult {
  text: string;
  reasoning: string;
  model: string;
  finishReason: FinishReason | 'interrupted';
  usage: Usage;
  timings: Timings;
  notices: string[];
  /** True when the response cache answered. */
  cached: boolean;
  /** The router's decision, when the turn was routed. */
  route?: RouteEvent | undefined;
}

/** Collect a stream into a `ChatResult`; throws `StreamError` on an `error` event. */
export async function collectTurn(events: AsyncIterable<ChatEvent>): Promise<ChatResult> {
  let text = '';
  let reasoning = '';
  const notices: string[] = [];
  let route: RouteEvent | undefined;
  for await (const e of events) {
    switch (e.type) {
      case 'text-delta':
        text += e.text;
        break;
      case 'reasoning-delta':
        reasoning += e.text;
        break;
      case 'notice':
        notices.push(e.message);
        break;
      case 'route':
        route = e;
        break;
      case 'error':
        throw new StreamError(e.error);
      case 'done':
        return {
          text,
          reasoning,
          model: e.model,
          finishReason: e.finishReason,
          usage: e.usage,
          timings: e.timings,
          notices,
          cached: e.cached === true,
          ...(route ? { route } : {}),
        };
      case 'interrupted':
        return {
          text,
          reasoning,
          model: e.model,
          finishReason: 'interrupted',
          usage: e.usage,
          timings: e.timings,
          notices,
          cached: false,
          ...(route ? { route } : {}),
        };
      default:
        break;
    }
  }
  throw new StreamError({ code: 'runtime', message: 'the stream ended without an answer', retryable: false });
}
