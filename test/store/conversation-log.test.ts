/**
 * Every turn is saved as it happens, through the library API the front ends use:
 * the real local engine (stories260K, one thread) for complete, interrupted and abandoned
 * replies, and a local OpenAI-compatible HTTP server that looks into the database the moment
 * a request arrives (the user's message must already be committed) and checks that a
 * resumed conversation sends its history.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { ChatEvent } from '../../packages/core/src/events.js';
import { createParley, type Parley } from '../../packages/core/src/parley.js';
import type { ConfigLayer } from '../../packages/core/src/config/schema.js';
import { tempHome } from '../helpers/cli.js';
import { STORIES } from '../helpers/models.js';
import { sseEvents } from '../helpers/wire-server.js';

const FIXTURE = sseEvents(
  readFileSync(new URL('../providers/fixtures/openai-compatible.sse', import.meta.url), 'utf8'),
);
const FIXTURE_TEXT = "Hello from parley's wire test.";

let home: string;
let cleanup: () => void;
let parley: Parley | undefined;
beforeEach(() => ({ home, cleanup } = tempHome()));
afterEach(async () => {
  await parley?.dispose();
  parley = undefined;
  cleanup();
});

const dbFile = (): string => path.join(home, 'data', 'parley.db');
const make = (config: ConfigLayer): Parley =>
  (parley = createParley({ env: { PARLEY_HOME: home }, config: { temperature: 0, ...config } }));
const local = (config: ConfigLayer = {}): Parley =>
  make({ model: STORIES, max_tokens: 24, local: { threads: 1, gpu: false }, ...config });

async function drain(
  events: AsyncIterable<ChatEvent>,
  stopAfter?: (e: ChatEvent) => boolean,
): Promise<ChatEvent[]> {
  const out: ChatEvent[] = [];
  for await (const e of events) {
    out.push(e);
    if (stopAfter?.(e)) break;
  }
  return out;
}
const textOf = (events: ChatEvent[]): string =>
  events.map((e) => (e.type === 'text-delta' ? e.text : '')).join('');

describe('saving turns with the local engine', () => {
  it('commits the prompt and the complete reply, with the request timings', async () => {
    const p = local();
    const conv = p.conversation({ source: 'library' });
    expect(conv.id).toBeUndefined();
    const first = await drain(conv.send('Once upon a time'));
    const reply = textOf(first);
    expect(reply.length).toBeGreaterThan(5);
    const second = await drain(conv.send('The end'));

    const store = p.store();
    const c = await store.conversations.get(conv.id ?? '');
    expect(c).toMatchObject({ title: 'Once upon a time', model: null, metadata: { source: 'library' } });
    const msgs = await store.messages.list(c?.id ?? '');
    expect(msgs.map((m) => [m.seq, m.role, m.status])).toEqual([
      [0, 'user', 'complete'],
      [1, 'assistant', 'complete'],
      [2, 'user', 'complete'],
      [3, 'assistant', 'complete'],
    ]);
    expect(msgs[0]?.parts).toEqual([{ type: 'text', text: 'Once upon a time' }]);
    expect(msgs[1]).toMatchObject({
      parts: [{ type: 'text', text: reply }],
      model: 'local:stories260K',
      finishReason: 'length',
      usage: { outputTokens: 24 },
    });
    expect(msgs[3]?.parts).toEqual([{ type: 'text', text: textOf(second) }]);
    const done = first.find((e) => e.type === 'done');
    expect(msgs[1]?.timings).toEqual(done?.type === 'done' ? done.timings : undefined);
    const requests = await store.requests.list();
    expect(requests).toHaveLength(2);
    expect(requests[1]).toMatchObject({
      conversationId: c?.id,
      messageId: msgs[1]?.id,
      model: 'local:stories260K',
      source: 'library',
      status: 'complete',
    });

    const resumed = await p.resumeConversation();
    expect(resumed.id).toBe(c?.id);
    expect(resumed.model).toBeUndefined();
    expect(resumed.messages.map((m) => m.role)).toEqual(['user', 'assistant', 'user', 'assistant']);
  });

  it('marks an interrupted reply partial, keeping the text that arrived', async () => {
    const p = local({ max_tokens: 400 });
    const ac = new AbortController();
    const events = await drain(
      p.conversation().send('Once upon a time', { signal: ac.signal }),
      (e) => e.type === 'text-delta' && (ac.abort(new Error('stop')), false),
    );
    expect(events.at(-1)?.type).toBe('interrupted');
    const [c] = await p.store().conversations.list();
    const [user, reply] = await p.store().messages.list(c?.id ?? '');
    expect(user?.status).toBe('complete');
    expect(reply).toMatchObject({ status: 'partial', finishReason: 'interrupted' });
    expect(reply?.parts).toEqual([{ type: 'text', text: textOf(events) }]);
    expect((await p.store().requests.list())[0]?.status).toBe('partial');
  });

  it('marks a reply partial when the consumer stops reading', async () => {
    const p = local({ max_tokens: 400 });
    let deltas = 0;
    const events = await drain(
      p.conversation().send('Once upon a time'),
      (e) => e.type === 'text-delta' && ++deltas === 3,
    );
    const [c] = await p.store().conversations.list();
    const reply = (await p.store().messages.list(c?.id ?? ''))[1];
    expect(reply?.status).toBe('partial');
    expect(reply?.parts).toEqual([{ type: 'text', text: textOf(events) }]);
  });

  it('saves no turn with log: false, or with store.log = false', async () => {
    const quiet = local().conversation({ log: false });
    expect(quiet.log).toBeUndefined();
    await drain(quiet.send('Once upon a time'));
    await parley?.dispose();
    const p = local({ store: { log: false } });
    const events = await drain(p.conversation().send('Once upon a time'));
    expect(events.at(-1)?.type).toBe('done');
    // (The response cache may keep its entries in the same file; history tables stay empty.)
    if (existsSync(dbFile())) {
      expect(await p.store().conversations.list()).toEqual([]);
      expect(await p.store().requests.list()).toEqual([]);
    }
  });

  it('still answers when the store cannot be opened, and says so', async () => {
    mkdirSync(path.join(home, 'not-a-file.db'), { recursive: true });
    const events = await drain(
      local({ store: { path: path.join(home, 'not-a-file.db') } })
        .conversation()
        .send('Once'),
    );
    const notice = events.find((e) => e.type === 'notice');
    expect(notice).toMatchObject({ code: 'history-not-saved', level: 'warn' });
    expect(notice?.type === 'notice' && notice.message).toMatch(
      /^history: cannot open the database .*not-a-file\.db/,
    );
    expect(events.at(-1)?.type).toBe('done');
    expect(textOf(events).length).toBeGreaterThan(0);
  });
});

describe('saving turns with an HTTP provider', () => {
  let server: Server;
  let url: string;
  /** What the database held when each request arrived, and what each request sent. */
  const seen: { committed: { role: string; status: string; text: string }[]; body: unknown }[] = [];
  let status = 200;

  beforeAll(async () => {
    server = createServer((req, res) => {
      let body = '';
      req.on('data', (c: Buffer) => (body += c.toString('utf8')));
      req.on('end', () => {
        const db = new Database(dbFile(), { readonly: true });
        const committed = db
          .prepare('SELECT role, status, text FROM messages ORDER BY conversation_id, seq')
          .all() as { role: string; status: string; text: string }[];
        db.close();
        seen.push({ committed, body: JSON.parse(body) });
        if (status !== 200) {
          res.writeHead(status, { 'content-type': 'application/json' });
          res.end(JSON.stringify({ error: { message: 'the wire says no', type: 'invalid_request_error' } }));
          return;
        }
        res.writeHead(200, { 'content-type': 'text/event-stream' });
        for (const e of FIXTURE) res.write(e);
        res.end();
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1`;
  });
  afterAll(() => new Promise<void>((r) => server.close(() => r())));
  beforeEach(() => {
    seen.length = 0;
    status = 200;
  });
  const http = (): Parley => make({ model: 'openai-compatible:any-model', base_url: url, max_retries: 0 });

  it('commits the prompt before the request goes out, and sends the history when resumed', async () => {
    const p = http();
    await drain(p.conversation({ system: 'Be terse.' }).send('first question'));
    expect(seen[0]?.committed).toEqual([{ role: 'user', status: 'complete', text: 'first question' }]);

    const resumed = await p.resumeConversation();
    expect(resumed.system).toBe('Be terse.');
    await drain(resumed.send('second question'));
    expect(seen[1]?.committed.map((m) => [m.role, m.status, m.text])).toEqual([
      ['user', 'complete', 'first question'],
      ['assistant', 'complete', FIXTURE_TEXT],
      ['user', 'complete', 'second question'],
    ]);
    const messages = (seen[1]?.body as { messages: { role: string; content: unknown }[] }).messages;
    expect(messages.map((m) => [m.role, m.content])).toEqual([
      ['system', 'Be terse.'],
      ['user', 'first question'],
      ['assistant', FIXTURE_TEXT],
      ['user', 'second question'],
    ]);
  });

  it('marks a failed reply error, with the error, after committing the prompt', async () => {
    status = 400;
    const p = http();
    const events = await drain(p.conversation().send('doomed question'));
    expect(events.at(-1)?.type).toBe('error');
    expect(seen[0]?.committed).toEqual([{ role: 'user', status: 'complete', text: 'doomed question' }]);
    const [c] = await p.store().conversations.list();
    const [user, reply] = await p.store().messages.list(c?.id ?? '');
    expect(user?.status).toBe('complete');
    expect(reply).toMatchObject({ role: 'assistant', status: 'error', parts: [], finishReason: 'error' });
    expect(reply?.error?.message).toContain('the wire says no');
    expect((await p.store().requests.list())[0]).toMatchObject({
      status: 'error',
      model: 'openai-compatible:any-model',
    });
    const resumed = await p.resumeConversation(c?.id);
    expect(resumed.messages).toHaveLength(1);
  });
});
