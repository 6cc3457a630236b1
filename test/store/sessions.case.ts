/** Conformance tests for sessions, memory and session snapshots (part of the store suite). */
import { describe, expect, it } from 'vitest';
import { exportConversation } from '../../packages/core/src/store/conversation-export.js';
import { restoreSession, snapshotSession } from '../../packages/core/src/store/session-snapshot.js';
import { ConflictError, NotFoundError } from '../../packages/core/src/store/store-errors.js';
import type { StoreFixture } from './store.conformance.case.js';

export function runSessionConformance(fx: StoreFixture): void {
  describe('sessions', () => {
    it('creates, reads, updates, lists and deletes sessions', async () => {
      const s = await fx.store.sessions.create({ mode: 'text' });
      expect(s).toMatchObject({ mode: 'text', settings: {}, conversationId: null, createdAt: fx.clock.t });
      expect(await fx.store.sessions.get(s.id)).toEqual(s);
      await expect(fx.store.sessions.create({ id: s.id, mode: 'x' })).rejects.toBeInstanceOf(ConflictError);
      fx.clock.tick();
      const c = await fx.store.conversations.create();
      const t = await fx.store.sessions.create({ id: 'voice-1', mode: 'voice', settings: { vad: 0.5 } });
      fx.clock.tick();
      const u = await fx.store.sessions.update(s.id, { mode: 'monitor', conversationId: c.id });
      expect(u).toEqual({ ...s, mode: 'monitor', conversationId: c.id, updatedAt: fx.clock.t });
      expect((await fx.store.sessions.list()).map((x) => x.id)).toEqual([s.id, t.id]);
      expect(await fx.store.sessions.list({ limit: 1 })).toHaveLength(1);
      await expect(fx.store.sessions.update('ghost', { mode: 'x' })).rejects.toBeInstanceOf(NotFoundError);
      expect(await fx.store.sessions.delete(t.id)).toBe(true);
      expect(await fx.store.sessions.delete(t.id)).toBe(false);
      expect(await fx.store.sessions.get(t.id)).toBeUndefined();
    });

    it('keeps a session when its conversation is deleted, without the link', async () => {
      const c = await fx.store.conversations.create();
      const s = await fx.store.sessions.create({ mode: 'text', conversationId: c.id });
      await fx.store.conversations.delete(c.id);
      expect((await fx.store.sessions.get(s.id))?.conversationId).toBeNull();
    });

    it('refuses a link to an unknown conversation', async () => {
      await expect(
        fx.store.sessions.create({ mode: 'text', conversationId: 'ghost' }),
      ).rejects.toBeInstanceOf(NotFoundError);
    });
  });

  describe('memory', () => {
    it('sets, reads, lists and deletes facts per scope', async () => {
      const f = await fx.store.memory.set({ key: 'name', value: 'Ada' });
      expect(f).toEqual({
        scope: 'global',
        key: 'name',
        value: 'Ada',
        createdAt: fx.clock.t,
        updatedAt: fx.clock.t,
      });
      await fx.store.memory.set({ key: 'name', value: { first: 'Bo', tags: [1, true, null] }, scope: 's1' });
      await fx.store.memory.set({ key: 'a-key', value: 42 });
      expect(await fx.store.memory.get('name')).toEqual(f);
      expect((await fx.store.memory.get('name', 's1'))?.value).toEqual({
        first: 'Bo',
        tags: [1, true, null],
      });
      expect((await fx.store.memory.list()).map((x) => x.key)).toEqual(['a-key', 'name']);
      expect(await fx.store.memory.list('s1')).toHaveLength(1);
      const created = f.createdAt;
      fx.clock.tick();
      const again = await fx.store.memory.set({ key: 'name', value: 'Ada L.' });
      expect(again).toMatchObject({ createdAt: created, updatedAt: fx.clock.t, value: 'Ada L.' });
      expect(await fx.store.memory.delete('name')).toBe(true);
      expect(await fx.store.memory.delete('name')).toBe(false);
      expect(await fx.store.memory.get('name')).toBeUndefined();
      expect(await fx.store.memory.get('name', 's1')).toBeDefined();
    });

    it('drops a session’s facts with the session', async () => {
      const s = await fx.store.sessions.create({ mode: 'text' });
      await fx.store.memory.set({ key: 'k', value: 1, scope: s.id });
      await fx.store.sessions.delete(s.id);
      expect(await fx.store.memory.list(s.id)).toEqual([]);
    });
  });

  describe('session snapshots', () => {
    it('restores a session, its facts and its conversation exactly, in another store', async () => {
      const c = await fx.store.conversations.create({ title: 'chat' });
      await fx.store.messages.append(c.id, { role: 'user', parts: [{ type: 'text', text: 'hello' }] });
      const s = await fx.store.sessions.create({
        mode: 'voice',
        settings: { voice: 'en', speed: 1.25 },
        conversationId: c.id,
      });
      await fx.store.memory.set({ key: 'likes', value: ['tea'], scope: s.id });
      fx.clock.tick();
      await fx.store.memory.set({ key: 'global-fact', value: 1 });
      const snap = await snapshotSession(fx.store, s.id);
      const json = JSON.stringify(snap);

      const other = await fx.another();
      const restored = await restoreSession(other, JSON.parse(json));
      expect(restored).toEqual(await fx.store.sessions.get(s.id));
      expect(await other.sessions.get(s.id)).toEqual(restored);
      expect(await other.memory.list(s.id)).toEqual(await fx.store.memory.list(s.id));
      expect(await other.memory.list()).toEqual([]);
      expect(await exportConversation(other, c.id)).toEqual(await exportConversation(fx.store, c.id));
      expect(JSON.stringify(await snapshotSession(other, s.id))).toBe(json);
    });

    it('puts the session back as it was after it changed', async () => {
      const s = await fx.store.sessions.create({ mode: 'text', settings: { a: 1 } });
      await fx.store.memory.set({ key: 'keep', value: 'v1', scope: s.id });
      const snap = await snapshotSession(fx.store, s.id);
      fx.clock.tick();
      await fx.store.sessions.update(s.id, { mode: 'monitor', settings: { b: 2 } });
      await fx.store.memory.set({ key: 'keep', value: 'v2', scope: s.id });
      await fx.store.memory.set({ key: 'new', value: 'x', scope: s.id });
      await restoreSession(fx.store, snap);
      expect(await fx.store.sessions.get(s.id)).toEqual(s);
      expect((await fx.store.memory.list(s.id)).map((f) => [f.key, f.value])).toEqual([['keep', 'v1']]);
      await expect(snapshotSession(fx.store, 'ghost')).rejects.toBeInstanceOf(NotFoundError);
    });
  });
}
