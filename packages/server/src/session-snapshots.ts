/**
 * Session snapshots for `parley serve` (config `[sessions]`): every changed session is
 * written to `<snapshot_dir>/<id>.json` a while after it changes and at shutdown; with
 * `restore = "last"`, a `hello` without a session id goes on with the most recent session,
 * which at start is restored from the newest snapshot file when the store lacks it.
 *
 * A snapshot that cannot be written never breaks a session: the failure is reported through
 * `onError` and the session goes on (it is in the store already).
 */
import path from 'node:path';
import { SnapshotFiles, type ConversationStore, type Parley } from '@parley/core';
import type { SessionRecord, SessionStore } from './ws-session.js';

export interface SnapshotSettings {
  restore: 'new' | 'last';
  /** Undefined when snapshots are off. */
  files: SnapshotFiles | undefined;
  intervalMs: number;
}

/** `[sessions]` with its defaults. */
export function snapshotSettings(parley: Parley): SnapshotSettings & { dir: string } {
  const s = parley.config.sessions ?? {};
  const dir = s.snapshot_dir ?? path.join(parley.paths.data, 'sessions');
  return {
    restore: s.restore ?? 'new',
    files: s.snapshots === false ? undefined : new SnapshotFiles(dir),
    intervalMs: s.snapshot_interval_ms ?? 30_000,
    dir,
  };
}

/** A session store that snapshots what it saves, and knows the most recent session. */
export class SnapshottingSessionStore implements SessionStore {
  private readonly dirty = new Set<string>();
  private timer: NodeJS.Timeout | undefined;
  private flushing: Promise<void> = Promise.resolve();

  constructor(
    private readonly inner: SessionStore,
    private readonly store: () => ConversationStore,
    private readonly settings: SnapshotSettings,
    /** The session a `hello` without an id goes on with (restore = last), until another is saved. */
    private lastId: string | undefined,
    private readonly onError: (message: string) => void,
  ) {}

  get(id: string): Promise<SessionRecord | undefined> {
    return this.inner.get(id);
  }

  create(): Promise<SessionRecord> {
    return this.inner.create();
  }

  async save(session: SessionRecord): Promise<void> {
    await this.inner.save(session);
    this.lastId = session.id;
    if (!this.settings.files) return;
    this.dirty.add(session.id);
    this.timer ??= setTimeout(() => void this.flush(), this.settings.intervalMs);
    this.timer.unref();
  }

  async latest(): Promise<SessionRecord | undefined> {
    if (this.settings.restore !== 'last' || this.lastId === undefined) return undefined;
    return this.inner.get(this.lastId);
  }

  /** Write every session changed since the last flush. */
  flush(): Promise<void> {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    const files = this.settings.files;
    const ids = [...this.dirty];
    this.dirty.clear();
    this.flushing = this.flushing.then(async () => {
      if (!files) return;
      for (const id of ids) {
        try {
          await files.write(this.store(), id);
        } catch (e) {
          this.onError(`session ${id}: snapshot not written: ${(e as Error).message}`);
        }
      }
    });
    return this.flushing;
  }

  /** Write what is pending (at shutdown). */
  close(): Promise<void> {
    return this.flush();
  }
}
