/**
 * The chat engine end to end: retries, Retry-After, timeouts, fallback, race and trimming,
 * through createParley. The wire server stands in for a remote OpenAI-compatible API (no
 * cloud API can be reached from here); the local model is the real engine on stories260K.
 */
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createParley, type ChatEvent, type Parley } from '../../packages/core/src/index.js';
import { tempHome } from '../helpers/cli.js';
import { STORIES } from '../helpers/models.js';
import { sseEvents, sseReply, startWireServer, type WireServer } from '../helpers/wire-server.js';
import { collect, expectOneTerminal, textOf } from '../providers/stream-helpers.js';

const FIXTURE = sseEvents(
  readFileSync(new URL('../providers/fixtures/openai-compatible.sse', import.meta.url), 'utf8'),
);
const FIXTURE_TEXT = "Hello from parley's wire test.";

let wire: WireServer;
let home: ReturnType<typeof tempHome>;
const made: Parley[] = [];

beforeAll(async () => {
  wire = await startWireServer();
  home = tempHome();
});
afterAll(async () => {
  await Promise.all(made.map((p) => p.dispose()));
  await wire.close();
  home.cleanup();
});
beforeEach(() => wire.reset());

function parley(config: Record<string, unknown> = {}): Parley {
  const p = createParley({
    env: { PARLEY_HOME: home.home },
    // The engine is under test here, not the response cache (test/cache covers it).
    config: {
      max_retries: 2,
      retry_base_delay_ms: 10,
      retry_max_delay_ms: 5000,
      cache: { enabled: false },
      ...config,
    },
    local: { threads: 1, gpu: false },
  });
  made.push(p);
  return p;
}

const remote = (): string => 'openai-compatible:remote-model';
const remoteConfig = (): Record<string, unknown> => ({ base_url: `${wire.url}/v1` });
const notices = (events: ChatEvent[], code: string): ChatEvent[] =>
  events.filter((e) => e.type === 'notice' && e.code === code);

describe('retries', () => {
  it('retries a 429 after its Retry-After, then streams', async () => {
    wire.reply(
      { status: 429, headers: { 'retry-after': '1' }, body: { error: { message: 'slow down' } } },
      sseReply(FIXTURE),
    );
    const events = await collect(parley(remoteConfig()).stream('hi', { model: remote() }));
    expect(textOf(events)).toBe(FIXTURE_TEXT);
    expect(expectOneTerminal(events).type).toBe('done');
    expect(notices(events, 'retry')).toHaveLength(1);
    expect(wire.requests).toHaveLength(2);
    const [first, second] = wire.requests.map((r) => r.receivedAt);
    expect((second as number) - (first as number)).toBeGreaterThanOrEqual(950);
  });

  it('reports a Retry-After longer than the cap instead of waiting', async () => {
    wire.reply({ status: 429, headers: { 'retry-after': '120' }, body: { error: { message: 'quota' } } });
    const events = await collect(parley(remoteConfig()).stream('hi', { model: remote() }));
    const end = expectOneTerminal(events);
    expect(end).toMatchObject({ type: 'error', error: { code: 'rate_limited' } });
    expect(end.type === 'error' && end.error.message).toContain('120 s');
    expect(wire.requests).toHaveLength(1);
  });

  it('gives up after max_retries on 5xx with backoff notices', async () => {
    wire.reply({ status: 503, body: { error: { message: 'overloaded' } } });
    const events = await collect(parley(remoteConfig()).stream('hi', { model: remote() }));
    expect(expectOneTerminal(events)).toMatchObject({
      type: 'error',
      error: { code: 'server_error', status: 503 },
    });
    expect(notices(events, 'retry')).toHaveLength(2);
    expect(wire.requests).toHaveLength(3);
  });

  it('never retries an auth error', async () => {
    wire.reply({ status: 401, body: { error: { message: 'bad key' } } });
    const events = await collect(parley(remoteConfig()).stream('hi', { model: remote() }));
    expect(expectOneTerminal(events)).toMatchObject({ type: 'error', error: { code: 'auth' } });
    expect(wire.requests).toHaveLength(1);
  });
});

describe('timeouts', () => {
  it('retries a request that never answers, then succeeds', async () => {
    wire.reply(
      { status: 200, headers: { 'content-type': 'text/event-stream' }, chunks: [], then: 'hang' },
      sseReply(FIXTURE),
    );
    const events = await collect(
      parley({ ...remoteConfig(), timeout_ms: 300 }).stream('hi', { model: remote() }),
    );
    expect(textOf(events)).toBe(FIXTURE_TEXT);
    expect(notices(events, 'retry')[0]).toMatchObject({ message: expect.stringContaining('timed out') });
    expect(wire.requests).toHaveLength(2);
  });

  it('ends a stream that stalls after its first tokens with a timeout error, keeping the text', async () => {
    wire.reply(sseReply(FIXTURE.slice(0, 3), { then: 'hang' }));
    const events = await collect(
      parley({ ...remoteConfig(), timeout_ms: 300 }).stream('hi', { model: remote() }),
    );
    expect(textOf(events)).toBe('Hello from');
    expect(expectOneTerminal(events)).toMatchObject({ type: 'error', error: { code: 'timeout' } });
    expect(wire.requests).toHaveLength(1);
    await wire.requests[0]?.clientClosed;
  });
});

describe('fallback', () => {
  it('falls back to the next model when the first fails before its first token', async () => {
    wire.reply({ status: 500, body: { error: { message: 'down' } } });
    const p = parley({ ...remoteConfig(), max_retries: 0 });
    const events = await collect(
      p.stream('Once upon a time', { model: remote(), fallback: [STORIES], maxTokens: 20 }),
    );
    const fb = notices(events, 'fallback');
    expect(fb).toHaveLength(1);
    expect(fb[0]).toMatchObject({ message: expect.stringContaining('falling back to local:stories260K') });
    expect(expectOneTerminal(events)).toMatchObject({ type: 'done', model: 'local:stories260K' });
    expect(textOf(events).length).toBeGreaterThan(5);
  });
});

describe('race', () => {
  it('streams the first model to answer and cancels the others', async () => {
    // The remote sends its role chunk, then nothing: the local model answers first however
    // slow the machine is (no race against the clock).
    wire.reply(sseReply(FIXTURE.slice(0, 1), { then: 'hang' }));
    const p = parley(remoteConfig());
    const events = await collect(p.stream('Once upon a time', { race: [remote(), STORIES], maxTokens: 20 }));
    expect(notices(events, 'race')[0]).toMatchObject({
      message: expect.stringContaining('local:stories260K answered first'),
    });
    expect(expectOneTerminal(events)).toMatchObject({ type: 'done', model: 'local:stories260K' });
    expect(textOf(events)).not.toContain('Hello');
    await wire.requests[0]?.clientClosed;
    expect(wire.requests[0]?.closedEarly).toBe(true);
  });

  it('reports the last error when every model fails', async () => {
    wire.reply({ status: 400, body: { error: { message: 'nope' } } });
    const p = parley({ ...remoteConfig(), max_retries: 0 });
    const events = await collect(p.stream('hi', { race: [remote(), 'openai-compatible:other'] }));
    expect(expectOneTerminal(events)).toMatchObject({ type: 'error', error: { code: 'bad_request' } });
    expect(
      expectOneTerminal(events).type === 'error' &&
        (expectOneTerminal(events) as { error: { message: string } }).error.message,
    ).toContain('every model');
  });
});

describe('trimming', () => {
  it('drops the oldest turns to fit the context window, with a notice', async () => {
    const p = parley({ local: { context_size: 256 } });
    const long = 'Once upon a time there was a little girl named Lily who loved to play outside. '.repeat(6);
    const messages = [];
    for (let i = 0; i < 6; i++) {
      messages.push({ role: 'user' as const, content: [{ type: 'text' as const, text: long }] });
      messages.push({ role: 'assistant' as const, content: [{ type: 'text' as const, text: long }] });
    }
    messages.push({ role: 'user' as const, content: [{ type: 'text' as const, text: 'The end?' }] });
    const events = await collect(p.stream({ messages }, { model: STORIES, maxTokens: 10 }));
    const trimmed = notices(events, 'history-trimmed');
    expect(trimmed).toHaveLength(1);
    expect(trimmed[0]).toMatchObject({ message: expect.stringMatching(/dropped the \d+ oldest messages/) });
    expect(expectOneTerminal(events).type).toBe('done');
    const done = events.at(-1);
    expect(done?.type === 'done' && (done.usage.inputTokens ?? 0)).toBeLessThanOrEqual(256);
  });

  it('keeps a short history untouched and silent', async () => {
    const events = await collect(parley().stream('Once upon a time', { model: STORIES, maxTokens: 5 }));
    expect(notices(events, 'history-trimmed')).toHaveLength(0);
  });
});
