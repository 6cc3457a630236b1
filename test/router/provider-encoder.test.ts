/**
 * Provider embeddings at the HTTP wire: the local wire server answers `/v1/embeddings` with
 * the response OpenAI documents (`{object: "list", data: [{object: "embedding", index,
 * embedding}], model, usage}`), standing in for the real API, which the test machines cannot
 * reach. The vectors are chosen by hand so the expected intent is known.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createParley } from '@parley/core';
import { ProviderEncoder } from '../../packages/core/src/router/provider-encoder.js';
import { Router } from '../../packages/core/src/router/router.js';
import type { Intent } from '../../packages/core/src/router/types.js';
import { tempHome } from '../helpers/cli.js';
import { startWireServer, type WireServer } from '../helpers/wire-server.js';
import { collect } from '../providers/stream-helpers.js';

/** An embeddings response as OpenAI documents it. */
function embeddings(vectors: number[][], model = 'text-embedding-3-small'): object {
  return {
    object: 'list',
    data: vectors.map((embedding, index) => ({ object: 'embedding', index, embedding })),
    model,
    usage: { prompt_tokens: 4 * vectors.length, total_tokens: 4 * vectors.length },
  };
}

const intent = (name: string, examples: string[], target = {}): Intent => ({
  name,
  examples,
  target,
  commands: [],
  onImage: false,
});
const INTENTS = [intent('alpha', ['alpha one', 'alpha two']), intent('beta', ['beta one'])];
const EXAMPLE_VECTORS = [
  [1, 0, 0],
  [0.9, 0.1, 0],
  [0, 1, 0],
];

let server: WireServer;
beforeAll(async () => (server = await startWireServer()));
afterAll(() => server.close());
beforeEach(() => server.reset());

describe('ProviderEncoder (openai) at the wire', () => {
  const router = (provider = 'openai') =>
    new Router({
      intents: INTENTS,
      defaultIntent: 'alpha',
      encoder: new ProviderEncoder({
        provider,
        modelId: provider === 'openai' ? 'text-embedding-3-small' : 'nomic-embed-text',
        apiKey: provider === 'openai' ? 'sk-test-embeddings' : undefined,
        baseURL: `${server.url}/v1`,
      }),
    });

  it('embeds the examples in one request, then the query, and routes by cosine', async () => {
    server.reply({ body: embeddings(EXAMPLE_VECTORS) }, { body: embeddings([[0.1, 2, 0]]) });
    const d = await router().route({ text: 'which is beta?' });
    expect(d).toMatchObject({
      intent: 'beta',
      strategy: 'embedding',
      encoder: 'openai:text-embedding-3-small',
    });
    // Scores are cosines: the query is scaled, the examples are not unit length either.
    expect(d.scores.find((s) => s.intent === 'beta')?.score).toBeCloseTo(2 / Math.hypot(0.1, 2), 3);
    expect(server.requests.map((r) => [r.method, r.path])).toEqual([
      ['POST', '/v1/embeddings'],
      ['POST', '/v1/embeddings'],
    ]);
    expect(server.requests[0]?.headers.authorization).toBe('Bearer sk-test-embeddings');
    expect(server.requests[0]?.body).toMatchObject({
      model: 'text-embedding-3-small',
      input: ['alpha one', 'alpha two', 'beta one'],
      encoding_format: 'float',
    });
    expect(server.requests[1]?.body).toMatchObject({ input: ['which is beta?'] });
  });

  it('an OpenAI-compatible server (ollama) works the same way, without a key', async () => {
    server.reply(
      { body: embeddings(EXAMPLE_VECTORS, 'nomic-embed-text') },
      { body: embeddings([[1, 0.05, 0]]) },
    );
    const d = await router('ollama').route({ text: 'alpha?' });
    expect(d).toMatchObject({ intent: 'alpha', encoder: 'ollama:nomic-embed-text' });
    expect(server.requests[0]?.path).toBe('/v1/embeddings');
    expect(server.requests[0]?.headers.authorization).toBeUndefined();
  });

  it('a 401 becomes an auth error that names the provider and not the key', async () => {
    server.reply({
      status: 401,
      body: {
        error: {
          message: 'Incorrect API key provided',
          type: 'invalid_request_error',
          code: 'invalid_api_key',
        },
      },
    });
    const err = await router()
      .route({ text: 'x' })
      .then(
        () => undefined,
        (e: unknown) => e as { code: string; message: string },
      );
    expect(err?.code).toBe('auth');
    expect(err?.message).toContain('openai');
    expect(err?.message).not.toContain('sk-test-embeddings');
  });

  it('a provider without embeddings is refused up front', () => {
    expect(() => new ProviderEncoder({ provider: 'anthropic', modelId: 'x', apiKey: 'k' })).toThrow(
      /anthropic has no embedding models/,
    );
  });
});

describe('a turn routed by provider embeddings (config router.encoder = "openai:…")', () => {
  it('emits the route event first and answers with the intent target model', async () => {
    const { home, cleanup } = tempHome();
    const parley = createParley({
      env: { PARLEY_HOME: home, OPENAI_API_KEY: 'sk-test-turn' },
      config: {
        model: 'canned:lorem',
        cache: { enabled: false },
        store: { log: false },
        providers: { openai: { base_url: `${server.url}/v1` } },
        router: {
          enabled: true,
          encoder: 'openai:text-embedding-3-small',
          default_intent: 'alpha',
          intents: {
            alpha: { examples: ['alpha one', 'alpha two'] },
            beta: { examples: ['beta one'], target: { model: 'canned:echo' } },
          },
        },
      },
    });
    try {
      // The default intents come first: 7 of them, each with its examples, then alpha and beta.
      const router = await parley.router();
      const names = router.list().map((i) => i.name);
      expect(names.slice(-2)).toEqual(['alpha', 'beta']);
      const total = router.list().reduce((n, i) => n + i.examples.length, 0);
      const vectors = router
        .list()
        .flatMap((i) =>
          i.examples.map(() => (i.name === 'beta' ? [0, 1, 0] : i.name === 'alpha' ? [1, 0, 0] : [0, 0, 1])),
        );
      expect(vectors).toHaveLength(total);
      server.reply({ body: embeddings(vectors) }, { body: embeddings([[0, 1, 0.01]]) });
      const events = await collect(parley.stream('route me to beta'));
      expect(events[0]).toMatchObject({
        type: 'route',
        intent: 'beta',
        strategy: 'embedding',
        encoder: 'openai:text-embedding-3-small',
        target: { model: 'canned:echo' },
      });
      expect(events.at(-1)).toMatchObject({ type: 'done', model: 'canned:echo' });
      expect(server.requests[0]?.headers.authorization).toBe('Bearer sk-test-turn');
    } finally {
      await parley.dispose();
      cleanup();
    }
  });
});
