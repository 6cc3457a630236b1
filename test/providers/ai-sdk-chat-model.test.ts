/**
 * AiSdkChatModel beyond the conformance suite: how requests are mapped (settings, images,
 * history), early exits, and how AI SDK stream parts become parley events.
 *
 * The local wire server stands in for the cloud APIs and local servers: no real cloud API
 * can be reached from the machines these tests run on. A few tests use the AI SDK's own
 * MockLanguageModelV3 for stream parts no recorded fixture carries (provider tool calls).
 */
import { MockLanguageModelV3, simulateReadableStream } from 'ai/test';
import { afterAll, beforeAll, beforeEach, describe, expect, test, vi } from 'vitest';
import { userText, type ChatRequest } from '../../packages/core/src/chat-model.js';
import { AiSdkChatModel } from '../../packages/core/src/providers/ai-sdk-chat-model.js';
import { createProviderModel } from '../../packages/core/src/providers/create-provider-model.js';
import { sseReply, startWireServer, type WireServer } from '../helpers/wire-server.js';
import { FIXTURE_TEXT, fixtureEvents } from './provider-cases.js';
import { collect, expectOneTerminal, textOf } from './stream-helpers.js';

const PNG = new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

describe('AiSdkChatModel on the wire', () => {
  let server: WireServer;
  const ollama = () =>
    createProviderModel({ provider: 'ollama', modelId: 'llama3.2', baseURL: `${server.url}/v1` });

  beforeAll(async () => {
    server = await startWireServer();
  });
  afterAll(async () => {
    await server.close();
  });
  beforeEach(() => server.reset());

  test('passes temperature, max tokens, top-p and seed, and no retries', async () => {
    server.reply(sseReply(fixtureEvents('openai-compatible')));
    const req: ChatRequest = {
      messages: [userText('hi')],
      temperature: 0.2,
      maxTokens: 64,
      topP: 0.9,
      seed: 7,
    };
    await collect(ollama().stream(req));
    expect(server.requests[0]?.body).toMatchObject({ temperature: 0.2, max_tokens: 64, top_p: 0.9, seed: 7 });
  });

  test('sends history in order, with images as data URLs', async () => {
    server.reply(sseReply(fixtureEvents('openai-compatible')));
    await collect(
      ollama().stream({
        messages: [
          userText('first'),
          {
            role: 'assistant',
            content: [
              { type: 'text', text: 'answer ' },
              { type: 'text', text: 'one' },
            ],
          },
          {
            role: 'user',
            content: [
              { type: 'text', text: 'what is this?' },
              { type: 'image', data: PNG, mediaType: 'image/png' },
            ],
          },
        ],
      }),
    );
    const body = server.requests[0]?.body as { messages: unknown[] };
    expect(body.messages).toEqual([
      { role: 'user', content: 'first' },
      { role: 'assistant', content: 'answer one' },
      {
        role: 'user',
        content: [
          { type: 'text', text: 'what is this?' },
          {
            type: 'image_url',
            image_url: { url: `data:image/png;base64,${Buffer.from(PNG).toString('base64')}` },
          },
        ],
      },
    ]);
  });

  test('an already aborted signal gives interrupted without a request', async () => {
    const ctl = new AbortController();
    ctl.abort();
    const out = await collect(ollama().stream({ messages: [userText('hi')] }, ctl.signal));
    expect(out).toEqual([
      expect.objectContaining({ type: 'interrupted', partialText: '', reason: 'cancelled' }),
    ]);
    expect(server.requests).toHaveLength(0);
  });

  test('the abort reason reaches the interrupted event', async () => {
    server.reply(sseReply(fixtureEvents('openai-compatible').slice(0, 3), { then: 'hang' }));
    const ctl = new AbortController();
    const out = [];
    for await (const e of ollama().stream({ messages: [userText('hi')] }, ctl.signal)) {
      out.push(e);
      if (e.type === 'text-delta') ctl.abort('user pressed Esc');
    }
    expect(expectOneTerminal(out)).toMatchObject({
      type: 'interrupted',
      reason: 'user pressed Esc',
      partialText: 'Hello',
    });
  });

  test('a consumer that stops reading closes the HTTP request', async () => {
    server.reply(sseReply(fixtureEvents('openai-compatible').slice(0, 3), { then: 'hang' }));
    for await (const e of ollama().stream({ messages: [userText('hi')] })) {
      if (e.type === 'text-delta') break;
    }
    await server.requests[0]?.clientClosed; // the test times out here if the request stayed open
    expect(server.requests[0]?.closedEarly).toBe(true);
  }, 10_000);

  test('finish_reason "length" becomes finishReason length', async () => {
    const events = fixtureEvents('openai-compatible').map((e) =>
      e.replace('"finish_reason":"stop"', '"finish_reason":"length"'),
    );
    server.reply(sseReply(events));
    const out = await collect(ollama().stream({ messages: [userText('hi')] }));
    expect(expectOneTerminal(out)).toMatchObject({ type: 'done', finishReason: 'length' });
  });

  test('reasoning_content becomes reasoning deltas, apart from the text', async () => {
    const think = (t: string) =>
      `data: ${JSON.stringify({ id: 'r', object: 'chat.completion.chunk', created: 1, model: 'qwen3', choices: [{ index: 0, delta: { reasoning_content: t }, finish_reason: null }] })}\n\n`;
    const events = fixtureEvents('openai-compatible');
    server.reply(sseReply([events[0] ?? '', think('Let me '), think('think.'), ...events.slice(1)]));
    const out = await collect(ollama().stream({ messages: [userText('hi')] }));
    const reasoning = out.flatMap((e) => (e.type === 'reasoning-delta' ? [e.text] : [])).join('');
    expect(reasoning).toBe('Let me think.');
    expect(textOf(out)).toBe(FIXTURE_TEXT);
    expect(out.findIndex((e) => e.type === 'reasoning-delta')).toBeLessThan(
      out.findIndex((e) => e.type === 'text-delta'),
    );
    const done = expectOneTerminal(out);
    expect(done.type === 'done' && done.timings.ttftMs !== null).toBe(true);
  });

  test('a refused connection is one retryable network error naming the provider', async () => {
    const dead = await startWireServer();
    const url = dead.url;
    await dead.close();
    const m = createProviderModel({ provider: 'lmstudio', modelId: 'qwen3-8b', baseURL: `${url}/v1` });
    const out = await collect(m.stream({ messages: [userText('hi')] }));
    expect(out).toHaveLength(1);
    expect(out[0]).toMatchObject({
      type: 'error',
      error: { code: 'network', retryable: true, provider: 'lmstudio' },
    });
    expect(out[0]?.type === 'error' && out[0].error.message).toMatch(/lmstudio.*ECONNREFUSED/);
  });
});

describe('AiSdkChatModel stream parts', () => {
  const usage = {
    inputTokens: { total: 3, noCache: 3, cacheRead: 0, cacheWrite: 0 },
    outputTokens: { total: 2, text: 2, reasoning: 0 },
  };

  test('provider tool calls and results, warnings as notices, and nothing on the console', async () => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    const info = vi.spyOn(console, 'info').mockImplementation(() => {});
    const model = new MockLanguageModelV3({
      doStream: () =>
        Promise.resolve({
          stream: simulateReadableStream({
            chunks: [
              {
                type: 'stream-start',
                warnings: [{ type: 'unsupported', feature: 'seed', details: 'ignored' }],
              },
              {
                type: 'tool-call',
                toolCallId: 'c1',
                toolName: 'web_search',
                input: '{"q":"parley"}',
                providerExecuted: true,
              },
              { type: 'tool-result', toolCallId: 'c1', toolName: 'web_search', result: { hits: 1 } },
              { type: 'text-start', id: 't' },
              { type: 'text-delta', id: 't', delta: 'found it' },
              { type: 'text-end', id: 't' },
              { type: 'finish', finishReason: { unified: 'stop', raw: 'stop' }, usage },
            ],
          }),
        }),
    });
    const m = new AiSdkChatModel({ provider: 'mock', modelId: 'm1', model });
    const out = await collect(m.stream({ messages: [userText('search')], seed: 1 }));
    expect(out.slice(0, 3)).toEqual([
      { type: 'notice', level: 'warn', code: 'provider_warning', message: 'seed: not supported (ignored)' },
      { type: 'tool-call', id: 'c1', name: 'web_search', args: { q: 'parley' } },
      { type: 'tool-result', id: 'c1', name: 'web_search', result: { hits: 1 } },
    ]);
    expect(textOf(out)).toBe('found it');
    expect(expectOneTerminal(out)).toMatchObject({
      type: 'done',
      usage: { inputTokens: 3, outputTokens: 2, totalTokens: 5 },
    });
    expect(warn).not.toHaveBeenCalled();
    expect(info).not.toHaveBeenCalled();
    warn.mockRestore();
    info.mockRestore();
  });

  test('a model that throws gives one error event, never a throw', async () => {
    const error = vi.spyOn(console, 'error').mockImplementation(() => {});
    const model = new MockLanguageModelV3({ doStream: () => Promise.reject(new Error('kaboom')) });
    const m = new AiSdkChatModel({ provider: 'mock', modelId: 'm1', model });
    const out = await collect(m.stream({ messages: [userText('hi')] }));
    expect(out).toEqual([
      {
        type: 'error',
        error: { code: 'provider', message: 'mock: kaboom', retryable: false, provider: 'mock' },
      },
    ]);
    expect(error).not.toHaveBeenCalled();
    error.mockRestore();
  });

  test('a stream that ends without a finish part keeps its text and reports a malformed response', async () => {
    const model = new MockLanguageModelV3({
      doStream: () =>
        Promise.resolve({
          stream: simulateReadableStream({
            chunks: [
              { type: 'text-start', id: 't' },
              { type: 'text-delta', id: 't', delta: 'cut' },
            ],
          }),
        }),
    });
    const out = await collect(
      new AiSdkChatModel({ provider: 'mock', modelId: 'm1', model }).stream({ messages: [userText('hi')] }),
    );
    expect(textOf(out)).toBe('cut');
    const last = expectOneTerminal(out);
    // Without a finish part the answer may be cut short: say so rather than claim success.
    expect(last).toMatchObject({ type: 'error', error: { code: 'malformed_response', provider: 'mock' } });
    expect(last.type === 'error' && last.error.message).toContain('without a finish part');
  });
});
