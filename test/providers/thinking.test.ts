/**
 * Thinking mode at the wire: with `think`, each provider is asked for its reasoning in its
 * own way, and the reasoning in its recorded stream (./fixtures, in the provider's documented
 * format) arrives as `reasoning-delta`, apart from the answer. Without `think`, nothing is
 * asked. The wire server stands in for the cloud APIs and Ollama, which the test machines
 * cannot reach.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { collectTurn, createParley } from '@parley/core';
import { userText, type ChatRequest } from '../../packages/core/src/chat-model.js';
import { createProviderModel } from '../../packages/core/src/providers/create-provider-model.js';
import { THINKING_BUDGET_TOKENS } from '../../packages/core/src/providers/thinking.js';
import { runParley, tempHome } from '../helpers/cli.js';
import { sseReply, startWireServer, type WireServer } from '../helpers/wire-server.js';
import { FIXTURE_TEXT, fixtureEvents } from './provider-cases.js';
import { collect } from './stream-helpers.js';

const REASONING = 'The user says hi. A short greeting fits.';

let server: WireServer;
beforeAll(async () => (server = await startWireServer()));
afterAll(() => server.close());
beforeEach(() => server.reset());

const ask = (think: boolean): ChatRequest => ({ messages: [userText('hi')], maxTokens: 64, think });
const model = (provider: string, modelId: string, basePath: string) =>
  createProviderModel({
    provider,
    modelId,
    apiKey: 'test-key-thinking',
    baseURL: `${server.url}${basePath}`,
  });

/** Reasoning and answer arrive apart, reasoning first, and the turn ends with done. */
async function expectSplit(stream: AsyncIterable<import('@parley/core').ChatEvent>): Promise<void> {
  const events = await collect(stream);
  const r = await collectTurn(
    (async function* () {
      yield* events;
    })(),
  );
  expect(r).toMatchObject({ reasoning: REASONING, text: FIXTURE_TEXT, finishReason: 'stop' });
  const firstText = events.findIndex((e) => e.type === 'text-delta');
  const lastReasoning = events.findLastIndex((e) => e.type === 'reasoning-delta');
  expect(lastReasoning).toBeGreaterThanOrEqual(0);
  expect(lastReasoning).toBeLessThan(firstText);
}

describe('Anthropic extended thinking', () => {
  it('asks for thinking with a budget on top of max_tokens, and streams thinking_delta as reasoning', async () => {
    server.reply(sseReply(fixtureEvents('anthropic-thinking')));
    await expectSplit(model('anthropic', 'claude-sonnet-4-6', '/v1').stream(ask(true)));
    expect(server.requests[0]?.path).toBe('/v1/messages');
    expect(server.requests[0]?.body).toMatchObject({
      thinking: { type: 'enabled', budget_tokens: THINKING_BUDGET_TOKENS },
      max_tokens: 64 + THINKING_BUDGET_TOKENS,
    });
  });

  it('asks for nothing without think', async () => {
    server.reply(sseReply(fixtureEvents('anthropic')));
    await collect(model('anthropic', 'claude-sonnet-4-6', '/v1').stream(ask(false)));
    expect(server.requests[0]?.body).not.toHaveProperty('thinking');
    expect(server.requests[0]?.body).toMatchObject({ max_tokens: 64 });
  });
});

describe('DeepSeek reasoner', () => {
  it('turns thinking on and streams reasoning_content as reasoning', async () => {
    server.reply(sseReply(fixtureEvents('deepseek-reasoner')));
    await expectSplit(model('deepseek', 'deepseek-reasoner', '').stream(ask(true)));
    expect(server.requests[0]?.path).toBe('/chat/completions');
    expect(server.requests[0]?.body).toMatchObject({
      model: 'deepseek-reasoner',
      thinking: { type: 'enabled' },
    });
  });

  it('streams reasoning_content as reasoning even without think (the reasoner always reasons)', async () => {
    server.reply(sseReply(fixtureEvents('deepseek-reasoner')));
    await expectSplit(model('deepseek', 'deepseek-reasoner', '').stream(ask(false)));
    expect(server.requests[0]?.body).not.toHaveProperty('thinking');
  });
});

describe('OpenAI reasoning summaries', () => {
  it('with think, goes through the Responses API with summaries on, and streams them as reasoning', async () => {
    server.reply(sseReply(fixtureEvents('openai-responses-reasoning')));
    const events = await collect(model('openai', 'gpt-5.4-mini', '/v1').stream(ask(true)));
    await expectSplit(
      (async function* () {
        yield* events;
      })(),
    );
    expect(server.requests[0]?.path).toBe('/v1/responses');
    expect(server.requests[0]?.body).toMatchObject({
      model: 'gpt-5.4-mini',
      reasoning: { summary: 'auto' },
      max_output_tokens: 64,
    });
    expect(events.at(-1)).toMatchObject({
      type: 'done',
      model: 'openai:gpt-5.4-mini',
      usage: { inputTokens: 21, outputTokens: 31 },
    });
  });

  it('without think, stays on chat completions', async () => {
    server.reply(sseReply(fixtureEvents('openai')));
    await collect(model('openai', 'gpt-5.4-mini', '/v1').stream(ask(false)));
    expect(server.requests[0]?.path).toBe('/v1/chat/completions');
    expect(server.requests[0]?.body).not.toHaveProperty('reasoning');
  });
});

describe('<think> blocks from a local server (Ollama, OpenAI-compatible)', () => {
  it('splits the leading block into reasoning, across chunk boundaries, think or not', async () => {
    for (const think of [false, true]) {
      server.reply(sseReply(fixtureEvents('ollama-think-tags')));
      await expectSplit(model('ollama', 'qwen3:0.6b', '/v1').stream(ask(think)));
    }
    // Nothing provider-specific is sent for an OpenAI-compatible server.
    expect(server.requests[1]?.body).not.toHaveProperty('thinking');
    expect(server.requests[1]?.body).not.toHaveProperty('reasoning');
  });

  it('leaves an answer without a leading block untouched', async () => {
    server.reply(sseReply(fixtureEvents('openai-compatible')));
    const r = await collectTurn(model('ollama', 'llama3.2', '/v1').stream(ask(false)));
    expect(r).toMatchObject({ reasoning: '', text: FIXTURE_TEXT });
  });
});

describe('thinking through parley', () => {
  it('the deep-thinking intent turns thinking on for the turn', async () => {
    const { home, cleanup } = tempHome();
    const p = createParley({
      env: { PARLEY_HOME: home, ANTHROPIC_API_KEY: 'sk-ant-test-thinking' },
      config: {
        model: 'anthropic:claude-sonnet-4-6',
        cache: { enabled: false },
        store: { log: false },
        providers: { anthropic: { base_url: `${server.url}/v1` } },
      },
    });
    try {
      server.reply(sseReply(fixtureEvents('anthropic-thinking')), sseReply(fixtureEvents('anthropic')));
      const r = await p.chat('prove there are infinitely many primes', { intent: 'deep-thinking' });
      expect(r).toMatchObject({ reasoning: REASONING, route: { intent: 'deep-thinking' } });
      expect(server.requests[0]?.body).toMatchObject({ thinking: { type: 'enabled' } });
      // think: false wins over the intent.
      await p.chat('prove there are infinitely many primes', { intent: 'deep-thinking', think: false });
      expect(server.requests[1]?.body).not.toHaveProperty('thinking');
    } finally {
      await p.dispose();
      cleanup();
    }
  });

  it('parley --think prints the reasoning dimmed on stderr and only the answer on stdout', async () => {
    const { home, cleanup } = tempHome();
    try {
      server.reply(sseReply(fixtureEvents('anthropic-thinking')));
      const r = await runParley(['-m', 'anthropic:claude-sonnet-4-6', '--think', '--no-log', 'hi'], {
        env: { PARLEY_HOME: home, ANTHROPIC_API_KEY: 'sk-ant-test-cli', PARLEY_BASE_URL: `${server.url}/v1` },
      });
      expect(r.code).toBe(0);
      expect(r.stdout).toBe(`${FIXTURE_TEXT}\n`);
      expect(r.stderr).toContain(REASONING);
      expect(server.requests[0]?.body).toMatchObject({ thinking: { type: 'enabled' } });
      const json = await runParley(
        ['-m', 'anthropic:claude-sonnet-4-6', '--think', '--json', '--no-log', 'hi'],
        {
          env: {
            PARLEY_HOME: home,
            ANTHROPIC_API_KEY: 'sk-ant-test-cli',
            PARLEY_BASE_URL: `${server.url}/v1`,
          },
        },
      );
      expect(JSON.parse(json.stdout)).toMatchObject({ text: FIXTURE_TEXT, reasoning: REASONING });
    } finally {
      cleanup();
    }
  });
});
