import { createProviderModel, type ChatEvent } from '@parley/core';
import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { metricValue, startTestServer, STORIES_ID, type TestServer } from './helpers.js';

// Real clients, used unchanged, against the server as `parley serve` runs it (with a token,
// parallel sequences) on the real local engine with stories260K.
const TOKEN = 'test-token-0123456789';
let t: TestServer;
beforeAll(async () => {
  t = await startTestServer({ token: TOKEN, sequences: 2 });
});
afterAll(() => t.close());

describe('the official openai npm client', () => {
  const client = () => new OpenAI({ baseURL: `${t.url}/v1`, apiKey: TOKEN, maxRetries: 0 });

  it('completes without streaming', async () => {
    const c = await client().chat.completions.create({
      model: STORIES_ID,
      messages: [
        { role: 'system', content: 'You tell stories.' },
        { role: 'user', content: 'Once upon a time' },
      ],
      max_tokens: 16,
    });
    expect(c.object).toBe('chat.completion');
    expect(c.choices[0]?.message.content?.length).toBeGreaterThan(3);
    expect(c.choices[0]?.finish_reason).toBe('length');
    expect(c.usage?.completion_tokens).toBe(16);
  });

  it('streams, with usage at the end', async () => {
    const stream = await client().chat.completions.create({
      model: STORIES_ID,
      messages: [{ role: 'user', content: 'The little dog' }],
      max_tokens: 20,
      stream: true,
      stream_options: { include_usage: true },
    });
    let text = '';
    let finish: string | null | undefined;
    let usage: OpenAI.CompletionUsage | null | undefined;
    let chunks = 0;
    for await (const chunk of stream) {
      chunks++;
      text += chunk.choices[0]?.delta.content ?? '';
      finish ??= chunk.choices[0]?.finish_reason;
      if (chunk.usage) usage = chunk.usage;
    }
    expect(chunks).toBeGreaterThan(5);
    expect(text.length).toBeGreaterThan(5);
    expect(finish).toBe('length');
    expect(usage?.completion_tokens).toBe(20);
  });

  it('lists the models', async () => {
    const ids: string[] = [];
    for await (const m of client().models.list()) ids.push(m.id);
    expect(ids).toContain(STORIES_ID);
    expect(ids).toContain('canned');
  });

  it('reads the errors: 404 for an unknown model, 400 naming the field, 401 for a wrong key', async () => {
    const e404 = await client()
      .chat.completions.create({ model: 'nope', messages: [{ role: 'user', content: 'x' }] })
      .catch((e: unknown) => e);
    expect(e404).toBeInstanceOf(OpenAI.NotFoundError);
    expect((e404 as InstanceType<typeof OpenAI.NotFoundError>).code).toBe('model_not_found');
    const e400 = await client()
      .chat.completions.create({
        model: STORIES_ID,
        messages: [{ role: 'user', content: 'x' }],
        temperature: 5,
      })
      .catch((e: unknown) => e);
    expect(e400).toBeInstanceOf(OpenAI.BadRequestError);
    expect((e400 as InstanceType<typeof OpenAI.BadRequestError>).param).toBe('temperature');
    const wrong = new OpenAI({ baseURL: `${t.url}/v1`, apiKey: 'wrong-token-xxxx', maxRetries: 0 });
    const e401 = await wrong.models.list().catch((e: unknown) => e);
    expect(e401).toBeInstanceOf(OpenAI.AuthenticationError);
  });
});

describe("the AI SDK's openai-compatible provider, through core's createProviderModel", () => {
  const collect = async (it: AsyncIterable<ChatEvent>) => {
    const out: ChatEvent[] = [];
    for await (const e of it) out.push(e);
    return out;
  };

  it('streams text, usage and done from the server', async () => {
    const model = createProviderModel({
      provider: 'openai-compatible',
      modelId: STORIES_ID,
      baseURL: `${t.url}/v1`,
      apiKey: TOKEN,
    });
    const events = await collect(
      model.stream({
        messages: [{ role: 'user', content: [{ type: 'text', text: 'Once upon a time' }] }],
        maxTokens: 12,
      }),
    );
    const text = events.map((e) => (e.type === 'text-delta' ? e.text : '')).join('');
    expect(text.length).toBeGreaterThan(3);
    const done = events.at(-1);
    expect(done?.type).toBe('done');
    if (done?.type !== 'done') return;
    expect(done.finishReason).toBe('length');
    expect(done.usage.outputTokens).toBe(12);
  });

  it('reports the server refusing an unknown model as an error event', async () => {
    const model = createProviderModel({
      provider: 'openai-compatible',
      modelId: 'nope',
      baseURL: `${t.url}/v1`,
      apiKey: TOKEN,
    });
    const events = await collect(
      model.stream({ messages: [{ role: 'user', content: [{ type: 'text', text: 'x' }] }] }),
    );
    const last = events.at(-1);
    expect(last?.type).toBe('error');
    if (last?.type === 'error') expect(last.error.status).toBe(404);
  });
});

describe('concurrent requests to the local engine', () => {
  it('share one loaded model, queue past the sequence limit, and all complete', async () => {
    const headers = { authorization: `Bearer ${TOKEN}` };
    const metrics = async () => (await fetch(`${t.url}/metrics`, { headers })).text();
    const waitsBefore = metricValue(await metrics(), 'parley_local_queue_waits_total');
    const prompts = ['The cat', 'A bird', 'Lily saw', 'Tom had', 'The sun', 'One day'];
    let finished = 0;
    const requests = prompts.map(async (p) => {
      const r = await fetch(`${t.url}/v1/chat/completions`, {
        method: 'POST',
        headers: { ...headers, 'content-type': 'application/json' },
        body: JSON.stringify({
          model: STORIES_ID,
          messages: [{ role: 'user', content: p }],
          max_tokens: 150,
        }),
      });
      const j = (await r.json()) as {
        choices: { finish_reason: string }[];
        usage: { completion_tokens: number };
      };
      finished++;
      return { status: r.status, finish: j.choices[0]?.finish_reason, tokens: j.usage.completion_tokens };
    });
    // Six requests on two sequences: while they run, the queue metric shows the waiting ones.
    let peak = 0;
    while (finished < prompts.length) {
      peak = Math.max(peak, metricValue(await metrics(), 'parley_local_queue_depth'));
      await new Promise((r) => setTimeout(r, 5));
    }
    const results = await Promise.all(requests);
    expect(results.every((r) => r.status === 200 && r.finish === 'length' && r.tokens === 150)).toBe(true);
    expect(peak).toBeGreaterThan(0);
    const after = await metrics();
    expect(metricValue(after, 'parley_local_queue_waits_total') - waitsBefore).toBeGreaterThanOrEqual(1);
    expect(metricValue(after, 'parley_local_queue_depth')).toBe(0);
    expect(metricValue(after, 'parley_local_models_loaded')).toBe(1);
  });
});
