/**
 * `POST /v1/images/generations`, OpenAI's image API over parley's image model
 * (`images.model`, docs/images.md): one image a request, saved in the images folder like
 * every image parley makes, answered as `b64_json` (the default) or as a `url` under
 * `/api/images/`, which is behind the server's token like every route. A client may name only
 * the configured image model, so it cannot spend another provider's key.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import type { Parley } from '@parley/core';
import { ParleyError, describeError } from '@parley/core';
import type { FastifyInstance } from 'fastify';
import * as z from 'zod';
import { HttpError, httpErrorFromInfo } from './http-errors.js';
import type { TurnRegistry } from './turns.js';

const Body = z.object({
  prompt: z.string({ error: 'prompt: a string is required' }),
  model: z.string().optional(),
  n: z.literal(1, { error: 'n: parley makes one image a request (n = 1)' }).optional(),
  size: z.string().optional(),
  response_format: z.enum(['b64_json', 'url'], { error: 'response_format: b64_json or url' }).optional(),
  // What OpenAI's clients may send and parley's image models have no use for: accepted, unused.
  quality: z.string().optional(),
  style: z.string().optional(),
  user: z.string().optional(),
  background: z.string().optional(),
  output_format: z.string().optional(),
  moderation: z.string().optional(),
});

/** The configured image model, if `asked` names it (in full or by its model id). */
function allowed(configured: string, asked: string | undefined): boolean {
  if (asked === undefined || asked === configured) return true;
  return asked === configured.slice(configured.indexOf(':') + 1);
}

export function registerImageGeneration(
  app: FastifyInstance,
  o: { parley: Parley; turns: TurnRegistry },
): void {
  app.post('/v1/images/generations', async (req) => {
    if (req.body === null || typeof req.body !== 'object' || Array.isArray(req.body)) {
      throw new HttpError(400, 'the body must be a JSON object with a prompt');
    }
    const parsed = Body.safeParse(req.body);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      const param = issue?.path.join('.') || null;
      const message = issue?.message ?? 'invalid request';
      throw new HttpError(400, message.startsWith(`${param}:`) ? message : `${param ?? 'body'}: ${message}`, {
        param,
      });
    }
    const body = parsed.data;
    const configured = o.parley.config.images?.model;
    if (configured === undefined) {
      throw new HttpError(404, 'no image model is configured here (images.model in config.toml)', {
        param: 'model',
        code: 'model_not_found',
      });
    }
    if (!allowed(configured, body.model)) {
      throw new HttpError(
        404,
        `the model "${String(body.model).slice(0, 100)}" is not offered here: use ${configured}`,
        {
          param: 'model',
          code: 'model_not_found',
        },
      );
    }
    if (o.turns.closing) throw new HttpError(503, 'the server is shutting down', { code: 'shutting_down' });
    const turn = o.turns.start('openai');
    try {
      const img = await o.parley.generateImage({ prompt: body.prompt, size: body.size, signal: turn.signal });
      const file = path.basename(img.path);
      const data =
        body.response_format === 'url'
          ? { url: `/api/images/${file}` }
          : { b64_json: (await readFile(img.path)).toString('base64') };
      return {
        created: Math.floor(Date.now() / 1000),
        data: [{ ...data, ...(img.revisedPrompt ? { revised_prompt: img.revisedPrompt } : {}) }],
      };
    } catch (e) {
      if (e instanceof HttpError) throw e;
      if (ParleyError.is(e)) throw httpErrorFromInfo(e.toInfo());
      throw new HttpError(500, describeError(e), { code: 'internal' });
    } finally {
      turn.end();
    }
  });
}
