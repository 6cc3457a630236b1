/**
 * The crash test: a process writing history is killed with SIGKILL at an arbitrary moment.
 * The reopened database passes `PRAGMA integrity_check` (and the search index's own check),
 * every committed message is intact, and an interrupted reply is absent or `partial` with
 * text that really arrived, never garbage.
 */
import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL, fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SqliteConversationStore } from '../../packages/core/src/store/sqlite/sqlite-conversation-store.js';
import { cleanEnv, runParley, tempHome } from '../helpers/cli.js';
import { STORIES } from '../helpers/models.js';

let home: string;
let cleanup: () => void;
beforeEach(() => ({ home, cleanup } = tempHome()));
afterEach(() => cleanup());

const dbFile = (): string => path.join(home, 'data', 'parley.db');
const textOf = (parts: { type: string; text?: string }[]): string => parts.map((p) => p.text ?? '').join('');

/** Open the file as a plain SQLite database first: WAL recovery, then the integrity check. */
function rawIntegrity(file: string): string {
  const db = new Database(file);
  try {
    return db.pragma('integrity_check', { simple: true }) as string;
  } finally {
    db.close();
  }
}

describe('SIGKILL while writing', () => {
  it('the CLI killed mid-answer leaves committed turns intact and the reply partial', async () => {
    const local = ['-m', STORIES, '--threads', '1', '--temperature', '0'];
    // No response cache: the killed turn must really stream, not replay the reference.
    const env = { PARLEY_HOME: home, PARLEY_GPU: 'false', PARLEY_CACHE: '0' };
    const first = await runParley([...local, '--max-tokens', '16', 'Once upon a time'], { env });
    expect(first.code).toBe(0);
    // What the next turn says in full (same context, deterministic, not saved).
    const reference = await runParley([...local, '--max-tokens', '400', '-c', '--no-log', 'The dog'], {
      env,
    });
    expect(reference.stdout.length).toBeGreaterThan(100);

    let printed = '';
    const killed = await runParley([...local, '--max-tokens', '400', '-c', 'The dog'], {
      env,
      onSpawn: (child) =>
        child.stdout?.on('data', (d: Buffer) => {
          printed += d.toString();
          if (printed.length >= 40 && !child.killed) child.kill('SIGKILL');
        }),
    });
    expect(killed.signal).toBe('SIGKILL');
    expect(reference.stdout.startsWith(killed.stdout)).toBe(true);

    expect(rawIntegrity(dbFile())).toBe('ok');
    const store = SqliteConversationStore.open({ path: dbFile() });
    try {
      expect(store.integrityCheck()).toEqual(['ok']);
      const [c, ...others] = await store.conversations.list();
      expect(others).toEqual([]);
      const msgs = await store.messages.list(c?.id ?? '');
      expect(msgs.slice(0, 3).map((m) => [m.role, m.status, textOf(m.parts)])).toEqual([
        ['user', 'complete', 'Once upon a time'],
        ['assistant', 'complete', first.stdout.replace(/\n$/, '')],
        ['user', 'complete', 'The dog'],
      ]);
      const reply = msgs[3];
      expect(msgs).toHaveLength(4);
      expect(reply?.status).toBe('partial');
      const partial = textOf(reply?.parts ?? []);
      expect(partial.length).toBeGreaterThan(0);
      expect(reference.stdout.startsWith(partial)).toBe(true);
      expect((await store.search('dog')).map((h) => h.seq)).toContain(2);
      // Still writable: the next turn lands after the partial reply.
      const next = await store.messages.append(c?.id ?? '', {
        role: 'user',
        parts: [{ type: 'text', text: 'again' }],
      });
      expect(next.seq).toBe(4);
    } finally {
      await store.close();
    }
  });

  it('a writer using the built @parley/core killed at any moment loses at most its last turn', async () => {
    const core = pathToFileURL(
      fileURLToPath(new URL('../../packages/core/dist/index.js', import.meta.url)),
    ).href;
    const script = path.join(home, 'writer.mjs');
    writeFileSync(
      script,
      `import { SqliteConversationStore } from ${JSON.stringify(core)};
const store = SqliteConversationStore.open({ path: process.argv[2] });
for (let i = 0; ; i++) {
  const c = await store.conversations.create({ title: 'turn ' + i });
  await store.messages.append(c.id, { role: 'user', parts: [{ type: 'text', text: 'question ' + i }] });
  const m = await store.messages.append(c.id, { role: 'assistant', parts: [], status: 'partial' });
  let text = '';
  for (let k = 0; k < 20; k++) {
    text += 'w' + i + '.' + k + ' ';
    await store.messages.update(m.id, { parts: [{ type: 'text', text }] });
  }
  await store.messages.update(m.id, { status: 'complete', finishReason: 'stop' });
  process.stdout.write(i + '\\n');
}
`,
    );
    const full = (i: number): string => Array.from({ length: 20 }, (_, k) => `w${i}.${k} `).join('');
    const child = spawn(process.execPath, [script, dbFile()], {
      env: cleanEnv(),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const done = new Promise<NodeJS.Signals | null>((resolve) =>
      child.on('close', (_code, signal) => resolve(signal)),
    );
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString();
      if (out.split('\n').length > 25 && !child.killed) child.kill('SIGKILL');
    });
    expect(await done, stderr).toBe('SIGKILL');
    const reported = out.trim().split('\n').map(Number);
    const lastReported = reported.at(-1) ?? -1;
    expect(lastReported).toBeGreaterThanOrEqual(24);

    expect(rawIntegrity(dbFile())).toBe('ok');
    const store = SqliteConversationStore.open({ path: dbFile() });
    try {
      expect(store.integrityCheck()).toEqual(['ok']);
      const conversations = (await store.conversations.list()).reverse();
      expect(conversations.length).toBeGreaterThan(lastReported);
      let unfinished = 0;
      for (const [i, c] of conversations.entries()) {
        expect(c.title).toBe(`turn ${i}`);
        const [user, reply, ...rest] = await store.messages.list(c.id);
        expect(rest).toEqual([]);
        if (user) expect([user.status, textOf(user.parts)]).toEqual(['complete', `question ${i}`]);
        if (i <= lastReported)
          expect([reply?.status, textOf(reply?.parts ?? [])]).toEqual(['complete', full(i)]);
        if (reply && reply.status !== 'complete') {
          unfinished++;
          expect(reply.status).toBe('partial');
          expect(full(i).startsWith(textOf(reply.parts))).toBe(true);
        }
        if (!user || !reply || reply.status !== 'complete') expect(i).toBe(conversations.length - 1);
      }
      expect(unfinished).toBeLessThanOrEqual(1);
    } finally {
      await store.close();
    }
  });
});
