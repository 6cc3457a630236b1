/**
 * `POST /v1/images/generations` on parley's own server: OpenAI's image API over the
 * configured image model, answered as `b64_json` or as a URL under `/api/images/`, behind the
 * server's token; hostile bodies get a 400 naming what was wrong, before any provider call.
 *
 * A local HTTP server stands in for OpenAI's images API (a cloud API cannot be reached from
 * a test): it answers in OpenAI's documented JSON format with a real PNG made for the test.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkPng, tinyPng } from '../helpers/png.js';
import {
  OPENAI_IMAGES_RATE_LIMITED,
  openAIImageReply,
  startWireServer,
  type WireServer,
} from '../helpers/wire-server.js';
import { startTestServer, type TestServer } from './helpers.js';

const TOKEN = 'images-api-token-0123456789';
const KEY = 'sk-test-images-api-0123456789';
const PNG = tinyPng(5, 3, [200, 40, 90]);
const auth = { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' };

let wire: WireServer;
let srv: TestServer;
beforeAll(async () => {
  wire = await startWireServer();
  srv = await startTestServer({
    token: TOKEN,
    config: {
      model: 'canned:echo',
      images: { model: 'openai:gpt-image-1' },
      providers: { openai: { base_url: `${wire.url}/v1`, api_key: KEY } },
      max_retries: 0,
    },
  });
});
afterAll(async () => {
  await srv?.close();
  await wire?.close();
});

const post = (body: unknown, headers: Record<string, string> = auth) =>
  fetch(`${srv.url}/v1/images/generations`, {
    method: 'POST',
    headers,
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
type ImagesBody = { created: number; data: { b64_json?: string; url?: string }[] };
type ErrorBody = { error: { message: string; type: string; param: string | null; code: string | null } };

describe('POST /v1/images/generations', () => {
  it('makes the image with the configured model and answers with its bytes', async () => {
    wire.reset();
    wire.reply(openAIImageReply(PNG));
    const r = await post({ prompt: 'a red square', size: '1024x1024', quality: 'high', user: 'u1' });
    expect(r.status).toBe(200);
    const body = (await r.json()) as ImagesBody;
    expect(body.data).toHaveLength(1);
    const bytes = Buffer.from(body.data[0]?.b64_json ?? '', 'base64');
    expect(bytes.equals(PNG)).toBe(true);
    expect(checkPng(bytes)).toMatchObject({ width: 5, height: 3 });
    // The provider was asked for the prompt and size, with the server's key.
    expect(wire.requests).toHaveLength(1);
    expect(wire.requests[0]?.body).toMatchObject({
      model: 'gpt-image-1',
      prompt: 'a red square',
      size: '1024x1024',
    });
    expect(JSON.stringify(body)).not.toContain(KEY);
  });

  it('answers with a URL under /api/images/, which needs the token', async () => {
    wire.reset();
    wire.reply(openAIImageReply(PNG));
    const r = await post({ prompt: 'a red square', model: 'gpt-image-1', response_format: 'url' });
    expect(r.status).toBe(200);
    const url = ((await r.json()) as ImagesBody).data[0]?.url ?? '';
    expect(url).toMatch(/^\/api\/images\/[\w-]+\.png$/);
    const image = await fetch(`${srv.url}${url}`, { headers: { authorization: `Bearer ${TOKEN}` } });
    expect(image.status).toBe(200);
    expect(Buffer.from(await image.arrayBuffer()).equals(PNG)).toBe(true);
    expect((await fetch(`${srv.url}${url}`)).status).toBe(401);
  });

  it('refuses another model, and hostile bodies, by name and before calling the provider', async () => {
    wire.reset();
    const cases: [unknown, number, RegExp, string | null][] = [
      [
        { prompt: 'x', model: 'openai:dall-e-3' },
        404,
        /"openai:dall-e-3" is not offered here: use openai:gpt-image-1/,
        'model',
      ],
      [{ prompt: 'x', model: 'anthropic:claude' }, 404, /not offered here/, 'model'],
      [[1, 2], 400, /JSON object with a prompt/, null],
      ['"just a string"', 400, /JSON object with a prompt/, null],
      ['null', 400, /JSON object with a prompt/, null],
      ['{"prompt": "cut', 400, /./, null],
      [{}, 400, /^prompt: a string is required/, 'prompt'],
      [{ prompt: 42 }, 400, /^prompt:/, 'prompt'],
      [{ prompt: '   ' }, 400, /prompt is empty/, null],
      [{ prompt: 'x'.repeat(40_000) }, 400, /the limit is/, null],
      [{ prompt: 'x', n: 2 }, 400, /^n: parley makes one image a request/, 'n'],
      [{ prompt: 'x', response_format: 'jpeg' }, 400, /^response_format: b64_json or url/, 'response_format'],
      [{ prompt: 'x', size: 'huge' }, 400, /size/, null],
      [{ prompt: 'x', size: '99999x99999' }, 400, /size|64/, null],
    ];
    for (const [body, status, message, param] of cases) {
      const r = await post(body);
      const e = (await r.json()) as ErrorBody;
      expect([r.status, e.error.message], JSON.stringify(body).slice(0, 80)).toEqual([
        status,
        expect.stringMatching(message),
      ]);
      if (param !== null) expect(e.error.param).toBe(param);
    }
    expect(wire.requests).toEqual([]);
    // Without the token: 401, like every route.
    expect((await post({ prompt: 'x' }, { 'content-type': 'application/json' })).status).toBe(401);
    expect((await fetch(`${srv.url}/healthz`, { headers: auth })).status).toBe(200);
  });

  it('a provider failure is an OpenAI-style error with its status; the server goes on', async () => {
    wire.reset();
    wire.reply(OPENAI_IMAGES_RATE_LIMITED);
    const r = await post({ prompt: 'a cat' });
    expect(r.status).toBe(429);
    const e = (await r.json()) as ErrorBody;
    expect(e.error).toMatchObject({ type: 'rate_limit_error', code: 'rate_limited' });
    expect(e.error.message).toMatch(/rate limit/i);
    expect(JSON.stringify(e)).not.toContain(KEY);
    wire.reply(openAIImageReply(PNG));
    expect((await post({ prompt: 'a cat' })).status).toBe(200);
  });
});

describe('without an image model', () => {
  it('answers 404 model_not_found naming the setting', async () => {
    const plain = await startTestServer({ config: { model: 'canned:echo' } });
    try {
      const r = await fetch(`${plain.url}/v1/images/generations`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ prompt: 'a cat' }),
      });
      expect(r.status).toBe(404);
      expect(((await r.json()) as ErrorBody).error).toMatchObject({
        code: 'model_not_found',
        param: 'model',
      });
    } finally {
      await plain.close();
    }
  });
});
