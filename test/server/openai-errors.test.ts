import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, postCompletion, STORIES_ID, type TestServer } from './helpers.js';

// Hostile bodies for POST /v1/chat/completions: every refusal in OpenAI's error shape, with
// the right status and the offending field named. No model runs for these.
let t: TestServer;
beforeAll(async () => {
  t = await startTestServer();
});
afterAll(() => t.close());

const post = (body: unknown, headers: Record<string, string> = {}): Promise<Response> =>
  postCompletion(t.url, body, headers);

const prompt = (content: unknown = 'Once upon a time') => [{ role: 'user', content }];

describe('errors in OpenAI shape for hostile bodies', () => {
  const cases: [string, unknown, number, string | null, RegExp][] = [
    ['not JSON', '{"model": ', 400, null, /not valid JSON/],
    ['a JSON array', '[1,2]', 400, null, /JSON object/],
    ['missing messages', { model: STORIES_ID }, 400, 'messages', /expected array/],
    ['empty messages', { model: STORIES_ID, messages: [] }, 400, 'messages', /at least one/],
    ['missing model', { messages: prompt() }, 400, 'model', /expected string/],
    ['model of the wrong type', { model: 42, messages: prompt() }, 400, 'model', /expected string/],
    [
      'temperature as a string',
      { model: STORIES_ID, messages: prompt(), temperature: 'hot' },
      400,
      'temperature',
      /number/,
    ],
    [
      'temperature out of range',
      { model: STORIES_ID, messages: prompt(), temperature: 9 },
      400,
      'temperature',
      /2/,
    ],
    [
      'max_tokens negative',
      { model: STORIES_ID, messages: prompt(), max_tokens: -1 },
      400,
      'max_tokens',
      /0/,
    ],
    [
      'a tool role',
      { model: STORIES_ID, messages: [{ role: 'tool', content: 'x' }] },
      400,
      'messages[0].role',
      /tool/,
    ],
    [
      'content of the wrong type',
      { model: STORIES_ID, messages: prompt(7) },
      400,
      'messages[0].content',
      /./,
    ],
    [
      'an unknown part type',
      { model: STORIES_ID, messages: prompt([{ type: 'input_audio' }]) },
      400,
      'messages[0].content',
      /./,
    ],
    [
      'an http image URL',
      {
        model: 'canned:echo',
        messages: prompt([{ type: 'image_url', image_url: { url: 'http://x/y.png' } }]),
      },
      400,
      'messages[0].content[0].image_url',
      /data: URL/,
    ],
    [
      'bad base64',
      {
        model: 'canned:echo',
        messages: prompt([{ type: 'image_url', image_url: { url: 'data:image/png;base64,%%%' } }]),
      },
      400,
      'messages[0].content[0].image_url',
      /base64/,
    ],
    ['n = 2', { model: STORIES_ID, messages: prompt(), n: 2 }, 400, 'n', /n=1/],
    [
      'tools',
      { model: STORIES_ID, messages: prompt(), tools: [{ type: 'function' }] },
      400,
      'tools',
      /not supported/,
    ],
    [
      'json mode',
      { model: STORIES_ID, messages: prompt(), response_format: { type: 'json_object' } },
      400,
      'response_format.type',
      /text/,
    ],
    [
      'only a system message',
      { model: STORIES_ID, messages: [{ role: 'system', content: 'x' }] },
      400,
      'messages',
      /user message/,
    ],
    [
      'a prompt over max_input_chars',
      { model: STORIES_ID, messages: prompt('x'.repeat(200_001)) },
      400,
      'messages',
      /200001 characters/,
    ],
    ['an unknown model', { model: 'no-such-model', messages: prompt() }, 404, 'model', /does not exist/],
    ['a path as the model', { model: '/etc/passwd', messages: prompt() }, 404, 'model', /does not exist/],
    ['an unknown provider', { model: 'nosuch:model', messages: prompt() }, 404, 'model', /does not exist/],
  ];
  it.each(cases)('%s', async (_name, body, status, param, message) => {
    const r = await post(body);
    expect(r.status).toBe(status);
    const j = (await r.json()) as { error: Record<string, unknown> };
    expect(Object.keys(j.error).sort()).toEqual(['code', 'message', 'param', 'type']);
    expect(j.error.param).toBe(param);
    expect(j.error.message).toMatch(message);
    expect(j.error.type).toBe(status === 404 ? 'not_found_error' : 'invalid_request_error');
  });

  it('refuses a body over the size limit with 413', async () => {
    const r = await post({ model: STORIES_ID, messages: prompt('y'.repeat(9 * 1024 * 1024)) });
    expect(r.status).toBe(413);
    const j = (await r.json()) as { error: { code: string; type: string } };
    expect(j.error.code).toBe('too_large');
  });

  it('refuses a body that is not JSON with 415', async () => {
    const r = await post('hello', { 'content-type': 'text/plain' });
    expect(r.status).toBe(415);
    expect(((await r.json()) as { error: { code: string } }).error.code).toBe('unsupported_media_type');
  });

  it('answers unknown routes with a 404 in the same shape', async () => {
    const r = await fetch(`${t.url}/v1/embeddings`, { method: 'POST' });
    expect(r.status).toBe(404);
    expect(((await r.json()) as { error: { code: string } }).error.code).toBe('not_found');
  });
});
