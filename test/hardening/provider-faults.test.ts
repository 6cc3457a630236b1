/**
 * Provider faults at the wire, end to end: a saved conversation (real SQLite store in a temp
 * PARLEY_HOME) talks to an OpenAI-compatible server that misbehaves in every way the network
 * and providers do. Each fault must be retried within limits or reported as one typed error;
 * nothing may hang past its timeout; the text that did arrive is kept in the store, marked
 * `partial` or `error`, never `complete`; and the next turn works.
 *
 * The wire server stands in for a remote API, which no test here can reach.
 */
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createParley, type ChatEvent, type Parley } from '../../packages/core/src/index.js';
import { tempHome } from '../helpers/cli.js';
import { sseEvents, sseReply, startWireServer, type Reply, type WireServer } from '../helpers/wire-server.js';

const FIXTURE = sseEvents(
  readFileSync(new URL('../providers/fixtures/openai-compatible.sse', import.meta.url), 'utf8'),
);
const chunk = (text: string): string =>
  `data: ${JSON.stringify({ id: 'c', object: 'chat.completion.chunk', created: 1, model: 'm', choices: [{ index: 0, delta: { content: text }, finish_reason: null }] })}\n\n`;
const finish = `data: ${JSON.stringify({ id: 'c', object: 'chat.completion.chunk', created: 1, model: 'm', choices: [{ index: 0, delta: {}, finish_reason: 'stop' }] })}\n\ndata: [DONE]\n\n`;

const TIMEOUT_MS = 400;
const RETRIES = 2;

let wire: WireServer;
let home: ReturnType<typeof tempHome>;
let p: Parley;
/** The same, with a long timeout: for faults that are about size, not time. */
let patient: Parley;

beforeAll(async () => {
  wire = await startWireServer();
  home = tempHome();
  const make = (timeout_ms: number): Parley =>
    createParley({
      env: { PARLEY_HOME: home.home },
      config: {
        model: 'openai-compatible:remote-model',
        base_url: `${wire.url}/v1`,
        max_retries: RETRIES,
        retry_base_delay_ms: 10,
        retry_max_delay_ms: 200,
        timeout_ms,
        cache: { enabled: false },
      },
    });
  p = make(TIMEOUT_MS);
  patient = make(30_000);
});
afterAll(async () => {
  await p.dispose();
  await patient.dispose();
  await wire.close();
  home.cleanup();
});
beforeEach(() => wire.reset());

interface Fault {
  name: string;
  replies: Reply[];
  /** Allowed error codes; `undefined` means the turn must succeed (after retries). */
  codes?: string[];
  /** What the error message must say. */
  message?: RegExp;
  /** Text that must be kept (stored, marked not complete). */
  kept?: string;
  /** Requests expected: 1 when the fault is not retryable, 1 + RETRIES when it always is. */
  requests?: number;
  /** Run with a long timeout (the fault is about size, and a loaded machine is slow). */
  patient?: boolean;
}

const rateLimited = { status: 429, body: { error: { message: 'slow down', type: 'rate_limit' } } };
const FAULTS: Fault[] = [
  {
    name: '429 with Retry-After, then a good stream',
    replies: [{ ...rateLimited, headers: { 'retry-after': '0' } }, sseReply(FIXTURE)],
  },
  {
    name: '429 without Retry-After, every time',
    replies: [rateLimited],
    codes: ['rate_limited'],
    requests: 1 + RETRIES,
  },
  ...[500, 502, 503].map((status) => ({
    name: `${status}, every time`,
    replies: [{ status, body: { error: { message: `upstream ${status}` } } }],
    codes: ['server_error'],
    requests: 1 + RETRIES,
  })),
  {
    name: 'a server that accepts and never answers (connect timeout)',
    replies: [{ status: 200, headers: { 'content-type': 'text/event-stream' }, chunks: [], then: 'hang' }],
    codes: ['timeout'],
  },
  {
    name: 'a stall after the first tokens',
    replies: [sseReply([chunk('Once upon'), chunk(' a time')], { then: 'hang' })],
    codes: ['timeout'],
    kept: 'Once upon a time',
    requests: 1,
  },
  {
    name: 'a connection reset mid-stream',
    replies: [sseReply([chunk('Half a '), chunk('sentence')], { then: 'destroy' })],
    codes: ['network'],
    kept: 'Half a sentence',
    requests: 1,
  },
  {
    name: 'malformed SSE (not JSON in a data line)',
    replies: [sseReply([chunk('Before '), 'data: {this is not json\n\n', finish])],
    codes: ['malformed_response'],
    kept: 'Before ',
    requests: 1,
  },
  {
    name: 'truncated JSON, then the stream ends',
    replies: [sseReply([chunk('Cut '), 'data: {"id":"c","object":"chat.completion.chunk","choi'])],
    codes: ['malformed_response'],
    kept: 'Cut ',
    requests: 1,
  },
  {
    name: 'a wrong content type (an HTML error page with status 200)',
    replies: [
      { status: 200, headers: { 'content-type': 'text/html' }, body: '<html><body>Gateway</body></html>' },
    ],
    codes: ['malformed_response'],
    message: /content-type text\/html, not an event stream/,
  },
  {
    name: 'a huge single chunk (4 MiB in one SSE event)',
    replies: [sseReply([chunk('x'.repeat(4 * 1024 * 1024)), finish])],
    patient: true,
  },
  {
    name: 'an empty 200 body',
    replies: [{ status: 200, headers: { 'content-type': 'text/event-stream' }, body: '' }],
    codes: ['malformed_response'],
  },
];

/** The longest a faulty turn may take: every attempt timing out, plus the backoff between. */
const HANG_GUARD_MS = (1 + RETRIES) * (TIMEOUT_MS + 250) + 30_000;

async function turn(
  text: string,
  via: Parley = p,
): Promise<{ events: ChatEvent[]; conversationId: string | undefined }> {
  const c = via.conversation({ source: 'hardening' });
  const events: ChatEvent[] = [];
  const run = (async () => {
    for await (const e of c.send([{ type: 'text', text }])) events.push(e);
  })();
  let timer: NodeJS.Timeout | undefined;
  const guard = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`the turn hung past ${HANG_GUARD_MS} ms`)), HANG_GUARD_MS);
  });
  try {
    await Promise.race([run, guard]);
  } finally {
    clearTimeout(timer);
  }
  return { events, conversationId: c.id };
}

describe('provider faults through a saved conversation', () => {
  for (const f of FAULTS) {
    it(f.name, async () => {
      wire.reply(...f.replies);
      const { events, conversationId } = await turn(`fault: ${f.name}`, f.patient ? patient : p);
      const last = events.at(-1);
      const errors = events.filter((e) => e.type === 'error');
      if (f.requests !== undefined) expect(wire.requests).toHaveLength(f.requests);
      else expect(wire.requests.length).toBeLessThanOrEqual(1 + RETRIES);

      const stored = await p.store().messages.list(conversationId ?? '');
      expect(stored.map((m) => m.role)).toEqual(['user', 'assistant']);
      expect(stored[0]?.status).toBe('complete');
      const reply = stored[1];
      const text = (reply?.parts ?? []).map((x) => (x.type === 'text' ? x.text : '')).join('');
      if (f.codes === undefined) {
        expect(errors).toEqual([]);
        expect(last?.type).toBe('done');
        expect(reply?.status).toBe('complete');
        expect(text.length).toBeGreaterThan(0);
        return;
      }
      // Exactly one typed error, and it ends the stream.
      expect(errors).toHaveLength(1);
      expect(last?.type).toBe('error');
      const code = last?.type === 'error' ? last.error.code : '';
      expect(f.codes).toContain(code);
      if (f.message) expect(last?.type === 'error' ? last.error.message : '').toMatch(f.message);
      expect(reply?.status === 'partial' || reply?.status === 'error').toBe(true);
      expect(reply?.error?.code).toBe(code);
      if (f.kept !== undefined) expect(text).toBe(f.kept);
    });
  }

  it('after every fault, the next turn streams and is saved complete', async () => {
    wire.reply(sseReply(FIXTURE));
    const { events, conversationId } = await turn('all good now');
    expect(events.at(-1)?.type).toBe('done');
    const stored = await p.store().messages.list(conversationId ?? '');
    expect(stored.map((m) => m.status)).toEqual(['complete', 'complete']);
  });
});
