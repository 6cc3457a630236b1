/** The OpenAI-compatible HTTP API: `GET /v1/models` and `POST /v1/chat/completions`. */
import {
  ConversationLog,
  type ChatEvent,
  type ChatRequest,
  type Parley,
  type ParleyMetrics,
} from '@parley/core';
import type { FastifyInstance } from 'fastify';
import { HttpError } from './http-errors.js';
import type { ModelCatalog, ModelEntry } from './model-catalog.js';
import {
  collectCompletion,
  earlyEndError,
  nextEvent,
  streamCompletion,
  type CompletionContext,
} from './openai-completion.js';
import { toChatRequest } from './openai-mapping.js';
import { parseChatCompletionBody } from './openai-schema.js';
import { StopSequences, stopList } from './stop-sequences.js';
import type { TurnRegistry } from './turns.js';

/** What the OpenAI routes need. */
export interface OpenAIRoutesOptions {
  parley: Parley;
  catalog: ModelCatalog;
  turns: TurnRegistry;
  metrics: ParleyMetrics;
  /** Log each request as a stored conversation (config `store.log`). */
  log: boolean;
}

/**
 * A request's events, saved as a new stored conversation: its messages before the last user
 * message as history, that message, then the reply as it streams (`source: api`).
 */
function logged(
  parley: Parley,
  request: ChatRequest,
  model: string,
  events: AsyncIterable<ChatEvent>,
): AsyncIterable<ChatEvent> {
  const last = request.messages.findLastIndex((m) => m.role === 'user');
  const user = request.messages[last];
  if (!user) return events;
  const log = new ConversationLog(() => parley.store(), { source: 'api' });
  return log.record(user.content, events, {
    system: request.system,
    model,
    defaultModel: parley.config.model,
    history: request.messages.slice(0, last),
  });
}

function modelObject(e: ModelEntry): Record<string, unknown> {
  return { id: e.id, object: 'model', created: e.created, owned_by: e.ownedBy };
}

/** Register the routes on `app`. */
export function registerOpenAIRoutes(app: FastifyInstance, o: OpenAIRoutesOptions): void {
  app.get('/v1/models', async () => ({ object: 'list', data: (await o.catalog.list()).map(modelObject) }));

  app.get<{ Params: { id: string } }>('/v1/models/:id', async (req) => {
    const e = (await o.catalog.list()).find((m) => m.id === req.params.id);
    if (!e)
      throw new HttpError(404, `no model "${req.params.id}" here`, {
        param: 'model',
        code: 'model_not_found',
      });
    return modelObject(e);
  });

  app.post('/v1/chat/completions', async (req, reply) => {
    const body = parseChatCompletionBody(req.body);
    const name = await o.catalog.resolve(body.model);
    if (name === undefined) {
      throw new HttpError(
        404,
        `the model "${body.model}" does not exist here: GET /v1/models lists the models`,
        {
          param: 'model',
          code: 'model_not_found',
        },
      );
    }
    const request = toChatRequest(body, o.parley.config.max_input_chars);
    if (o.turns.closing) {
      throw new HttpError(503, 'the server is shutting down', { code: 'shutting_down' });
    }
    const turn = o.turns.start('openai');
    let gone = false;
    reply.raw.on('close', () => {
      if (reply.raw.writableFinished) return;
      gone = true;
      turn.abort('client disconnected');
    });
    const stream = o.parley.stream(request, {
      model: name,
      signal: turn.signal,
      log: o.parley.log.child({ req: req.id }),
      source: 'openai',
    });
    const ctx: CompletionContext = {
      events: (o.log ? logged(o.parley, request, name, stream) : stream)[Symbol.asyncIterator](),
      turn,
      stops: new StopSequences(stopList(body.stop)),
      model: body.model,
      metrics: o.metrics,
      clientGone: () => gone,
    };
    let terminal: ChatEvent | undefined;
    try {
      const first = await nextEvent(ctx.events);
      if (!first) throw new HttpError(500, 'the stream ended without an answer', { code: 'internal' });
      if (first.type === 'error' || first.type === 'interrupted') {
        terminal = first;
        throw earlyEndError(first);
      }
      if (body.stream) {
        terminal = await streamCompletion(reply, first, ctx, body.stream_options?.include_usage === true);
        return reply;
      }
      const r = await collectCompletion(first, ctx);
      terminal = r.terminal;
      if (!r.ok) throw r.error;
      return r.body;
    } finally {
      // Close the core's stream so its own cleanup runs (a consumer may stop at the terminal event).
      void ctx.events.return?.().catch(() => undefined);
      turn.end();
      o.metrics.serverTurnEnded('openai', terminal);
    }
  });
}
