/** Conformance tests for full-text search (part of the store suite). */
import { describe, expect, it } from 'vitest';
import { UsageError } from '../../packages/core/src/errors.js';
import type { StoreFixture } from './store.conformance.case.js';

export function runSearchConformance(fx: StoreFixture): void {
  describe('search', () => {
    async function seed(): Promise<{ a: string; b: string }> {
      const a = await fx.store.conversations.create({ title: 'Pets' });
      await fx.store.messages.append(a.id, {
        role: 'user',
        parts: [{ type: 'text', text: 'Tell me about the Café cat' }],
      });
      await fx.store.messages.append(a.id, {
        role: 'assistant',
        parts: [{ type: 'text', text: 'The cat sleeps all day; cats are like that.' }],
      });
      const b = await fx.store.conversations.create({ title: 'Weather' });
      await fx.store.messages.append(b.id, {
        role: 'user',
        parts: [{ type: 'text', text: 'Is it raining in the cafe?' }],
      });
      return { a: a.id, b: b.id };
    }

    it('finds messages containing every word, any case and accent, with a snippet', async () => {
      const { a, b } = await seed();
      const hits = await fx.store.search('CAT cafe');
      expect(hits).toHaveLength(1);
      expect(hits[0]).toMatchObject({ conversationId: a, role: 'user', seq: 0, title: 'Pets' });
      expect(hits[0]?.snippet).toContain('[Café]');
      expect(hits[0]?.snippet).toContain('[cat]');
      const cafe = await fx.store.search('café', { highlight: { open: '<b>', close: '</b>' } });
      expect(new Set(cafe.map((h) => h.conversationId))).toEqual(new Set([a, b]));
      expect(cafe.every((h) => /<b>caf[eé]<\/b>/i.test(h.snippet))).toBe(true);
      expect(await fx.store.search('café', { conversationId: b })).toHaveLength(1);
      expect(await fx.store.search('café', { limit: 1 })).toHaveLength(1);
      expect(await fx.store.search('giraffe')).toEqual([]);
    });

    it('treats any text as plain words: quotes, operators and SQL are not syntax', async () => {
      const c = await fx.store.conversations.create();
      await fx.store.messages.append(c.id, {
        role: 'user',
        parts: [{ type: 'text', text: `it's "quoted" OR NOT; DROP TABLE messages; -- x*y` }],
      });
      for (const q of [
        `'; DROP TABLE messages; --`,
        `"unbalanced`,
        `NEAR(`,
        `foo:bar`,
        `*`,
        `AND OR NOT`,
        `(((`,
        `a\u0000b`,
        `\\"; SELECT * FROM conversations --`,
        `${'x'.repeat(500)}`,
      ]) {
        await expect(fx.store.search(q)).resolves.toBeInstanceOf(Array);
      }
      expect(await fx.store.search('DROP TABLE')).toHaveLength(1);
      expect(await fx.store.search('"quoted" OR')).toHaveLength(1);
      expect(await fx.store.messages.list(c.id)).toHaveLength(1);
    });

    it('refuses an empty query with a usage error', async () => {
      const e = await fx.store.search('   ').catch((x: unknown) => x);
      expect(e).toBeInstanceOf(UsageError);
    });

    it('follows edits: a reply is found by its new text only', async () => {
      const c = await fx.store.conversations.create();
      const m = await fx.store.messages.append(c.id, {
        role: 'assistant',
        parts: [{ type: 'text', text: 'draft words' }],
        status: 'partial',
      });
      await fx.store.messages.update(m.id, {
        parts: [{ type: 'text', text: 'final answer' }],
        status: 'complete',
      });
      expect(await fx.store.search('draft')).toEqual([]);
      expect((await fx.store.search('final answer'))[0]?.messageId).toBe(m.id);
    });

    it('searches phrases in the advanced syntax', async () => {
      await seed();
      expect(await fx.store.search('"sleeps all day"', { syntax: 'advanced' })).toHaveLength(1);
      expect(await fx.store.search('"all sleeps"', { syntax: 'advanced' })).toHaveLength(0);
    });
  });
}
