/**
 * The provider conformance suite: one set of wire-level tests that every provider adapter
 * must pass (in the style of hono's `common.case.test.ts`). `runProviderConformance(case)`
 * registers the tests for one provider; `providers.conformance.test.ts` runs it for all.
 *
 * The wire server stands in for the cloud APIs: no real cloud API can be reached from the
 * machines these tests run on. It replays each provider's recorded stream in its documented
 * format, so the real AI SDK provider code parses real-shaped bytes.
 */
import { streamText } from 'ai';
import { afterAll, beforeAll, beforeEach, describe, expect, test, vi } from 'vitest';
import type { ChatEvent, ErrorEvent } from '../../packages/core/src/events.js';
import type { ChatModel, ChatRequest } from '../../packages/core/src/chat-model.js';
import { AiSdkChatModel, toProviderError } from '../../packages/core/src/providers/ai-sdk-chat-model.js';
import { PROVIDERS } from '../../packages/core/src/providers/catalog.js';
import { createProviderModel } from '../../packages/core/src/providers/create-provider-model.js';
import { sseReply, startWireServer, type WireServer } from '../helpers/wire-server.js';
import {
  FIXTURE_TEXT,
  FIXTURE_USAGE,
  PARTIAL_TEXT,
  fixtureEvents,
  type ProviderCase,
} from './provider-cases.js';
import { collect, expectOneTerminal, textOf } from './stream-helpers.js';

const SYSTEM = 'You are terse. Answer in one line.';
const USER = 'Say hello to the wire.';
const REQUEST: ChatRequest = {
  system: SYSTEM,
  messages: [{ role: 'user', content: [{ type: 'text', text: USER }] }],
};
/** A string no redaction pattern knows: only `registerSecret` can hide it. */
const fakeKey = (c: ProviderCase): string => `parley-wire-key-${c.provider}-4f9c2e7a1b`;

/** Register the conformance tests for one provider. */
export function runProviderConformance(c: ProviderCase): void {
  describe(`provider conformance: ${c.provider}`, () => {
    let server: WireServer;
    const events = fixtureEvents(c.fixture);
    const modelWith = (apiKey: string | undefined): ChatModel =>
      createProviderModel({
        provider: c.provider,
        modelId: c.modelId,
        apiKey,
        baseURL: server.url + c.basePath,
      });
    const model = (): ChatModel => modelWith(fakeKey(c));
    const only = (): NonNullable<WireServer['requests'][number]> => {
      expect(server.requests).toHaveLength(1);
      return server.requests[0] as NonNullable<WireServer['requests'][number]>;
    };

    beforeAll(async () => {
      server = await startWireServer();
    });
    afterAll(async () => {
      await server.close();
    });
    beforeEach(() => {
      server.reset();
    });

    test('sends the documented request: path, key, model id, system prompt and user message', async () => {
      server.reply(sseReply(events));
      await collect(model().stream(REQUEST));
      const req = only();
      expect(req.method).toBe('POST');
      expect(req.path).toBe(c.streamPath);
      expect(c.authHeader(req.headers)).toBe(c.authValue(fakeKey(c)));
      expect(req.headers['content-type']).toContain('application/json');
      expect(c.read(req.body, req.path)).toEqual({ model: c.modelId, system: SYSTEM, user: USER });
    });

    test('turns the recorded stream into text deltas, then usage and done', async () => {
      server.reply(sseReply(events));
      const out = await collect(model().stream(REQUEST));
      expect(textOf(out)).toBe(FIXTURE_TEXT);
      expect(out.filter((e) => e.type === 'text-delta').length).toBeGreaterThan(1);
      expect(out.find((e) => e.type === 'usage')).toEqual({ type: 'usage', usage: FIXTURE_USAGE });
      const done = expectOneTerminal(out);
      expect(done).toMatchObject({
        type: 'done',
        model: `${c.provider}:${c.modelId}`,
        finishReason: 'stop',
        usage: FIXTURE_USAGE,
      });
    });

    test('429 with Retry-After: 2 becomes one retryable rate_limited error', async () => {
      server.reply({
        status: 429,
        headers: { 'retry-after': '2' },
        body: c.errorBody(429, 'Rate limit reached for requests'),
      });
      const out = await collect(model().stream(REQUEST));
      expect(out).toHaveLength(1);
      const err = expectOneTerminal(out) as ErrorEvent;
      expect(err.error).toMatchObject({
        code: 'rate_limited',
        retryable: true,
        status: 429,
        provider: c.provider,
      });
      expect(err.error.message).toContain(c.provider);
      expect(err.error.message).toContain('429');
      expect(only().path).toBe(c.streamPath); // maxRetries 0: one request, no hidden retries

      // The same failure straight from the AI SDK, through toProviderError.
      server.reply({ status: 429, headers: { 'retry-after': '2' }, body: c.errorBody(429, 'slow down') });
      const m = model();
      expect(m).toBeInstanceOf(AiSdkChatModel);
      const raw = streamText({
        model: (m as AiSdkChatModel).languageModel,
        prompt: USER,
        maxRetries: 0,
        onError: () => {},
      });
      let thrown: unknown;
      for await (const part of raw.fullStream) if (part.type === 'error') thrown = part.error;
      const pe = toProviderError(thrown, c.provider);
      expect(pe.code).toBe('rate_limited');
      expect(pe.retryable).toBe(true);
      expect(pe.retryAfterMs).toBe(2000);
    });

    test('500 becomes one retryable server_error', async () => {
      server.reply({ status: 500, body: c.errorBody(500, 'The server had an error') });
      const out = await collect(model().stream(REQUEST));
      const err = expectOneTerminal(out) as ErrorEvent;
      expect(out).toHaveLength(1);
      expect(err.error).toMatchObject({
        code: 'server_error',
        retryable: true,
        status: 500,
        provider: c.provider,
      });
      expect(err.error.message).toMatch(new RegExp(`${c.provider}.*500`));
    });

    test('401 becomes a non-retryable auth error that does not repeat the key', async () => {
      server.reply({ status: 401, body: c.errorBody(401, `Incorrect API key provided: ${fakeKey(c)}`) });
      const out = await collect(model().stream(REQUEST));
      const err = expectOneTerminal(out) as ErrorEvent;
      expect(err.error).toMatchObject({ code: 'auth', retryable: false, status: 401 });
      expect(err.error.message).toContain('[REDACTED]');
      expect(JSON.stringify(out)).not.toContain(fakeKey(c));
    });

    test('a connection reset mid-stream gives the partial deltas, then one network error', async () => {
      server.reply(sseReply(events.slice(0, c.partialEvents), { then: 'destroy', chunkDelayMs: 5 }));
      const out = await collect(model().stream(REQUEST));
      expect(textOf(out)).toBe(PARTIAL_TEXT);
      const err = expectOneTerminal(out) as ErrorEvent;
      expect(err.type).toBe('error');
      expect(err.error).toMatchObject({ code: 'network', retryable: true, provider: c.provider });
      expect(out.findIndex((e) => e.type === 'error')).toBe(out.length - 1);
    });

    test('malformed SSE (garbage JSON in a data line) ends with one error event', async () => {
      const garbage = 'data: {"choices":[{"delta":{"content":"Hel\n\n';
      server.reply(
        sseReply([...events.slice(0, c.partialEvents), garbage, ...events.slice(c.partialEvents)]),
      );
      const out = await collect(model().stream(REQUEST));
      expect(textOf(out)).toBe(PARTIAL_TEXT);
      const err = expectOneTerminal(out) as ErrorEvent;
      expect(err.type).toBe('error');
      expect(err.error).toMatchObject({ code: 'malformed_response', provider: c.provider });
      expect(out.some((e) => e.type === 'done')).toBe(false);
    });

    test('an abort mid-stream ends with interrupted and the partial text, and closes the request', async () => {
      server.reply(sseReply(events.slice(0, c.partialEvents), { then: 'hang' }));
      const ctl = new AbortController();
      const out: ChatEvent[] = [];
      let text = '';
      for await (const e of model().stream(REQUEST, ctl.signal)) {
        out.push(e);
        if (e.type === 'text-delta') text += e.text;
        if (text === PARTIAL_TEXT && !ctl.signal.aborted) ctl.abort();
      }
      const last = expectOneTerminal(out);
      expect(last).toMatchObject({ type: 'interrupted', partialText: PARTIAL_TEXT, reason: 'cancelled' });
      await only().clientClosed; // the test times out here if the HTTP request stayed open
      expect(only().closedEarly).toBe(true);
    }, 10_000);

    test('the key, given or from the environment, never appears in an event or error', async () => {
      const spec = PROVIDERS[c.provider];
      const envName = spec?.envKeys[0];
      const envKey = `parley-env-key-${c.provider}-9d8e7f6a5b`;
      const runs: { key: string; model: () => ChatModel }[] = [{ key: fakeKey(c), model: () => model() }];
      if (envName) {
        vi.stubEnv(envName, envKey);
        runs.push({ key: envKey, model: () => modelWith(undefined) });
      }
      try {
        for (const run of runs) {
          server.reset();
          const echo = (status: number): object =>
            c.errorBody(status, `bad key ${run.key} (Authorization: Bearer ${run.key})`);
          server.reply(
            sseReply(events),
            { status: 401, body: echo(401) },
            { status: 429, headers: { 'retry-after': '1' }, body: echo(429) },
            { status: 400, body: echo(400) },
            sseReply(events.slice(0, c.partialEvents), { then: 'destroy' }),
          );
          const all: ChatEvent[] = [];
          for (let i = 0; i < 5; i++) all.push(...(await collect(run.model().stream(REQUEST))));
          expect(c.authHeader(server.requests[0]?.headers ?? {})).toBe(c.authValue(run.key));
          expect(all.filter((e) => e.type === 'error')).toHaveLength(4);
          expect(JSON.stringify(all)).not.toContain(run.key);
        }
      } finally {
        vi.unstubAllEnvs();
      }
    });
  });
}
