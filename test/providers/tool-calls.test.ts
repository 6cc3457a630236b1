/**
 * Tool calling at the wire, in OpenAI's chat-completions and Anthropic's messages formats.
 * The local wire server stands in for the cloud APIs (they cannot be reached from a test);
 * it replays streams in each provider's documented format and records what parley sends.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, test } from 'vitest';
import * as z from 'zod';
import type { ChatEvent, ChatRequest, Tool } from '@parley/core';
import { runToolLoop, ToolRegistry, userText } from '@parley/core';
import { createProviderModel } from '../../packages/core/src/providers/create-provider-model.js';
import { sseReply, startWireServer, type WireServer } from '../helpers/wire-server.js';
import { fixtureEvents } from './provider-cases.js';
import { collect, expectOneTerminal, textOf } from './stream-helpers.js';

const fetchUrl: Tool<{ url: string }> = {
  name: 'fetch_url',
  description: 'Read a web page',
  input: z.object({ url: z.string() }).strict(),
  safety: 'safe',
  execute: async ({ url }) => ({ forModel: `page text of ${url}` }),
};
const webSearch: Tool<{ query: string }> = {
  name: 'web_search',
  description: 'Search the web',
  input: z.object({ query: z.string() }).strict(),
  safety: 'safe',
  execute: async ({ query }) => ({ forModel: `results for ${query}` }),
};
const registry = () => new ToolRegistry().register(fetchUrl).register(webSearch);

type Json = Record<string, unknown>;

describe('tool calls on the wire', () => {
  let server: WireServer;
  beforeAll(async () => {
    server = await startWireServer();
  });
  afterAll(async () => {
    await server.close();
  });
  beforeEach(() => server.reset());

  const openai = () =>
    createProviderModel({
      provider: 'openai',
      modelId: 'gpt-5.4-mini',
      baseURL: `${server.url}/v1`,
      apiKey: 'sk-test-openai-000',
    });
  const anthropic = () =>
    createProviderModel({
      provider: 'anthropic',
      modelId: 'claude-sonnet-4-6',
      baseURL: `${server.url}/v1`,
      apiKey: 'sk-ant-test-000000',
    });
  const request = (): ChatRequest => ({
    messages: [userText('tell me about green tea')],
    tools: registry().definitions(),
  });
  const calls = (events: ChatEvent[]) => events.filter((e) => e.type === 'tool-call');

  test('OpenAI: tools go out as functions, streamed calls come back whole', async () => {
    server.reply(sseReply(fixtureEvents('openai-tool-calls')));
    const events = await collect(openai().stream(request()));
    expect(calls(events)).toEqual([
      {
        type: 'tool-call',
        id: 'call_Qx81fU2kVb',
        name: 'fetch_url',
        args: { url: 'https://example.com/tea' },
      },
      { type: 'tool-call', id: 'call_Zt02mD9rLs', name: 'web_search', args: { query: 'green tea' } },
    ]);
    expect(expectOneTerminal(events)).toMatchObject({ type: 'done', finishReason: 'tool-calls' });
    const body = server.requests[0]?.body as Json;
    expect(server.requests[0]?.path).toBe('/v1/chat/completions');
    expect(body.tools).toEqual([
      {
        type: 'function',
        function: {
          name: 'fetch_url',
          description: 'Read a web page',
          parameters: expect.objectContaining({
            type: 'object',
            properties: { url: { type: 'string' } },
            required: ['url'],
          }),
        },
      },
      expect.objectContaining({
        type: 'function',
        function: expect.objectContaining({ name: 'web_search' }),
      }),
    ]);
    expect(body.tool_choice).toBe('auto');
  });

  test('Anthropic: tools go out with input_schema, a tool_use block comes back as a call', async () => {
    server.reply(sseReply(fixtureEvents('anthropic-tool-calls')));
    const events = await collect(anthropic().stream(request()));
    expect(textOf(events)).toBe("I'll read that page.");
    expect(calls(events)).toEqual([
      {
        type: 'tool-call',
        id: 'toolu_01T1x1fJ34qAmk2tCTrN7YqS',
        name: 'fetch_url',
        args: { url: 'https://example.com/tea' },
      },
    ]);
    expect(expectOneTerminal(events)).toMatchObject({ type: 'done', finishReason: 'tool-calls' });
    const body = server.requests[0]?.body as Json;
    expect(server.requests[0]?.path).toBe('/v1/messages');
    expect(body.tools).toEqual([
      expect.objectContaining({
        name: 'fetch_url',
        description: 'Read a web page',
        input_schema: expect.objectContaining({ type: 'object', required: ['url'] }),
      }),
      expect.objectContaining({ name: 'web_search' }),
    ]);
  });

  test('OpenAI: the whole loop sends the calls and their results back', async () => {
    server.reply(sseReply(fixtureEvents('openai-tool-calls')), sseReply(fixtureEvents('openai')));
    const model = openai();
    const events = await collect(
      runToolLoop(
        (r) => model.stream(r),
        { messages: [userText('tell me about green tea')] },
        { registry: registry(), confirm: async () => true },
      ),
    );
    expect(
      events.filter((e) => e.type === 'tool-result').map((e) => e.type === 'tool-result' && e.result),
    ).toEqual(['page text of https://example.com/tea', 'results for green tea']);
    expect(textOf(events)).toBe("Hello from parley's wire test.");
    expect(expectOneTerminal(events)).toMatchObject({ type: 'done', finishReason: 'stop' });
    const second = (server.requests[1]?.body as { messages: Json[] }).messages;
    expect(second.slice(1)).toEqual([
      {
        role: 'assistant',
        content: null,
        tool_calls: [
          {
            id: 'call_Qx81fU2kVb',
            type: 'function',
            function: { name: 'fetch_url', arguments: '{"url":"https://example.com/tea"}' },
          },
          {
            id: 'call_Zt02mD9rLs',
            type: 'function',
            function: { name: 'web_search', arguments: '{"query":"green tea"}' },
          },
        ],
      },
      { role: 'tool', tool_call_id: 'call_Qx81fU2kVb', content: 'page text of https://example.com/tea' },
      { role: 'tool', tool_call_id: 'call_Zt02mD9rLs', content: 'results for green tea' },
    ]);
  });

  test('Anthropic: the whole loop sends tool_use and tool_result blocks back', async () => {
    server.reply(sseReply(fixtureEvents('anthropic-tool-calls')), sseReply(fixtureEvents('anthropic')));
    const model = anthropic();
    const events = await collect(
      runToolLoop(
        (r) => model.stream(r),
        { messages: [userText('tell me about green tea')] },
        { registry: registry(), confirm: async () => true },
      ),
    );
    expect(textOf(events)).toBe("I'll read that page.Hello from parley's wire test.");
    const second = (server.requests[1]?.body as { messages: Json[] }).messages;
    expect(second.slice(1)).toEqual([
      {
        role: 'assistant',
        content: [
          { type: 'text', text: "I'll read that page." },
          {
            type: 'tool_use',
            id: 'toolu_01T1x1fJ34qAmk2tCTrN7YqS',
            name: 'fetch_url',
            input: { url: 'https://example.com/tea' },
          },
        ],
      },
      {
        role: 'user',
        content: [
          {
            type: 'tool_result',
            tool_use_id: 'toolu_01T1x1fJ34qAmk2tCTrN7YqS',
            content: 'page text of https://example.com/tea',
          },
        ],
      },
    ]);
    // Both steps' tokens are counted.
    expect(expectOneTerminal(events)).toMatchObject({ usage: { inputTokens: 412 + 21 } });
  });

  test('a failed tool goes back to the model marked as an error', async () => {
    server.reply(sseReply(fixtureEvents('anthropic-tool-calls')), sseReply(fixtureEvents('anthropic')));
    const model = anthropic();
    const failing = new ToolRegistry().register({
      ...fetchUrl,
      execute: async () => Promise.reject(new Error('connection refused')),
    });
    await collect(
      runToolLoop(
        (r) => model.stream(r),
        { messages: [userText('x')] },
        { registry: failing, confirm: async () => true },
      ),
    );
    const second = (server.requests[1]?.body as { messages: Json[] }).messages;
    expect(second[2]).toEqual({
      role: 'user',
      content: [
        expect.objectContaining({
          type: 'tool_result',
          tool_use_id: 'toolu_01T1x1fJ34qAmk2tCTrN7YqS',
          is_error: true,
          content: 'error (failed): connection refused',
        }),
      ],
    });
  });
});
