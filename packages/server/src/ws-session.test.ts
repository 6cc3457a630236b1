import { describe, expect, it } from 'vitest';
import { historyItems, MemorySessionStore } from './ws-session.js';

describe('MemorySessionStore', () => {
  it('creates, finds and saves sessions', async () => {
    const store = new MemorySessionStore();
    const s = await store.create();
    expect(s.id).toMatch(/^[0-9a-f-]{36}$/);
    s.messages.push({ role: 'user', content: [{ type: 'text', text: 'hi' }] });
    await store.save(s);
    expect((await store.get(s.id))?.messages).toHaveLength(1);
    expect(await store.get('nope')).toBeUndefined();
  });

  it('drops the least recently used session past its limit', async () => {
    const store = new MemorySessionStore(2);
    const a = await store.create();
    const b = await store.create();
    await store.get(a.id); // a is now the most recently used
    await store.create();
    expect(store.size).toBe(2);
    expect(await store.get(a.id)).toBeDefined();
    expect(await store.get(b.id)).toBeUndefined();
  });
});

describe('historyItems', () => {
  it('sends text and counts images, never their bytes', () => {
    expect(
      historyItems([
        {
          role: 'user',
          content: [
            { type: 'text', text: 'see ' },
            { type: 'image', mediaType: 'image/png', data: new Uint8Array(100) },
            { type: 'text', text: 'this' },
          ],
        },
      ]),
    ).toEqual([{ role: 'user', text: 'see this', images: 1 }]);
  });
});
