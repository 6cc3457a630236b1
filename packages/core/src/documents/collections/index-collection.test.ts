import { mkdirSync, mkdtempSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { LexicalEncoder } from '../../router/lexical-encoder.js';
import { SqliteConversationStore } from '../../store/sqlite/sqlite-conversation-store.js';
import { NotFoundError } from '../../store/store-errors.js';
import { documentLexicalEncoder } from '../retrieve.js';
import { indexCollection, type IndexOptions } from './index-collection.js';
import { CollectionIndex } from './search-collection.js';

let dir: string;
let store: SqliteConversationStore;
const opts = (): IndexOptions => ({
  encoder: documentLexicalEncoder(),
  chunkTokens: 128,
  chunkOverlap: 16,
  maxFileBytes: 1024 * 1024,
});

function write(rel: string, text: string | Buffer): string {
  const file = path.join(dir, rel);
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, text);
  return file;
}

beforeEach(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'parley-docs-'));
  store = SqliteConversationStore.open({ path: path.join(dir, 'parley.db') });
});
afterEach(async () => {
  await store.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('indexCollection', () => {
  it('re-indexes only what changed, and drops removed files', async () => {
    write('kb/boats.md', '# Boats\n\nA sloop has one mast and a jib.\n');
    write('kb/bees.txt', 'Honey bees dance to show where the flowers are.\n');
    write('kb/sub/pumps.md', '# Pumps\n\nA centrifugal pump spins an impeller.\n');
    const first = await indexCollection(store, 'kb', [path.join(dir, 'kb')], opts());
    expect(first).toMatchObject({ added: 3, updated: 0, unchanged: 0, removed: 0, chunks: 3 });
    expect(first.collection).toMatchObject({ name: 'kb', files: 3, chunks: 3, encoder: 'lexical' });
    const files = await store.collections.files('kb');
    expect(files.map((f) => f.path)).toEqual(['kb/bees.txt', 'kb/boats.md', 'kb/sub/pumps.md']);

    const again = await indexCollection(store, 'kb', [], opts());
    expect(again).toMatchObject({ added: 0, updated: 0, unchanged: 3, removed: 0, chunks: 0 });

    write('kb/bees.txt', 'Honey bees waggle dance to point at nectar.\n\nQueens lay the eggs.\n');
    unlinkSync(path.join(dir, 'kb/sub/pumps.md'));
    write('kb/new.md', 'Fresh notes.\n');
    const third = await indexCollection(store, 'kb', [], opts());
    expect(third).toMatchObject({ added: 1, updated: 1, unchanged: 1, removed: 1 });
    const after = await store.collections.files('kb');
    expect(after.map((f) => f.path)).toEqual(['kb/bees.txt', 'kb/boats.md', 'kb/new.md']);
    expect(after.find((f) => f.path === 'kb/boats.md')!.indexedAt).toBe(
      files.find((f) => f.path === 'kb/boats.md')!.indexedAt,
    );
    const chunks = await store.collections.chunks('kb');
    expect(chunks.some((c) => c.text.includes('pump'))).toBe(false);
    expect(chunks.some((c) => c.text.includes('waggle'))).toBe(true);
  });

  it('respects .gitignore, and skips binaries with a count', async () => {
    write('repo/.gitignore', 'secret.txt\nbuild/\n');
    write('repo/readme.md', '# Readme\n\nHello.\n');
    write('repo/secret.txt', 'do not index me');
    write('repo/build/out.txt', 'generated');
    write('repo/docs/.gitignore', '*.log\n');
    write('repo/docs/trace.log', 'noise');
    write('repo/docs/guide.md', 'A guide.\n');
    write('repo/image.png', Buffer.from([0x89, 0x50, 0x4e, 0x47, 0, 0, 0, 0x0d, 1, 2, 3, 0, 0, 0]));
    write('repo/blob.bin', Buffer.from([0, 1, 2, 3, 0, 0, 255, 254, 0, 7]));
    write('repo/.git/config', '[core]');
    const r = await indexCollection(store, 'repo', [path.join(dir, 'repo')], opts());
    const files = (await store.collections.files('repo')).map((f) => f.path);
    expect(files).toEqual([
      'repo/.gitignore',
      'repo/docs/.gitignore',
      'repo/docs/guide.md',
      'repo/readme.md',
    ]);
    expect(r.ignored).toBe(3);
    // blob.bin is binary; image.png is a format parley does not read: both skipped and counted.
    expect(r.binaries).toBe(1);
    expect(r.skipped.map((s) => [s.path, s.code]).sort()).toEqual([
      ['repo/blob.bin', 'binary'],
      ['repo/image.png', 'unsupported'],
    ]);
  });

  it('refuses hostile input with clear errors and leaves stored data intact', async () => {
    write('a/one.md', 'one\n');
    await indexCollection(store, 'good', [path.join(dir, 'a')], opts());
    const before = await store.collections.chunks('good');
    for (const bad of ['', '../x', 'a b', '-rf', 'x'.repeat(65), 'name/with/slash']) {
      await expect(indexCollection(store, bad, [path.join(dir, 'a')], opts())).rejects.toThrow(
        /is not a collection name/,
      );
    }
    await expect(indexCollection(store, 'ghost', [], opts())).rejects.toBeInstanceOf(NotFoundError);
    const missing = path.join(dir, 'nope');
    await expect(indexCollection(store, 'good', [missing], opts())).rejects.toThrow(
      `${missing}: no such file`,
    );
    await expect(
      indexCollection(store, 'good', [], { ...opts(), encoder: new LexicalEncoder() }),
    ).resolves.toBeTruthy();
    const other = {
      ...opts(),
      encoder: { name: 'local:other', defaultThreshold: 0.3, embed: () => Promise.resolve([]) },
    };
    await expect(indexCollection(store, 'good', [], other)).rejects.toThrow(
      /indexed with the encoder lexical, not local:other/,
    );
    expect((await store.collections.get('good'))!.roots).toEqual([path.join(dir, 'a')]);
    expect(await store.collections.chunks('good')).toEqual(before);
    expect(await store.collections.get('ghost')).toBeUndefined();
  });

  it('makes an empty collection from an empty folder', async () => {
    mkdirSync(path.join(dir, 'empty'));
    const r = await indexCollection(store, 'empty', [path.join(dir, 'empty')], opts());
    expect(r).toMatchObject({ added: 0, skipped: [], collection: { files: 0, chunks: 0 } });
    const idx = await CollectionIndex.load(store, 'empty', documentLexicalEncoder());
    expect(await idx.search('anything')).toEqual([]);
  });
});

describe('CollectionIndex', () => {
  it('answers from the right file and lines, and names the collection', async () => {
    write(
      'kb/boats.md',
      '# Boats\n\nA sloop has one mast and a jib.\n\n# Engines\n\nDiesel engines need glow plugs.\n',
    );
    write('kb/bees.txt', 'Honey bees dance to show where the flowers are.\n');
    await indexCollection(store, 'kb', [path.join(dir, 'kb')], opts());
    const idx = await CollectionIndex.load(store, 'kb', documentLexicalEncoder());
    const hits = await idx.search('how many masts does a sloop have', 2);
    expect(hits[0]).toMatchObject({ path: 'kb/boats.md', startLine: 1, endLine: 3, collection: 'kb' });
    expect(hits[0]).not.toHaveProperty('embedding');
    await expect(CollectionIndex.load(store, 'nope', documentLexicalEncoder())).rejects.toBeInstanceOf(
      NotFoundError,
    );
  });
});
