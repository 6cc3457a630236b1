import { describe, expect, it } from 'vitest';
import { userText, type ChatRequest } from '../chat-model.js';
import { DEFAULTS, type ParleyConfig } from '../config/schema.js';
import { UsageError } from '../errors.js';
import type { ChatEvent } from '../events.js';
import { parseModelName } from '../model-resolver.js';
import { CANNED_LOREM, CannedChatModel } from './canned-chat-model.js';

async function collect(it: AsyncIterable<ChatEvent>): Promise<ChatEvent[]> {
  const out: ChatEvent[] = [];
  for await (const e of it) out.push(e);
  return out;
}
const text = (events: ChatEvent[]) => events.map((e) => (e.type === 'text-delta' ? e.text : '')).join('');
const req = (over: Partial<ChatRequest> = {}): ChatRequest => ({
  messages: [userText('hello there')],
  ...over,
});

describe('CannedChatModel', () => {
  it('streams the passage once, a word per token, and finishes with stop', async () => {
    const events = await collect(new CannedChatModel().stream(req()));
    expect(text(events)).toBe(CANNED_LOREM);
    const deltas = events.filter((e) => e.type === 'text-delta');
    expect(deltas.length).toBe(CANNED_LOREM.split(' ').length);
    const done = events.at(-1);
    expect(done).toMatchObject({
      type: 'done',
      model: 'canned:lorem',
      finishReason: 'stop',
      usage: { inputTokens: 2, outputTokens: deltas.length },
    });
  });

  it('streams exactly maxTokens tokens, repeating the passage, and finishes with length', async () => {
    const events = await collect(new CannedChatModel('lorem').stream(req({ maxTokens: 500 })));
    expect(events.filter((e) => e.type === 'text-delta')).toHaveLength(500);
    expect(events.at(-1)).toMatchObject({
      type: 'done',
      finishReason: 'length',
      usage: { outputTokens: 500 },
    });
  });

  it('echo streams the last user message back, images described', async () => {
    const events = await collect(
      new CannedChatModel('echo').stream({
        messages: [
          userText('first'),
          { role: 'assistant', content: [{ type: 'text', text: 'ok' }] },
          {
            role: 'user',
            content: [
              { type: 'text', text: 'look at this' },
              { type: 'image', mediaType: 'image/png', data: new Uint8Array(3) },
            ],
          },
        ],
      }),
    );
    expect(text(events)).toBe('look at this [image image/png 3 bytes] ');
    expect(events.at(-1)).toMatchObject({ type: 'done', finishReason: 'stop' });
  });

  it('honours the AbortSignal mid-stream: interrupted with the partial text', async () => {
    const ac = new AbortController();
    const events: ChatEvent[] = [];
    for await (const e of new CannedChatModel().stream(req({ maxTokens: 100_000 }), ac.signal)) {
      events.push(e);
      if (events.length === 10) ac.abort('stop now');
    }
    const end = events.at(-1);
    expect(end?.type).toBe('interrupted');
    if (end?.type !== 'interrupted') return;
    expect(end.reason).toBe('stop now');
    expect(end.partialText).toBe(text(events));
    expect(events.length).toBeLessThan(100); // stopped within a few tokens
    const pre = new AbortController();
    pre.abort();
    expect((await collect(new CannedChatModel().stream(req(), pre.signal))).map((e) => e.type)).toEqual([
      'interrupted',
    ]);
  });

  it('is named canned:NAME, and refuses names it does not know', () => {
    const cfg = { ...DEFAULTS } as ParleyConfig;
    expect(parseModelName('canned', cfg)).toEqual({ kind: 'canned', name: 'lorem' });
    expect(parseModelName('canned:echo', cfg)).toEqual({ kind: 'canned', name: 'echo' });
    expect(() => new CannedChatModel('poetry')).toThrow(UsageError);
    expect(() => new CannedChatModel('poetry')).toThrow(/canned:lorem or canned:echo/);
  });
});
