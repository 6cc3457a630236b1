/**
 * Conformance tests for document collections (part of the store suite). A store that does not
 * keep collections (PostgreSQL, for now) must refuse every call with an `UnsupportedError`.
 */
import { describe, expect, it } from 'vitest';
import type { NewCollection, StoredChunk } from '../../packages/core/src/store/collections.js';
import {
  ConflictError,
  NotFoundError,
  UnsupportedError,
} from '../../packages/core/src/store/store-errors.js';
import type { StoreFixture } from './store.conformance.case.js';

const NEW: NewCollection = {
  name: 'notes',
  encoder: 'lexical',
  chunkTokens: 256,
  chunkOverlap: 32,
  roots: ['/r'],
};

const file = (absPath: string, sha256 = 'aa') =>
  ({ path: absPath.slice(1), absPath, kind: 'markdown', sha256, bytes: 10 }) as const;

function chunks(n: number, dense = false): StoredChunk[] {
  return Array.from({ length: n }, (_, i) => ({
    path: 'ignored',
    index: i,
    text: `chunk ${i}`,
    tokens: 2,
    startLine: i + 1,
    endLine: i + 2,
    ...(i === 0 ? { heading: 'Top' } : {}),
    embedding: dense
      ? Float32Array.of(i, 1)
      : { indices: Uint32Array.of(i, 7), values: Float32Array.of(0.5, 0.25) },
  }));
}

export function runCollectionConformance(fx: StoreFixture, opts: { supported: boolean }): void {
  describe('collections', () => {
    it.skipIf(!opts.supported)('creates, lists, updates and deletes collections', async () => {
      const c = await fx.store.collections.create(NEW);
      expect(c).toEqual({ ...NEW, files: 0, chunks: 0, createdAt: fx.clock.t, updatedAt: fx.clock.t });
      await expect(fx.store.collections.create(NEW)).rejects.toBeInstanceOf(ConflictError);
      await fx.store.collections.create({ ...NEW, name: 'alpha' });
      expect((await fx.store.collections.list()).map((x) => x.name)).toEqual(['alpha', 'notes']);
      fx.clock.tick();
      const u = await fx.store.collections.update('notes', { roots: ['/r', '/s'] });
      expect(u).toMatchObject({ roots: ['/r', '/s'], updatedAt: fx.clock.t });
      await expect(fx.store.collections.update('nope', {})).rejects.toBeInstanceOf(NotFoundError);
      expect(await fx.store.collections.delete('alpha')).toBe(true);
      expect(await fx.store.collections.delete('alpha')).toBe(false);
      expect(await fx.store.collections.get('alpha')).toBeUndefined();
    });

    it.skipIf(!opts.supported)(
      'stores files with their chunks and embeddings, and replaces them',
      async () => {
        await fx.store.collections.create(NEW);
        await fx.store.collections.putFile('notes', file('/r/a.md'), chunks(3));
        await fx.store.collections.putFile('notes', file('/r/b.md'), chunks(2));
        expect(await fx.store.collections.get('notes')).toMatchObject({ files: 2, chunks: 5 });
        const got = await fx.store.collections.chunks('notes');
        expect(got).toHaveLength(5);
        expect(got[0]).toEqual({ ...chunks(3)[0], path: 'r/a.md' });
        // Replacing a file replaces all its chunks.
        await fx.store.collections.putFile('notes', file('/r/a.md', 'bb'), chunks(1, true));
        const files = await fx.store.collections.files('notes');
        expect(files.map((f) => [f.path, f.sha256, f.chunks])).toEqual([
          ['r/a.md', 'bb', 1],
          ['r/b.md', 'aa', 2],
        ]);
        const after = await fx.store.collections.chunks('notes');
        expect(after.filter((c) => c.path === 'r/a.md').map((c) => c.embedding)).toEqual([
          Float32Array.of(0, 1),
        ]);
        expect(await fx.store.collections.removeFiles('notes', ['/r/b.md', '/r/none.md'])).toBe(1);
        expect(await fx.store.collections.chunks('notes')).toHaveLength(1);
        // Deleting the collection takes its files and chunks along.
        await fx.store.collections.delete('notes');
        await fx.store.collections.create(NEW);
        expect(await fx.store.collections.chunks('notes')).toEqual([]);
      },
    );

    it.skipIf(!opts.supported)('refuses unknown collections with NotFoundError', async () => {
      await expect(fx.store.collections.files('ghost')).rejects.toBeInstanceOf(NotFoundError);
      await expect(fx.store.collections.chunks('ghost')).rejects.toBeInstanceOf(NotFoundError);
      await expect(fx.store.collections.putFile('ghost', file('/x'), chunks(1))).rejects.toBeInstanceOf(
        NotFoundError,
      );
      await expect(fx.store.collections.removeFiles('ghost', ['/x'])).rejects.toBeInstanceOf(NotFoundError);
    });

    it.skipIf(opts.supported)('refuses every call with a typed unsupported error', async () => {
      const calls: Promise<unknown>[] = [
        fx.store.collections.create(NEW),
        fx.store.collections.get('notes'),
        fx.store.collections.list(),
        fx.store.collections.update('notes', {}),
        fx.store.collections.delete('notes'),
        fx.store.collections.files('notes'),
        fx.store.collections.putFile('notes', file('/x'), []),
        fx.store.collections.removeFiles('notes', []),
        fx.store.collections.chunks('notes'),
      ];
      for (const p of calls) {
        const e = await p.then(
          () => undefined,
          (x: unknown) => x,
        );
        expect(e).toBeInstanceOf(UnsupportedError);
        expect(e).toMatchObject({ code: 'unsupported', feature: 'collections' });
        expect((e as Error).message).toMatch(/not supported on the PostgreSQL store/);
      }
      // The store still works for everything else.
      expect(await fx.store.conversations.create()).toMatchObject({ title: null });
    });
  });
}
