import { afterAll, describe, expect, it } from 'vitest';
import { STORIES } from '../../../../test/helpers/models.js';
import type { ChatEvent } from '../events.js';
import { userText } from '../chat-model.js';
import { LocalEngine } from './local-engine.js';
import { LocalChatModel } from './local-chat-model.js';

// Real local engine on the shared stories260K model, one thread, greedy decoding.
const engine = new LocalEngine({ threads: 1, gpu: false, contextSize: 1024 });
const model = new LocalChatModel(engine, STORIES, 'stories260K');
afterAll(() => engine.dispose());

async function collect(it: AsyncIterable<ChatEvent>): Promise<ChatEvent[]> {
  const out: ChatEvent[] = [];
  for await (const e of it) out.push(e);
  return out;
}

describe('LocalChatModel on stories260K', () => {
  it('streams text deltas and ends with done', async () => {
    const events = await collect(model.stream({ messages: [userText('Once upon a time')], maxTokens: 40 }));
    const deltas = events.filter((e) => e.type === 'text-delta');
    expect(deltas.length).toBeGreaterThan(3);
    const done = events.at(-1);
    expect(done?.type).toBe('done');
    if (done?.type !== 'done') throw new Error('no done');
    expect(done.finishReason).toBe('length');
    expect(done.usage.outputTokens).toBe(40);
    expect(done.usage.inputTokens).toBeGreaterThan(3);
    expect(done.model).toBe('local:stories260K');
  });

  it('keeps the model loaded between turns', async () => {
    const first = await engine.load(STORIES);
    await collect(model.stream({ messages: [userText('Hi')], maxTokens: 3 }));
    expect(await engine.load(STORIES)).toBe(first);
    expect(first.threads).toBe(1);
  });

  it('is deterministic at temperature 0', async () => {
    const text = async () =>
      (await collect(model.stream({ messages: [userText('The cat')], maxTokens: 30, temperature: 0 })))
        .map((e) => (e.type === 'text-delta' ? e.text : ''))
        .join('');
    const a = await text();
    const b = await text();
    expect(a.length).toBeGreaterThan(10);
    expect(b).toBe(a);
  });

  it('stops within 50 ms of an abort and keeps the partial text', async () => {
    const ac = new AbortController();
    const events: ChatEvent[] = [];
    let abortedAt = 0;
    let streamed = '';
    for await (const e of model.stream(
      { messages: [userText('Once upon a time')], maxTokens: 1500 },
      ac.signal,
    )) {
      events.push(e);
      if (e.type === 'text-delta') {
        streamed += e.text;
        if (streamed.length > 20 && abortedAt === 0) {
          abortedAt = performance.now();
          ac.abort();
        }
      }
    }
    const stoppedAfter = performance.now() - abortedAt;
    const last = events.at(-1);
    expect(last?.type).toBe('interrupted');
    if (last?.type !== 'interrupted') throw new Error('not interrupted');
    expect(last.partialText.length).toBeGreaterThan(20);
    expect(streamed.startsWith(last.partialText.slice(0, 20))).toBe(true);
    expect(stoppedAfter).toBeLessThan(50);
  });

  it('refuses images with a clear error', async () => {
    const events = await collect(
      model.stream({
        messages: [
          { role: 'user', content: [{ type: 'image', data: new Uint8Array([1]), mediaType: 'image/png' }] },
        ],
      }),
    );
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({ type: 'error', error: { code: 'unsupported' } });
  });

  it('reports a missing model file by path', async () => {
    const missing = new LocalChatModel(engine, '/nonexistent/x.gguf', 'x');
    const events = await collect(missing.stream({ messages: [userText('hi')] }));
    expect(events[0]).toMatchObject({ type: 'error', error: { code: 'model_not_found' } });
    expect(events[0]?.type === 'error' && events[0].error.message).toContain('/nonexistent/x.gguf');
  });
});
