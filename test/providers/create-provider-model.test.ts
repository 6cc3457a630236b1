/**
 * createProviderModel: its errors, where it finds keys, and what it sends.
 *
 * The local wire server stands in for the cloud APIs: no real cloud API can be reached from
 * the machines these tests run on.
 */
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, test, vi } from 'vitest';
import { userText } from '../../packages/core/src/chat-model.js';
import { AuthError, ParleyError, UsageError } from '../../packages/core/src/errors.js';
import { redact } from '../../packages/core/src/secrets.js';
import { AiSdkChatModel } from '../../packages/core/src/providers/ai-sdk-chat-model.js';
import { PROVIDERS } from '../../packages/core/src/providers/catalog.js';
import { createProviderModel } from '../../packages/core/src/providers/create-provider-model.js';
import { sseReply, startWireServer, type WireServer } from '../helpers/wire-server.js';
import { FIXTURE_TEXT, PROVIDER_CASES, fixtureEvents, type ProviderCase } from './provider-cases.js';
import { collect, textOf } from './stream-helpers.js';

function thrown(f: () => unknown): unknown {
  try {
    f();
  } catch (e) {
    return e;
  }
  throw new Error('expected a throw');
}

describe('createProviderModel errors', () => {
  afterEach(() => vi.unstubAllEnvs());

  test('a missing key names the exact variable to set', () => {
    vi.stubEnv('OPENAI_API_KEY', '');
    const e = thrown(() => createProviderModel({ provider: 'openai', modelId: 'gpt-5-mini' }));
    expect(e).toBeInstanceOf(AuthError);
    expect((e as AuthError).message).toBe(
      'no API key for openai: set OPENAI_API_KEY or providers.openai.api_key in config.toml',
    );
    expect((e as AuthError).code).toBe('auth');
  });

  test('google names both of its variables, in the order they are read', () => {
    vi.stubEnv('GEMINI_API_KEY', '');
    vi.stubEnv('GOOGLE_GENERATIVE_AI_API_KEY', '');
    const e = thrown(() =>
      createProviderModel({ provider: 'google', modelId: 'gemini-2.5-flash', apiKey: '  ' }),
    );
    expect((e as Error).message).toBe(
      'no API key for google: set GEMINI_API_KEY or GOOGLE_GENERATIVE_AI_API_KEY or providers.google.api_key in config.toml',
    );
  });

  test('an unknown provider is a usage error that lists the known ones', () => {
    const e = thrown(() => createProviderModel({ provider: 'openia', modelId: 'x', apiKey: 'k' }));
    expect(e).toBeInstanceOf(UsageError);
    expect((e as Error).message).toContain('unknown provider "openia"');
    for (const name of ['openai', 'anthropic', 'ollama', 'vllm', 'openai-compatible']) {
      expect((e as Error).message).toContain(name);
    }
    expect(thrown(() => createProviderModel({ provider: 'toString', modelId: 'x' }))).toBeInstanceOf(
      UsageError,
    );
  });

  test('openai-compatible without a base URL asks for --base-url', () => {
    const e = thrown(() => createProviderModel({ provider: 'openai-compatible', modelId: 'm' }));
    expect(e).toBeInstanceOf(UsageError);
    expect((e as Error).message).toContain('--base-url');
  });

  test('an empty model id is a usage error', () => {
    const e = thrown(() => createProviderModel({ provider: 'ollama', modelId: ' ' }));
    expect(e).toBeInstanceOf(UsageError);
    expect((e as Error).message).toContain('ollama');
  });

  test('local servers need no key', () => {
    const m = createProviderModel({ provider: 'vllm', modelId: 'Qwen/Qwen3-8B' });
    expect(m).toBeInstanceOf(AiSdkChatModel);
    expect(m).toMatchObject({ provider: 'vllm', modelId: 'Qwen/Qwen3-8B', specificationVersion: 'v1' });
  });

  test('the key is registered with the sanitiser', () => {
    const key = 'zz-custom-key-shape-31337abc';
    expect(redact(`oops ${key}`)).toContain(key);
    createProviderModel({ provider: 'mistral', modelId: 'mistral-small-latest', apiKey: key });
    expect(redact(`oops ${key}`)).toBe('oops [REDACTED]');
    expect(ParleyError.is(new AuthError(`bad ${key}`, { provider: 'mistral' }))).toBe(true);
    expect(new AuthError(`bad ${key}`, { provider: 'mistral' }).message).not.toContain(key);
  });

  test('capabilities follow the catalog', () => {
    expect(
      createProviderModel({ provider: 'anthropic', modelId: 'c', apiKey: 'k-123456' }).capabilities.images,
    ).toBe(true);
    expect(
      createProviderModel({ provider: 'deepseek', modelId: 'd', apiKey: 'k-123456' }).capabilities.images,
    ).toBe(false);
  });
});

describe('createProviderModel on the wire', () => {
  let server: WireServer;
  beforeAll(async () => {
    server = await startWireServer();
  });
  afterAll(async () => {
    await server.close();
  });
  beforeEach(() => server.reset());
  afterEach(() => vi.unstubAllEnvs());

  /** The wire-server URL that stands for `url` under the provider's default base URL. */
  function wireUrl(url: URL, c: ProviderCase): string {
    const defaultPath = new URL(PROVIDERS[c.provider]?.baseURL ?? '').pathname.replace(/\/$/, '');
    return `${server.url}${c.basePath}${url.pathname.slice(defaultPath.length)}${url.search}`;
  }

  test('google reads GEMINI_API_KEY before GOOGLE_GENERATIVE_AI_API_KEY', async () => {
    vi.stubEnv('GEMINI_API_KEY', 'gemini-first-key-123');
    vi.stubEnv('GOOGLE_GENERATIVE_AI_API_KEY', 'google-second-key-456');
    server.reply(sseReply(fixtureEvents('google')));
    const m = createProviderModel({
      provider: 'google',
      modelId: 'gemini-2.5-flash',
      baseURL: `${server.url}/v1beta`,
    });
    expect(textOf(await collect(m.stream({ messages: [userText('hi')] })))).toBe(FIXTURE_TEXT);
    expect(server.requests[0]?.headers['x-goog-api-key']).toBe('gemini-first-key-123');

    vi.stubEnv('GEMINI_API_KEY', '');
    const m2 = createProviderModel({
      provider: 'google',
      modelId: 'gemini-2.5-flash',
      baseURL: `${server.url}/v1beta`,
    });
    await collect(m2.stream({ messages: [userText('hi')] }));
    expect(server.requests[1]?.headers['x-goog-api-key']).toBe('google-second-key-456');
  });

  test('an explicit key wins over the environment', async () => {
    vi.stubEnv('GROQ_API_KEY', 'gsk_from_environment');
    server.reply(sseReply(fixtureEvents('groq')));
    const m = createProviderModel({
      provider: 'groq',
      modelId: 'l',
      apiKey: 'gsk_explicit',
      baseURL: server.url,
    });
    await collect(m.stream({ messages: [userText('hi')] }));
    expect(server.requests[0]?.headers.authorization).toBe('Bearer gsk_explicit');
  });

  test('a local server without a key gets no Authorization header, and custom headers arrive', async () => {
    server.reply(sseReply(fixtureEvents('openai-compatible')));
    const m = createProviderModel({
      provider: 'ollama',
      modelId: 'llama3.2',
      baseURL: `${server.url}/v1/`,
      headers: { 'x-parley-test': 'yes' },
    });
    expect(textOf(await collect(m.stream({ messages: [userText('hi')] })))).toBe(FIXTURE_TEXT);
    const req = server.requests[0];
    expect(req?.path).toBe('/v1/chat/completions');
    expect(req?.headers.authorization).toBeUndefined();
    expect(req?.headers['x-parley-test']).toBe('yes');
    expect(req?.body).toMatchObject({ stream: true, stream_options: { include_usage: true } });
  });

  test.each(PROVIDER_CASES.filter((c) => PROVIDERS[c.provider]?.baseURL !== undefined))(
    '$provider calls its documented default endpoint ($streamPath)',
    async (c) => {
      // Set the base-URL variables the AI SDK would read: the catalog's URL must still win.
      vi.stubEnv('OPENAI_BASE_URL', 'http://127.0.0.1:9/never');
      vi.stubEnv('ANTHROPIC_BASE_URL', 'http://127.0.0.1:9/never');
      server.reply(sseReply(fixtureEvents(c.fixture)));
      const seen: string[] = [];
      const m = createProviderModel({
        provider: c.provider,
        modelId: c.modelId,
        apiKey: 'test-key-123456',
        // Nothing outside this machine can be reached: record the URL, answer from the wire server.
        fetch: (input, init) => {
          const url = new URL(String(input));
          seen.push(url.href);
          return fetch(wireUrl(url, c), init);
        },
      });
      expect(textOf(await collect(m.stream({ messages: [userText('hi')] })))).toBe(FIXTURE_TEXT);
      const suffix = c.streamPath.slice(c.basePath.length);
      expect(seen).toEqual([`${PROVIDERS[c.provider]?.baseURL}${suffix}`]);
      expect(server.requests[0]?.path).toBe(c.streamPath);
    },
  );

  test('a custom fetch is used for every request', async () => {
    server.reply(sseReply(fixtureEvents('openai-compatible')));
    const seen: string[] = [];
    const m = createProviderModel({
      provider: 'openai-compatible',
      modelId: 'm',
      baseURL: `${server.url}/v1`,
      fetch: (input, init) => {
        seen.push(String(input));
        return fetch(input, init);
      },
    });
    await collect(m.stream({ messages: [userText('hi')] }));
    expect(seen).toEqual([`${server.url}/v1/chat/completions`]);
  });
});
