/**
 * The store conformance suite: one set of tests every `ConversationStore` implementation
 * must pass (in the style of hono's `common.case.test.ts`). `runStoreConformance(factory)`
 * registers the tests; `sqlite-store.test.ts` runs them on SQLite files, and a PostgreSQL
 * store would run the same suite.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ConversationStore } from '../../packages/core/src/store/conversation-store.js';
import type { StoredPart } from '../../packages/core/src/store/types.js';
import { ParleyError } from '../../packages/core/src/errors.js';
import { ConflictError, NotFoundError } from '../../packages/core/src/store/store-errors.js';
import { runAssistantConformance } from './assistants.case.js';
import { runCacheAndRequestConformance } from './cache-requests.case.js';
import { runCollectionConformance } from './collections.case.js';
import { runSearchConformance } from './search.case.js';
import { runSessionConformance } from './sessions.case.js';

/** A clock the suite moves by hand, so ordering never depends on real time. */
export class FakeClock {
  t = Date.UTC(2025, 0, 2, 3, 4, 5, 678);
  readonly now = (): number => this.t;
  tick(ms = 1000): number {
    this.t += ms;
    return this.t;
  }
}

/** Opens fresh, empty stores of one implementation. */
export interface StoreFactory {
  name: string;
  /** A new, empty store using `now` for record times. */
  open(now: () => number): Promise<ConversationStore>;
  /** False for a store that refuses collections with `UnsupportedError` (PostgreSQL, for now). */
  collections?: boolean;
  /** Called after each test, once its stores are closed. */
  cleanup?(): Promise<void> | void;
}

/** What each test gets: an open store, its clock, and a way to open a second, empty one. */
export interface StoreFixture {
  store: ConversationStore;
  clock: FakeClock;
  another(): Promise<ConversationStore>;
}

/** Sets up a fresh store per test and closes every store opened by it. */
export function useStore(factory: StoreFactory): StoreFixture {
  const fx = {} as StoreFixture;
  const opened: ConversationStore[] = [];
  beforeEach(async () => {
    fx.clock = new FakeClock();
    fx.store = await factory.open(fx.clock.now);
    opened.push(fx.store);
    fx.another = async () => {
      const s = await factory.open(fx.clock.now);
      opened.push(s);
      return s;
    };
  });
  afterEach(async () => {
    for (const s of opened.splice(0)) await s.close();
    await factory.cleanup?.();
  });
  return fx;
}

/** Parts that exercise every kind and awkward text. */
export const RICH_PARTS: StoredPart[] = [
  { type: 'reasoning', text: 'thinking… about "quotes" and \\ backslashes' },
  { type: 'text', text: 'Ünïcödé 🦜 עברית\nline two\ttab \u0000 nul' },
  { type: 'image', mediaType: 'image/png', data: Buffer.from([0, 1, 2, 250, 255]).toString('base64') },
  { type: 'tool-call', id: 't1', name: 'lookup', args: { q: 'x', n: [1, 2, { deep: null }] } },
  { type: 'tool-result', id: 't1', name: 'lookup', result: 'found', isError: false },
];

/** Register the conformance tests for one store implementation. */
export function runStoreConformance(factory: StoreFactory): void {
  describe(`store conformance: ${factory.name}`, () => {
    const fx = useStore(factory);

    describe('conversations', () => {
      it('creates with defaults and reads back the same record', async () => {
        const c = await fx.store.conversations.create();
        expect(c).toMatchObject({ title: null, model: null, system: null, metadata: {} });
        expect(c.createdAt).toBe(fx.clock.t);
        expect(c.updatedAt).toBe(fx.clock.t);
        expect(await fx.store.conversations.get(c.id)).toEqual(c);
        const d = await fx.store.conversations.create({
          id: 'my-id_1',
          title: 'T',
          model: 'local:x',
          system: 'S',
          metadata: { source: 'cli', nested: { a: [1] } },
        });
        expect(await fx.store.conversations.get('my-id_1')).toEqual(d);
        expect(await fx.store.conversations.get('missing')).toBeUndefined();
      });

      it('refuses an id that exists', async () => {
        await fx.store.conversations.create({ id: 'dup' });
        await expect(fx.store.conversations.create({ id: 'dup' })).rejects.toBeInstanceOf(ConflictError);
      });

      it('lists the most recently updated first, with message counts, limit and offset', async () => {
        const a = await fx.store.conversations.create({ title: 'a' });
        fx.clock.tick();
        const b = await fx.store.conversations.create({ title: 'b' });
        fx.clock.tick();
        const c = await fx.store.conversations.create({ title: 'c' });
        fx.clock.tick();
        await fx.store.messages.append(a.id, { role: 'user', parts: [{ type: 'text', text: 'hi' }] });
        await fx.store.messages.append(a.id, { role: 'assistant', parts: [{ type: 'text', text: 'yo' }] });
        const list = await fx.store.conversations.list();
        expect(list.map((x) => x.title)).toEqual(['a', 'c', 'b']);
        expect(list.map((x) => x.messageCount)).toEqual([2, 0, 0]);
        expect((await fx.store.conversations.list({ limit: 1, offset: 1 })).map((x) => x.id)).toEqual([c.id]);
        expect((await fx.store.conversations.latest())?.id).toBe(a.id);
        fx.clock.tick();
        await fx.store.conversations.update(b.id, { title: 'b2' });
        expect((await fx.store.conversations.latest())?.title).toBe('b2');
      });

      it('has no latest conversation when empty', async () => {
        expect(await fx.store.conversations.latest()).toBeUndefined();
        expect(await fx.store.conversations.list()).toEqual([]);
      });

      it('updates only the fields given and bumps updatedAt', async () => {
        const c = await fx.store.conversations.create({ title: 't', model: 'm', system: 's' });
        const later = fx.clock.tick();
        const u = await fx.store.conversations.update(c.id, { title: 'new', model: undefined });
        expect(u).toEqual({ ...c, title: 'new', updatedAt: later });
        expect(await fx.store.conversations.get(c.id)).toEqual(u);
        await expect(fx.store.conversations.update('nope', { title: 'x' })).rejects.toBeInstanceOf(
          NotFoundError,
        );
      });

      it('deletes a conversation with its messages, and says when there was none', async () => {
        const c = await fx.store.conversations.create();
        const m = await fx.store.messages.append(c.id, {
          role: 'user',
          parts: [{ type: 'text', text: 'zebra' }],
        });
        expect(await fx.store.conversations.delete(c.id)).toBe(true);
        expect(await fx.store.conversations.get(c.id)).toBeUndefined();
        expect(await fx.store.messages.get(m.id)).toBeUndefined();
        expect(await fx.store.messages.list(c.id)).toEqual([]);
        expect(await fx.store.search('zebra')).toEqual([]);
        expect(await fx.store.conversations.delete(c.id)).toBe(false);
      });
    });

    describe('messages', () => {
      it('appends in order, with defaults, and keeps every kind of part exactly', async () => {
        const c = await fx.store.conversations.create();
        const u = await fx.store.messages.append(c.id, {
          role: 'user',
          parts: [{ type: 'text', text: 'q' }],
        });
        fx.clock.tick();
        const a = await fx.store.messages.append(c.id, {
          role: 'assistant',
          parts: RICH_PARTS,
          model: 'local:stories260K',
          status: 'error',
          finishReason: 'error',
          error: { code: 'timeout', message: 'slow', retryable: true, provider: 'local', status: 504 },
          usage: { inputTokens: 3, outputTokens: 4, totalTokens: 7 },
          timings: { ttftMs: 1.5, totalMs: 20.25, tokensPerSecond: null },
        });
        expect(u).toMatchObject({
          seq: 0,
          status: 'complete',
          model: null,
          error: null,
          usage: null,
          timings: null,
        });
        expect(a.seq).toBe(1);
        expect(await fx.store.messages.list(c.id)).toEqual([u, a]);
        expect(await fx.store.messages.get(a.id)).toEqual(a);
        expect((await fx.store.conversations.get(c.id))?.updatedAt).toBe(fx.clock.t);
      });

      it('refuses to append to an unknown conversation', async () => {
        await expect(
          fx.store.messages.append('ghost', { role: 'user', parts: [{ type: 'text', text: 'x' }] }),
        ).rejects.toBeInstanceOf(NotFoundError);
      });

      it('updates a streaming reply and leaves unmentioned fields alone', async () => {
        const c = await fx.store.conversations.create();
        const m = await fx.store.messages.append(c.id, {
          role: 'assistant',
          parts: [{ type: 'text', text: 'Once' }],
          status: 'partial',
          model: 'm1',
        });
        fx.clock.tick();
        const u = await fx.store.messages.update(m.id, {
          parts: [{ type: 'text', text: 'Once upon a time' }],
          status: 'complete',
          finishReason: 'stop',
          model: undefined,
        });
        expect(u).toMatchObject({ status: 'complete', model: 'm1', finishReason: 'stop', seq: 0 });
        expect(u.updatedAt).toBe(fx.clock.t);
        expect(await fx.store.messages.get(m.id)).toEqual(u);
        await expect(fx.store.messages.update('ghost', { status: 'error' })).rejects.toBeInstanceOf(
          NotFoundError,
        );
      });

      it('inserts a whole conversation as given, or nothing of it', async () => {
        const other = await fx.store.conversations.create({ id: 'other' });
        const taken = await fx.store.messages.append(other.id, { role: 'user', parts: [] });
        const conv = {
          id: 'imported',
          title: 'old',
          model: null,
          system: 'sys',
          metadata: { k: 1 },
          createdAt: 1000,
          updatedAt: 2000,
        };
        const msg = (id: string, seq: number) => ({
          id,
          conversationId: 'ignored',
          seq,
          role: 'user' as const,
          parts: [{ type: 'text' as const, text: `m${seq}` }],
          model: null,
          status: 'partial' as const,
          finishReason: 'interrupted',
          error: null,
          usage: { outputTokens: 2 },
          timings: { ttftMs: null, totalMs: 3, tokensPerSecond: null },
          createdAt: 1500 + seq,
          updatedAt: 1600 + seq,
        });
        await expect(
          fx.store.conversations.insert(conv, [msg('m-a', 0), msg(taken.id, 1)]),
        ).rejects.toBeInstanceOf(ConflictError);
        expect(await fx.store.conversations.get('imported')).toBeUndefined();
        expect(await fx.store.messages.get('m-a')).toBeUndefined();

        await fx.store.conversations.insert(conv, [msg('m-a', 0), msg('m-b', 1)]);
        expect(await fx.store.conversations.get('imported')).toEqual(conv);
        expect(await fx.store.messages.list('imported')).toEqual([
          { ...msg('m-a', 0), conversationId: 'imported' },
          { ...msg('m-b', 1), conversationId: 'imported' },
        ]);
        await expect(fx.store.conversations.insert(conv, [])).rejects.toBeInstanceOf(ConflictError);
        const next = await fx.store.messages.append('imported', { role: 'assistant', parts: [] });
        expect(next.seq).toBe(2);
      });
    });

    runSearchConformance(fx);
    runSessionConformance(fx);
    runCollectionConformance(fx, { supported: factory.collections !== false });
    runCacheAndRequestConformance(fx);
    runAssistantConformance(fx);

    it('fails with a store error after close, and closing twice is harmless', async () => {
      const s = await fx.another();
      await s.close();
      await s.close();
      const e = await s.conversations.list().catch((x: unknown) => x);
      expect(ParleyError.is(e) && e.code).toBe('store');
    });
  });
}
