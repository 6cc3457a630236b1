/**
 * Session snapshots on disk: one JSON file per session (`<id>.json`) in a folder, written
 * atomically, and the newest one restored on start when the config says `sessions.restore =
 * "last"`. The files are what a person backs up, reads or carries to another machine; the
 * store stays the source of truth while parley runs.
 */
import { mkdir, readdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { ConversationStore } from './conversation-store.js';
import { ID_PATTERN } from './ids.js';
import { parseSessionSnapshot, restoreSession, snapshotSession } from './session-snapshot.js';
import type { SessionRecord } from './types.js';

/** A snapshot file that could be read. */
export interface SnapshotFile {
  id: string;
  file: string;
  /** The session's `updatedAt`, in ms. */
  updatedAt: number;
}

/** What `restoreLatest` did. */
export interface RestoreOutcome {
  /** The session now current, if any snapshot or stored session was found. */
  session: SessionRecord | undefined;
  /** `file` when the snapshot was newer than the store and was restored into it. */
  from: 'file' | 'store' | 'none';
  /** Files that could not be used, each with the reason (they are left as they are). */
  skipped: string[];
}

export class SnapshotFiles {
  constructor(readonly dir: string) {}

  /** The file a session's snapshot goes to. */
  fileFor(id: string): string {
    if (!ID_PATTERN.test(id)) throw new Error(`not a session id: ${JSON.stringify(id)}`);
    return path.join(this.dir, `${id}.json`);
  }

  /** Write one session's snapshot, atomically (a crash leaves the old file or the new one). */
  async write(store: ConversationStore, id: string): Promise<string> {
    const snap = await snapshotSession(store, id);
    const file = this.fileFor(id);
    await mkdir(this.dir, { recursive: true });
    const tmp = `${file}.${process.pid}.tmp`;
    try {
      await writeFile(tmp, `${JSON.stringify(snap, null, 2)}\n`, { mode: 0o600 });
      await rename(tmp, file);
    } catch (e) {
      await rm(tmp, { force: true });
      throw e;
    }
    return file;
  }

  /** Every readable snapshot, newest first, and the files that are not (with why). */
  async list(): Promise<{ files: SnapshotFile[]; skipped: string[] }> {
    let names: string[];
    try {
      names = await readdir(this.dir);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return { files: [], skipped: [] };
      throw e;
    }
    const files: SnapshotFile[] = [];
    const skipped: string[] = [];
    for (const name of names.filter((n) => n.endsWith('.json')).sort()) {
      const file = path.join(this.dir, name);
      try {
        const snap = parseSessionSnapshot(await readFile(file, 'utf8'), file);
        files.push({ id: snap.session.id, file, updatedAt: Date.parse(snap.session.updatedAt) });
      } catch (e) {
        skipped.push(`${file}: ${(e as Error).message}`);
      }
    }
    files.sort((a, b) => b.updatedAt - a.updatedAt);
    return { files, skipped };
  }

  /**
   * The session to go on with at start: the newest snapshot file, restored into the store
   * when the store does not have that session or has an older state of it; otherwise the
   * store's most recent session. Unreadable files are reported in `skipped`, never deleted.
   */
  async restoreLatest(store: ConversationStore): Promise<RestoreOutcome> {
    const { files, skipped } = await this.list();
    const [storedLatest] = await store.sessions.list({ limit: 1 });
    for (const f of files) {
      const stored = await store.sessions.get(f.id);
      if (stored && stored.updatedAt >= f.updatedAt) break;
      if (storedLatest && storedLatest.updatedAt >= f.updatedAt) break;
      try {
        const session = await restoreSession(store, await readFile(f.file, 'utf8'));
        return { session, from: 'file', skipped };
      } catch (e) {
        skipped.push(`${f.file}: ${(e as Error).message}`);
      }
    }
    return storedLatest
      ? { session: storedLatest, from: 'store', skipped }
      : { session: undefined, from: 'none', skipped };
  }
}
