/**
 * `[sessions]` under `parley serve`: changed sessions are snapshotted to JSON files (on a
 * timer and at shutdown), and with `restore = "last"` a `hello` without a session id goes on
 * with the most recent session, even on a fresh store that only has the snapshot files (a
 * lost database, another machine). Replies come from `canned:echo`, so the text is exact.
 */
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { tempHome } from '../helpers/cli.js';
import { eventually, startTestServer, WsClient, type TestServer } from './helpers.js';

const homes: { cleanup: () => void }[] = [];
const servers: TestServer[] = [];
afterEach(async () => {
  for (const s of servers.splice(0)) await s.close();
  for (const h of homes.splice(0)) h.cleanup();
});

function home(): string {
  const h = tempHome();
  homes.push(h);
  return h.home;
}

async function start(
  h: string,
  sessions: Record<string, unknown>,
  warnings: string[] = [],
): Promise<TestServer> {
  const t = await startTestServer({
    sequences: 1,
    home: h,
    config: { sessions },
    onWarning: (m) => warnings.push(m),
  });
  servers.push(t);
  return t;
}

async function talk(
  t: TestServer,
  text: string,
  session?: string,
): Promise<{ session: string; resumed: boolean }> {
  const ws = await WsClient.open(t.wsUrl);
  const ready = await ws.request(
    { type: 'hello', ...(session ? { session } : {}) },
    (e) => e.type === 'ready',
  );
  await ws.request({ type: 'text', id: 't', text, model: 'canned:echo' });
  expect((await ws.turn('t')).at(-1)?.type).toBe('done');
  ws.close();
  return { session: ready.session as string, resumed: ready.resumed as boolean };
}

describe('session snapshots under parley serve', () => {
  it('snapshots a changed session on its timer, and again at shutdown', async () => {
    const h = home();
    const snaps = path.join(h, 'snaps');
    const t = await start(h, { snapshot_dir: snaps, snapshot_interval_ms: 100 });
    const { session } = await talk(t, 'the first words');
    const file = path.join(snaps, `${session}.json`);
    const first = await eventually(() => {
      try {
        return JSON.parse(readFileSync(file, 'utf8')) as { conversation: { messages: unknown[] } };
      } catch {
        return undefined;
      }
    }, 'the snapshot is written on its timer');
    expect(first.conversation.messages.length).toBeGreaterThanOrEqual(1);

    await talk(t, 'the last words', session);
    await t.server.close();
    const last = JSON.parse(readFileSync(file, 'utf8')) as {
      session: { id: string };
      conversation: { messages: { parts: { text?: string }[] }[] };
    };
    expect(last.session.id).toBe(session);
    expect(last.conversation.messages.map((m) => m.parts[0]?.text)).toEqual([
      'the first words',
      'the first words',
      'the last words',
      'the last words',
    ]);
  });

  it('with restore = "last", a hello without an id goes on with the last session, even from the files alone', async () => {
    const a = home();
    const snaps = path.join(a, 'snaps');
    const t1 = await start(a, { restore: 'last', snapshot_dir: snaps });
    const { session } = await talk(t1, 'remember the lighthouse');
    await t1.close();
    servers.splice(0);

    // A fresh PARLEY_HOME: an empty database, only the snapshot folder carried over.
    const b = home();
    const t2 = await start(b, { restore: 'last', snapshot_dir: snaps });
    expect(t2.server.notices.join('\n')).toContain(`session ${session} restored`);
    const ws = await WsClient.open(t2.wsUrl);
    const ready = await ws.request({ type: 'hello' }, (e) => e.type === 'ready');
    expect(ready.session).toBe(session);
    expect(ready.resumed).toBe(true);
    expect((ready.history as { text: string }[]).map((m) => m.text)).toEqual([
      'remember the lighthouse',
      'remember the lighthouse',
    ]);
    // A second hello without an id on the same connection is the UI's New chat: a new session.
    const fresh = await ws.request({ type: 'hello' }, (e) => e.type === 'ready');
    expect(fresh.resumed).toBe(false);
    expect(fresh.session).not.toBe(session);
    ws.close();
  });

  it('with the default restore = "new", a hello without an id starts afresh', async () => {
    const h = home();
    const t1 = await start(h, {});
    const { session } = await talk(t1, 'something said');
    await t1.close();
    servers.splice(0);
    const t2 = await start(h, {});
    const again = await talk(t2, 'something else');
    expect(again.resumed).toBe(false);
    expect(again.session).not.toBe(session);
  });

  it('starts despite a broken snapshot, says which file and why, and leaves it alone', async () => {
    const h = home();
    const snaps = path.join(h, 'snaps');
    const t1 = await start(h, { snapshot_dir: snaps });
    await talk(t1, 'kept safe');
    await t1.close();
    servers.splice(0);
    const broken = path.join(snaps, 'zzzz.json');
    writeFileSync(broken, '{"format":"parley.session", "version": 1, "session": {"id": 7}}');
    const fresh = home();
    const t2 = await start(fresh, { restore: 'last', snapshot_dir: snaps });
    expect(t2.server.notices.some((n) => n.includes(broken))).toBe(true);
    expect(t2.server.notices.some((n) => /restored/.test(n))).toBe(true);
    expect(readFileSync(broken, 'utf8')).toContain('"id": 7');
    expect(readdirSync(snaps)).toHaveLength(2);
  });

  it('reports a snapshot it cannot write, and the session goes on', async () => {
    const h = home();
    // The snapshot folder is a file: every write fails.
    const blocker = path.join(h, 'not-a-folder');
    writeFileSync(blocker, 'x');
    const warnings: string[] = [];
    const t = await start(h, { snapshot_dir: blocker, snapshot_interval_ms: 100 }, warnings);
    const { session } = await talk(t, 'still works');
    await eventually(() => (warnings.length > 0 ? true : undefined), 'the failed write is reported');
    expect(warnings[0]).toContain(`session ${session}: snapshot not written`);
    const again = await talk(t, 'and again', session);
    expect(again.resumed).toBe(true);
  });
});
