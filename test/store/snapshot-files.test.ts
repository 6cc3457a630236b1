/**
 * Session snapshot files on real SQLite stores: written atomically, listed newest first,
 * restored at start only when newer than the store, and a hostile or broken file is skipped
 * with a reason and left on disk as it was.
 */
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SnapshotFiles } from '../../packages/core/src/store/snapshot-files.js';
import { SqliteConversationStore } from '../../packages/core/src/store/sqlite/sqlite-conversation-store.js';

let dir: string;
let n = 0;
const open = (): SqliteConversationStore =>
  SqliteConversationStore.open({ path: path.join(dir, `s${++n}.db`) });
beforeEach(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'parley-snapfiles-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

async function sessionWithTalk(store: SqliteConversationStore, words: string, at: number): Promise<string> {
  const c = await store.conversations.create({ title: words });
  await store.messages.append(c.id, { role: 'user', parts: [{ type: 'text', text: words }] });
  await store.messages.append(c.id, {
    role: 'assistant',
    parts: [{ type: 'text', text: `about ${words}` }],
    status: 'complete',
  });
  const s = await store.sessions.create({ mode: 'text', settings: { temperature: 0 }, conversationId: c.id });
  await store.memory.set({ key: 'topic', value: words, scope: s.id });
  // Fixed times, so "newer" is decided by the test, not by the clock.
  await store.sessions.put({ ...s, createdAt: at, updatedAt: at });
  return s.id;
}

describe('SnapshotFiles', () => {
  it('writes one JSON file per session, atomically, and lists them newest first', async () => {
    const store = open();
    const files = new SnapshotFiles(path.join(dir, 'snaps'));
    const older = await sessionWithTalk(store, 'rivers', 1_000);
    const newer = await sessionWithTalk(store, 'lakes', 2_000);
    await files.write(store, older);
    const file = await files.write(store, newer);
    expect(file).toBe(path.join(dir, 'snaps', `${newer}.json`));
    expect(readdirSync(path.join(dir, 'snaps')).sort()).toEqual([`${newer}.json`, `${older}.json`].sort());
    const doc = JSON.parse(readFileSync(file, 'utf8')) as { format: string; memory: { value: unknown }[] };
    expect(doc.format).toBe('parley.session');
    expect(doc.memory[0]?.value).toBe('lakes');
    const { files: listed, skipped } = await files.list();
    expect(listed.map((f) => f.id)).toEqual([newer, older]);
    expect(skipped).toEqual([]);
    store.close();
  });

  it('restores the newest snapshot into a store that lacks it, with its conversation and memory', async () => {
    const a = open();
    const files = new SnapshotFiles(path.join(dir, 'snaps'));
    const id = await sessionWithTalk(a, 'the lighthouse', 5_000);
    await files.write(a, id);
    a.close();

    const b = open();
    const r = await files.restoreLatest(b);
    expect(r.from).toBe('file');
    expect(r.session?.id).toBe(id);
    const s = await b.sessions.get(id);
    expect(s?.updatedAt).toBe(5_000);
    const msgs = await b.messages.list(s?.conversationId ?? '');
    expect(msgs.map((m) => m.parts)).toEqual([
      [{ type: 'text', text: 'the lighthouse' }],
      [{ type: 'text', text: 'about the lighthouse' }],
    ]);
    expect((await b.memory.get('topic', id))?.value).toBe('the lighthouse');
    b.close();
  });

  it('keeps the store when it is newer than every snapshot', async () => {
    const store = open();
    const files = new SnapshotFiles(path.join(dir, 'snaps'));
    const snapped = await sessionWithTalk(store, 'old news', 1_000);
    await files.write(store, snapped);
    const fresh = await sessionWithTalk(store, 'fresh news', 9_000);
    const r = await files.restoreLatest(store);
    expect(r).toMatchObject({ from: 'store', skipped: [] });
    expect(r.session?.id).toBe(fresh);
    store.close();
  });

  it('says none when there is nothing, and a missing folder is not an error', async () => {
    const store = open();
    const r = await new SnapshotFiles(path.join(dir, 'nowhere')).restoreLatest(store);
    expect(r).toEqual({ session: undefined, from: 'none', skipped: [] });
    store.close();
  });

  it('skips broken and hostile files with a reason, leaves them on disk, and restores the next good one', async () => {
    const a = open();
    const snaps = path.join(dir, 'snaps');
    const files = new SnapshotFiles(snaps);
    const good = await sessionWithTalk(a, 'good one', 3_000);
    await files.write(a, good);
    a.close();
    const hostile: Record<string, string> = {
      'truncated.json': '{"format":"parley.session","version":1,"sess',
      'proto.json': '{"format":"parley.session","version":1,"__proto__":{"polluted":true},"session":{}}',
      'wrong-format.json': JSON.stringify({ format: 'parley.conversation', version: 1 }),
      'bad-id.json': readFileSync(files.fileFor(good), 'utf8').replace(good, '../../etc/passwd'),
      'not-json.json': '\u0000\u0001binary',
    };
    for (const [name, body] of Object.entries(hostile)) writeFileSync(path.join(snaps, name), body);

    const b = open();
    const r = await files.restoreLatest(b);
    expect(r.from).toBe('file');
    expect(r.session?.id).toBe(good);
    expect(r.skipped).toHaveLength(Object.keys(hostile).length);
    for (const name of Object.keys(hostile)) {
      expect(r.skipped.some((s) => s.startsWith(path.join(snaps, name)))).toBe(true);
      expect(readFileSync(path.join(snaps, name), 'utf8')).toBe(hostile[name]);
    }
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    b.close();
  });

  it('refuses an id that is not a session id, so nothing is written outside the folder', async () => {
    const store = open();
    const files = new SnapshotFiles(path.join(dir, 'snaps'));
    expect(() => files.fileFor('../escape')).toThrow(/not a session id/);
    await expect(files.write(store, '../escape')).rejects.toThrow(/not a session id|no session/);
    expect(existsSync(path.join(dir, 'escape.json'))).toBe(false);
    store.close();
  });
});
