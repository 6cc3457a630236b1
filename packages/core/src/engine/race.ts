/**
 * A race: the same request goes to several models, the first to produce a token is streamed
 * and the others are cancelled. When every model fails, the last error is reported.
 */
import type { ChatModel } from '../chat-model.js';
import { modelLabel } from '../chat-model.js';
import type { ChatEvent, ErrorInfo } from '../events.js';
import { linkedController } from '../util/abort.js';
import { Channel } from '../util/channel.js';
import type { PrepareRequest } from './fallback.js';
import { streamWithRetry, type RetryOptions } from './retry.js';

type Item = { i: number; e: ChatEvent } | { i: number; end: true };

export async function* raceModels(
  models: readonly ChatModel[],
  prepare: PrepareRequest,
  signal: AbortSignal | undefined,
  opts: RetryOptions,
): AsyncIterable<ChatEvent> {
  const controllers = models.map(() => linkedController(signal));
  const channel = new Channel<Item>();
  let running = models.length;
  models.forEach((model, i) => {
    void (async () => {
      try {
        const { request, notices } = await prepare(model);
        for (const e of notices) channel.push({ i, e });
        for await (const e of streamWithRetry(model, request, controllers[i]?.signal, opts))
          channel.push({ i, e });
      } catch (err) {
        channel.push({
          i,
          e: { type: 'error', error: { code: 'provider', message: String(err), retryable: false } },
        });
      } finally {
        channel.push({ i, end: true });
        if (--running === 0) channel.close();
      }
    })();
  });

  const buffers: ChatEvent[][] = models.map(() => []);
  let winner = -1;
  let lastError: ErrorInfo | undefined;
  const failed = new Set<number>();
  try {
    for await (const item of channel) {
      if (winner >= 0) {
        if (item.i === winner && 'e' in item) yield item.e;
        continue;
      }
      if ('end' in item) continue;
      const { i, e } = item;
      if (e.type === 'error') {
        lastError = e.error;
        failed.add(i);
        if (failed.size === models.length) {
          yield {
            type: 'error',
            error: { ...lastError, message: `every model in the race failed; last: ${lastError.message}` },
          };
          return;
        }
        continue;
      }
      if (e.type === 'interrupted' && signal?.aborted) {
        yield e;
        return;
      }
      (buffers[i] as ChatEvent[]).push(e);
      if (e.type === 'text-delta' || e.type === 'reasoning-delta' || e.type === 'done') {
        winner = i;
        const losers = models.filter((_, j) => j !== i && !failed.has(j));
        controllers.forEach((c, j) => {
          if (j !== i) c.abort(new Error(`${modelLabel(models[i] as ChatModel)} answered first`));
        });
        yield {
          type: 'notice',
          level: 'info',
          code: 'race',
          message: `${modelLabel(models[i] as ChatModel)} answered first${losers.length ? `; cancelled ${losers.map(modelLabel).join(', ')}` : ''}`,
        };
        yield* buffers[i] as ChatEvent[];
      }
    }
  } finally {
    for (const c of controllers) c.abort(new Error('race ended'));
  }
}
