/** Conformance tests for assistants and their threads (part of the store suite). */
import { describe, expect, it } from 'vitest';
import { ConflictError, NotFoundError } from '../../packages/core/src/store/store-errors.js';
import type { StoreFixture } from './store.conformance.case.js';

const AWKWARD = 'Ünïcödé 🦜 "quotes" \\ backslash\nline two\ttab; DROP TABLE assistants; --';

export function runAssistantConformance(fx: StoreFixture): void {
  describe('assistants', () => {
    it('creates with defaults, reads back the same record and lists by name', async () => {
      const a = await fx.store.assistants.create({ name: 'writer', instructions: 'Write well.' });
      expect(a).toEqual({
        name: 'writer',
        instructions: 'Write well.',
        model: null,
        tools: [],
        createdAt: fx.clock.t,
        updatedAt: fx.clock.t,
      });
      expect(await fx.store.assistants.get('writer')).toEqual(a);
      const b = await fx.store.assistants.create({
        name: 'coder',
        instructions: AWKWARD,
        model: 'openai:gpt-5.4-mini',
        tools: ['read_file', 'files__read'],
      });
      expect(await fx.store.assistants.get('coder')).toEqual(b);
      expect((await fx.store.assistants.list()).map((x) => x.name)).toEqual(['coder', 'writer']);
      expect(await fx.store.assistants.get('ghost')).toBeUndefined();
    });

    it('refuses a name that is taken and keeps the stored one', async () => {
      const a = await fx.store.assistants.create({ name: 'same', instructions: 'first' });
      fx.clock.tick();
      const e = await fx.store.assistants.create({ name: 'same', instructions: 'second' }).catch((x) => x);
      expect(e).toBeInstanceOf(ConflictError);
      expect((e as Error).message).toMatch(/assistant .*"same".* exists already/);
      expect(await fx.store.assistants.get('same')).toEqual(a);
    });

    it('updates what it is given and bumps updatedAt; an unknown name is NotFoundError', async () => {
      const a = await fx.store.assistants.create({
        name: 'u',
        instructions: 'x',
        model: 'local',
        tools: ['shell'],
      });
      fx.clock.tick();
      const u = await fx.store.assistants.update('u', { tools: [], instructions: AWKWARD });
      expect(u).toEqual({ ...a, tools: [], instructions: AWKWARD, updatedAt: fx.clock.t });
      expect(await fx.store.assistants.get('u')).toEqual(u);
      const m = await fx.store.assistants.update('u', { model: null });
      expect(m.model).toBeNull();
      await expect(fx.store.assistants.update('ghost', { model: 'x' })).rejects.toBeInstanceOf(NotFoundError);
    });

    it('binds threads, lists them most recent first and says whose a thread is', async () => {
      await fx.store.assistants.create({ name: 'a', instructions: 'x' });
      await fx.store.assistants.create({ name: 'b', instructions: 'y' });
      const c1 = await fx.store.conversations.create();
      fx.clock.tick();
      const c2 = await fx.store.conversations.create();
      const other = await fx.store.conversations.create();
      await fx.store.assistants.bindThread('a', c1.id);
      await fx.store.assistants.bindThread('a', c2.id);
      await fx.store.assistants.bindThread('a', c2.id); // again: no change
      await fx.store.messages.append(c1.id, { role: 'user', parts: [{ type: 'text', text: 'hi' }] });
      fx.clock.tick();
      await fx.store.conversations.update(c1.id, { title: 'newest' });
      const threads = await fx.store.assistants.threads('a');
      expect(threads.map((t) => [t.id, t.messageCount])).toEqual([
        [c1.id, 1],
        [c2.id, 0],
      ]);
      expect(await fx.store.assistants.threads('a', { limit: 1 })).toHaveLength(1);
      expect(await fx.store.assistants.threads('b')).toEqual([]);
      expect(await fx.store.assistants.threadOf(c2.id)).toBe('a');
      expect(await fx.store.assistants.threadOf(other.id)).toBeUndefined();
    });

    it('refuses to bind to an unknown assistant or conversation', async () => {
      await fx.store.assistants.create({ name: 'a', instructions: 'x' });
      const c = await fx.store.conversations.create();
      const e1 = await fx.store.assistants.bindThread('ghost', c.id).catch((x) => x);
      expect(e1).toBeInstanceOf(NotFoundError);
      expect((e1 as NotFoundError).kind).toBe('assistant');
      const e2 = await fx.store.assistants.bindThread('a', 'ghost').catch((x) => x);
      expect(e2).toBeInstanceOf(NotFoundError);
      expect((e2 as NotFoundError).kind).toBe('conversation');
      expect(await fx.store.assistants.threadOf(c.id)).toBeUndefined();
    });

    it('deleting an assistant unbinds its threads and keeps the conversations', async () => {
      await fx.store.assistants.create({ name: 'gone', instructions: 'x' });
      const c = await fx.store.conversations.create();
      await fx.store.assistants.bindThread('gone', c.id);
      expect(await fx.store.assistants.delete('gone')).toBe(true);
      expect(await fx.store.assistants.delete('gone')).toBe(false);
      expect(await fx.store.assistants.get('gone')).toBeUndefined();
      expect(await fx.store.assistants.threadOf(c.id)).toBeUndefined();
      expect(await fx.store.conversations.get(c.id)).toEqual(c);
      // The name can be used again, with no threads.
      await fx.store.assistants.create({ name: 'gone', instructions: 'again' });
      expect(await fx.store.assistants.threads('gone')).toEqual([]);
    });

    it('deleting a conversation removes it from its assistant threads', async () => {
      await fx.store.assistants.create({ name: 'a', instructions: 'x' });
      const c = await fx.store.conversations.create();
      await fx.store.assistants.bindThread('a', c.id);
      await fx.store.conversations.delete(c.id);
      expect(await fx.store.assistants.threads('a')).toEqual([]);
      expect(await fx.store.assistants.get('a')).toBeDefined();
    });

    it('keeps assistants apart between stores', async () => {
      await fx.store.assistants.create({ name: 'mine', instructions: 'x' });
      const other = await fx.another();
      expect(await other.assistants.list()).toEqual([]);
    });
  });
}
