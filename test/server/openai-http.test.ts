import http from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  eventually,
  metricValue,
  startTestServer,
  postCompletion,
  STORIES_ID,
  type TestServer,
} from './helpers.js';

// The OpenAI-compatible HTTP API over a real socket, on the real local engine (stories260K).
let t: TestServer;
beforeAll(async () => {
  t = await startTestServer({ sequences: 1 });
});
afterAll(() => t.close());

const post = (body: unknown, headers: Record<string, string> = {}): Promise<Response> =>
  postCompletion(t.url, body, headers);

const prompt = (content: unknown = 'Once upon a time') => [{ role: 'user', content }];

/** The JSON objects of an SSE body, and whether it ended with `[DONE]`. */
function sseEvents(text: string): { events: Record<string, unknown>[]; done: boolean } {
  const datas = text
    .split('\n\n')
    .filter((b) => b.startsWith('data: '))
    .map((b) => b.slice(6));
  const done = datas.at(-1) === '[DONE]';
  const events = datas.filter((d) => d !== '[DONE]').map((d) => JSON.parse(d) as Record<string, unknown>);
  return { events, done };
}

/** The parts of a chat.completion the tests read. */
type Completion = {
  id: string;
  object: string;
  model: string;
  choices: { message: { role: string; content: string }; finish_reason: string }[];
  usage: { prompt_tokens: number; completion_tokens: number; total_tokens: number };
};

type Chunk = { choices: { delta: { content?: string; role?: string }; finish_reason: string | null }[] };

describe('POST /v1/chat/completions', () => {
  it('answers without streaming: a chat.completion with finish_reason and usage', async () => {
    const r = await post({ model: STORIES_ID, messages: prompt(), max_tokens: 20 });
    expect(r.status).toBe(200);
    const j = (await r.json()) as Completion;
    expect(j.object).toBe('chat.completion');
    expect(j.id).toMatch(/^chatcmpl-/);
    expect(j.model).toBe(STORIES_ID);
    expect(j.choices[0]?.message.role).toBe('assistant');
    expect(j.choices[0]?.message.content.length).toBeGreaterThan(5);
    expect(j.choices[0]?.finish_reason).toBe('length');
    expect(j.usage.completion_tokens).toBe(20);
    expect(j.usage.prompt_tokens).toBeGreaterThan(3);
    expect(j.usage.total_tokens).toBe(j.usage.prompt_tokens + 20);
  });

  it('streams chat.completion.chunk events ending with [DONE], the same text as without streaming', async () => {
    const body = { model: STORIES_ID, messages: prompt(), max_tokens: 24, temperature: 0 };
    const whole = (await (await post(body)).json()) as { choices: { message: { content: string } }[] };
    const r = await post({ ...body, stream: true });
    expect(r.status).toBe(200);
    expect(r.headers.get('content-type')).toMatch(/^text\/event-stream/);
    const { events, done } = sseEvents(await r.text());
    expect(done).toBe(true);
    const chunks = events as unknown as Chunk[];
    expect(events.every((e) => e.object === 'chat.completion.chunk')).toBe(true);
    expect(new Set(events.map((e) => e.id)).size).toBe(1);
    expect(chunks[0]?.choices[0]?.delta.role).toBe('assistant');
    const text = chunks.map((c) => c.choices[0]?.delta.content ?? '').join('');
    expect(text).toBe(whole.choices[0]?.message.content);
    expect(chunks.at(-1)?.choices[0]?.finish_reason).toBe('length');
    expect(events.some((e) => 'usage' in e)).toBe(false);
  });

  it('adds a usage chunk with stream_options.include_usage', async () => {
    const r = await post({
      model: STORIES_ID,
      messages: prompt(),
      max_tokens: 10,
      stream: true,
      stream_options: { include_usage: true },
    });
    const { events, done } = sseEvents(await r.text());
    expect(done).toBe(true);
    const last = events.at(-1) as { choices: unknown[]; usage: Record<string, number> };
    expect(last.choices).toEqual([]);
    expect(last.usage.completion_tokens).toBe(10);
    expect(last.usage.total_tokens).toBe(last.usage.prompt_tokens! + 10);
    // every other chunk carries usage: null, as OpenAI sends it
    expect(events.slice(0, -1).every((e) => e.usage === null)).toBe(true);
  });

  it('ends at a stop sequence with finish_reason stop, streamed or not', async () => {
    const base = { model: 'canned', messages: prompt(), max_tokens: 60 };
    const plain = (await (await post(base)).json()) as { choices: { message: { content: string } }[] };
    const stop = ' named Lily';
    expect(plain.choices[0]?.message.content).toContain(stop);
    const expected = plain.choices[0]!.message.content.split(stop)[0];
    const whole = (await (await post({ ...base, stop })).json()) as Completion;
    expect(whole.choices[0]?.message.content).toBe(expected);
    expect(whole.choices[0]?.finish_reason).toBe('stop');
    const { events } = sseEvents(await (await post({ ...base, stop: [stop, 'zzz'], stream: true })).text());
    const chunks = events as unknown as Chunk[];
    expect(chunks.map((c) => c.choices[0]?.delta.content ?? '').join('')).toBe(expected);
    expect(chunks.at(-1)?.choices[0]?.finish_reason).toBe('stop');
  });

  it('maps system, assistant and image content parts to the core request', async () => {
    const png = Buffer.from('89504e470d0a1a0a', 'hex').toString('base64');
    const r = await post({
      model: 'canned:echo',
      messages: [
        { role: 'system', content: 'Be brief.' },
        { role: 'user', content: 'first' },
        { role: 'assistant', content: [{ type: 'text', text: 'ok' }] },
        {
          role: 'user',
          content: [
            { type: 'text', text: 'look at' },
            { type: 'image_url', image_url: { url: `data:image/png;base64,${png}` } },
          ],
        },
      ],
    });
    const j = (await r.json()) as Completion;
    expect(r.status).toBe(200);
    expect(j.choices[0]?.message.content.trim()).toBe('look at [image image/png 8 bytes]');
    expect(j.choices[0]?.finish_reason).toBe('stop');
  });

  it('refuses images for the local model with a 400 that says why', async () => {
    const png = Buffer.from('89504e470d0a1a0a', 'hex').toString('base64');
    const r = await post({
      model: STORIES_ID,
      messages: prompt([{ type: 'image_url', image_url: { url: `data:image/png;base64,${png}` } }]),
    });
    expect(r.status).toBe(400);
    const j = (await r.json()) as { error: { code: string; message: string } };
    expect(j.error.code).toBe('unsupported');
    expect(j.error.message).toMatch(/cannot take images/);
  });
});

describe('client disconnect', () => {
  it('aborts the generation: the server ends the turn as interrupted and frees the sequence', async () => {
    const metrics = async () => (await fetch(`${t.url}/metrics`)).text();
    const before = metricValue(await metrics(), 'parley_turns_total', {
      api: 'openai',
      outcome: 'interrupted',
    });
    await new Promise<void>((resolve, reject) => {
      const req = http.request(`${t.url}/v1/chat/completions`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
      });
      req.on('response', (res) => {
        res.once('data', () => {
          req.destroy(); // hang up after the first chunk
          resolve();
        });
      });
      req.on('error', (e) => ((e as NodeJS.ErrnoException).code === 'ECONNRESET' ? undefined : reject(e)));
      req.end(JSON.stringify({ model: STORIES_ID, messages: prompt(), max_tokens: 5000, stream: true }));
    });
    await eventually(async () => {
      const m = await metrics();
      const n = metricValue(m, 'parley_turns_total', { api: 'openai', outcome: 'interrupted' });
      return n === before + 1 && metricValue(m, 'parley_active_turns') === 0 ? true : undefined;
    }, 'the server saw the abort');
    // With one sequence, a new request runs only if the aborted one gave its sequence back.
    const r = await post({ model: STORIES_ID, messages: prompt(), max_tokens: 3 });
    expect(r.status).toBe(200);
  });
});

describe('the other routes', () => {
  it('GET /healthz', async () => {
    const r = await fetch(`${t.url}/healthz`);
    expect(r.status).toBe(200);
    expect(await r.json()).toEqual({ status: 'ok' });
  });

  it('GET /v1/models lists the default, the downloaded local models and canned', async () => {
    const j = (await (await fetch(`${t.url}/v1/models`)).json()) as {
      object: string;
      data: Record<string, unknown>[];
    };
    expect(j.object).toBe('list');
    const ids = j.data.map((m) => m.id);
    expect(ids[0]).toBe(STORIES_ID);
    expect(ids).toContain('canned');
    expect(ids).toContain('canned:echo');
    expect(j.data.every((m) => m.object === 'model' && typeof m.owned_by === 'string')).toBe(true);
    expect(JSON.stringify(j)).not.toContain('/shared/models'); // no server paths leak
    const one = await fetch(`${t.url}/v1/models/canned`);
    expect(((await one.json()) as { id: string }).id).toBe('canned');
    expect((await fetch(`${t.url}/v1/models/nope`)).status).toBe(404);
  });

  it('GET / serves a placeholder page with a strict CSP; static paths stay inside web/', async () => {
    const r = await fetch(`${t.url}/`);
    expect(r.status).toBe(200);
    expect(r.headers.get('content-type')).toMatch(/text\/html/);
    expect(r.headers.get('content-security-policy')).toContain("script-src 'self'");
    expect(await r.text()).toContain('parley');
    for (const p of ['/..%2f..%2fpackage.json', '/%2e%2e/%2e%2e/package.json', '/.env', '/nothing.js']) {
      expect((await fetch(`${t.url}${p}`)).status).toBe(404);
    }
  });

  it('GET /metrics speaks Prometheus text with the server metrics', async () => {
    await post({ model: 'canned', messages: prompt(), max_tokens: 7 });
    const r = await fetch(`${t.url}/metrics`);
    expect(r.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
    const m = await r.text();
    for (const name of [
      'parley_http_requests_total',
      'parley_turns_total',
      'parley_tokens_total',
      'parley_errors_total',
      'parley_open_sockets',
      'parley_local_queue_depth',
      'parley_local_queue_waits_total',
      'process_resident_memory_bytes',
    ]) {
      expect(m).toContain(`# TYPE ${name} `);
    }
    expect(
      metricValue(m, 'parley_http_requests_total', { route: '/v1/chat/completions', status: '200' }),
    ).toBeGreaterThan(0);
    expect(
      metricValue(m, 'parley_tokens_total', { api: 'openai', direction: 'output' }),
    ).toBeGreaterThanOrEqual(7);
    expect(metricValue(m, 'parley_errors_total', { api: 'http', code: 'model_not_found' })).toBeGreaterThan(
      0,
    );
    expect(metricValue(m, 'parley_local_models_loaded')).toBe(1);
  });
});
