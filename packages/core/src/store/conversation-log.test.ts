/**
 * `ConversationLog.record()` on scripted event streams over a real (in-memory) SQLite store:
 * what is in the database at each step of a turn, the parts it keeps, history from a
 * stateless request, and a store that fails mid-turn.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ChatEvent } from '../events.js';
import { ConversationLog } from './conversation-log.js';
import { SqliteConversationStore } from './sqlite/sqlite-conversation-store.js';

const timings = { ttftMs: 1, totalMs: 2, tokensPerSecond: 3 };
const done: ChatEvent = {
  type: 'done',
  model: 'p:m',
  finishReason: 'stop',
  usage: { outputTokens: 2 },
  timings,
};

async function* script(events: ChatEvent[]): AsyncGenerator<ChatEvent> {
  for (const e of events) yield e;
}

let store: SqliteConversationStore;
beforeEach(() => {
  store = SqliteConversationStore.open({ path: ':memory:' });
});
afterEach(() => store.close());

const only = async (): Promise<string> => {
  const [c, ...rest] = await store.conversations.list();
  expect(rest).toEqual([]);
  return c?.id ?? '';
};

describe('ConversationLog', () => {
  it('commits the prompt before the first event is asked for, then the reply as it streams', async () => {
    const log = new ConversationLog(store, { source: 'test', checkpointMs: 0 });
    let asked = 0;
    async function* upstream(): AsyncGenerator<ChatEvent> {
      asked++;
      const id = await only();
      // The prompt is committed before the model is asked for anything.
      expect((await store.messages.list(id)).map((m) => [m.role, m.status])).toEqual([['user', 'complete']]);
      yield { type: 'text-delta', text: 'Once' };
      yield { type: 'text-delta', text: ' upon' };
      yield done;
    }
    const it = log.record([{ type: 'text', text: 'Tell me a story' }], upstream(), {
      system: 'S',
      model: 'm',
    });
    expect((await it.next()).value).toEqual({ type: 'text-delta', text: 'Once' });
    expect(asked).toBe(1);
    const id = log.conversationId ?? '';
    expect(await store.conversations.get(id)).toMatchObject({
      title: 'Tell me a story',
      system: 'S',
      model: 'm',
      metadata: { source: 'test' },
    });
    const [, reply] = await store.messages.list(id);
    expect(reply).toMatchObject({ status: 'partial', parts: [{ type: 'text', text: 'Once' }] });
    await it.next();
    expect((await store.messages.get(reply?.id ?? ''))?.parts).toEqual([{ type: 'text', text: 'Once upon' }]);
    expect((await it.next()).value).toEqual(done);
    expect(await store.messages.get(reply?.id ?? '')).toMatchObject({
      status: 'complete',
      model: 'p:m',
      finishReason: 'stop',
      usage: { outputTokens: 2 },
      timings,
    });
    expect((await it.next()).done).toBe(true);
  });

  it('keeps reasoning and tool parts, and the history of a stateless request', async () => {
    const log = new ConversationLog(store);
    const events = script([
      { type: 'reasoning-delta', text: 'hmm' },
      { type: 'tool-call', id: 't', name: 'clock', args: { tz: 'UTC' } },
      { type: 'tool-result', id: 't', name: 'clock', result: '12:00' },
      { type: 'text-delta', text: 'Noon.' },
      done,
    ]);
    const history = [
      { role: 'user' as const, content: [{ type: 'text' as const, text: 'First question' }] },
      { role: 'assistant' as const, content: [{ type: 'text' as const, text: 'First answer' }] },
    ];
    for await (const _ of log.record([{ type: 'text', text: 'What time is it?' }], events, { history }))
      void _;
    const id = await only();
    expect((await store.conversations.get(id))?.title).toBe('First question');
    const msgs = await store.messages.list(id);
    expect(msgs.map((m) => m.role)).toEqual(['user', 'assistant', 'user', 'assistant']);
    expect(msgs[3]?.parts).toEqual([
      { type: 'reasoning', text: 'hmm' },
      { type: 'tool-call', id: 't', name: 'clock', args: { tz: 'UTC' } },
      { type: 'tool-result', id: 't', name: 'clock', result: '12:00', isError: false },
      { type: 'text', text: 'Noon.' },
    ]);
    // A second turn appends, and does not repeat the history.
    for await (const _ of log.record([{ type: 'text', text: 'And now?' }], script([done]), { history }))
      void _;
    expect((await store.messages.list(id)).map((m) => m.seq)).toEqual([0, 1, 2, 3, 4, 5]);
  });

  it('says once that saving failed and keeps the answer going', async () => {
    const log = new ConversationLog(store, { checkpointMs: 0 });
    async function* upstream(): AsyncGenerator<ChatEvent> {
      yield { type: 'text-delta', text: 'a' };
      await store.close();
      yield { type: 'text-delta', text: 'b' };
      yield { type: 'text-delta', text: 'c' };
      yield done;
    }
    const out: ChatEvent[] = [];
    for await (const e of log.record([{ type: 'text', text: 'q' }], upstream())) out.push(e);
    expect(out.map((e) => e.type)).toEqual(['text-delta', 'notice', 'text-delta', 'text-delta', 'done']);
    expect(out.map((e) => (e.type === 'text-delta' ? e.text : '')).join('')).toBe('abc');
    const notice = out[1];
    expect(notice?.type === 'notice' && notice.message).toMatch(
      /^history: .*the store is closed; this conversation/,
    );
    // Later turns are not saved either, and say so first.
    const again: ChatEvent[] = [];
    for await (const e of log.record([{ type: 'text', text: 'q2' }], script([done]))) again.push(e);
    expect(again.map((e) => e.type)).toEqual(['notice', 'done']);
  });
});
