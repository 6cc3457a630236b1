/**
 * Two `parley serve` processes on one PostgreSQL database, as behind a load balancer: a
 * conversation started through A over the WebSocket goes on through B with the same history;
 * an answer cached by A is a hit on B; the request stats are the sum of both; and killing an
 * instance in the middle of a stream loses nothing that was committed.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PostgresConversationStore } from '../../packages/core/src/store/postgres/postgres-conversation-store.js';
import { cleanEnv, PARLEY_BIN, tempHome } from '../helpers/cli.js';
import { STORIES } from '../helpers/models.js';
import { POSTGRES_SKIP_REASON, startPostgres, type PgCluster } from '../helpers/postgres.js';
import { eventually, WsClient, type Envelope } from './helpers.js';

if (POSTGRES_SKIP_REASON) console.warn(`skipping the two-instance tests: ${POSTGRES_SKIP_REASON}`);

interface Instance {
  child: ChildProcess;
  url: string;
  wsUrl: string;
  stderr: () => string;
  exit: Promise<number | null>;
}

async function serve(storeUrl: string, home: string): Promise<Instance> {
  const child = spawn(
    process.execPath,
    [PARLEY_BIN, 'serve', '--port', '0', '-m', STORIES, '--threads', '1', '--temperature', '0'],
    {
      env: cleanEnv({ PARLEY_HOME: home, PARLEY_GPU: 'false', PARLEY_STORE_URL: storeUrl }),
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let stderr = '';
  const exit = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  const url = await new Promise<string>((resolve, reject) => {
    child.stderr!.setEncoding('utf8').on('data', (d: string) => {
      stderr += d;
      const m = /listening on (http:\/\/\S+)/.exec(stderr);
      if (m?.[1]) resolve(m[1]);
    });
    void exit.then((code) => reject(new Error(`parley serve exited with ${code}: ${stderr}`)));
  });
  return { child, url, wsUrl: `${url.replace(/^http/, 'ws')}/ws`, stderr: () => stderr, exit };
}

/**
 * The store has committed a session's last turn: its row names the conversation, and the
 * conversation ends with a finished reply. (An instance writes them just after it sends the
 * turn's terminal event, so a client that moves to another instance resumes from here.)
 */
async function committed(store: PostgresConversationStore, session: string, messages: number): Promise<void> {
  await eventually(async () => {
    const id = (await store.sessions.get(session))?.conversationId;
    if (!id) return undefined;
    const list = await store.messages.list(id);
    return list.length === messages && list.at(-1)?.status === 'complete' ? true : undefined;
  }, `session ${session} committed with ${messages} messages`);
}

const text = (e: Envelope[]): string =>
  e
    .filter((x) => x.type === 'text-delta')
    .map((x) => x.text as string)
    .join('');

describe.skipIf(POSTGRES_SKIP_REASON !== undefined)('two parley serve instances on one database', () => {
  let cluster: PgCluster;
  let storeUrl: string;
  let store: PostgresConversationStore;
  let a: Instance;
  let b: Instance;
  const homes: { cleanup: () => void }[] = [];

  beforeAll(async () => {
    cluster = await startPostgres();
    storeUrl = await cluster.createDatabase();
    store = await PostgresConversationStore.open({ url: storeUrl, migrate: true });
    const ha = tempHome();
    const hb = tempHome();
    homes.push(ha, hb);
    [a, b] = await Promise.all([serve(storeUrl, ha.home), serve(storeUrl, hb.home)]);
  }, 180_000);

  afterAll(async () => {
    for (const i of [a, b])
      if (i && i.child.exitCode === null && i.child.signalCode === null) i.child.kill('SIGTERM');
    await Promise.all([a?.exit, b?.exit]);
    await store?.close();
    await cluster?.stop();
    for (const h of homes) h.cleanup();
  });

  it('a session started on A goes on through B, with the same history, cache hits and stats', async () => {
    const onA = await WsClient.open(a.wsUrl);
    const ready = await onA.request({ type: 'hello' }, (e) => e.type === 'ready');
    const session = ready.session as string;
    onA.send({ type: 'text', id: 'a1', text: 'the first question', model: 'canned:echo' });
    expect(text(await onA.turn('a1'))).toBe('the first question');
    onA.close();
    await committed(store, session, 2);

    const onB = await WsClient.open(b.wsUrl);
    const resumed = await onB.request({ type: 'hello', session }, (e) => e.type === 'ready');
    expect(resumed).toMatchObject({ session, resumed: true });
    expect((resumed.history as { role: string; text: string }[]).map((h) => [h.role, h.text])).toEqual([
      ['user', 'the first question'],
      ['assistant', 'the first question'],
    ]);
    onB.send({ type: 'text', id: 'b1', text: 'the second question', model: 'canned:echo' });
    expect(text(await onB.turn('b1'))).toBe('the second question');
    onB.close();
    await committed(store, session, 4);

    // A sees what B wrote, over HTTP: the list, and a search.
    const list = (await (await fetch(`${a.url}/api/conversations`)).json()) as {
      data: { id: string; messageCount: number }[];
    };
    expect(list.data.map((c) => c.messageCount)).toEqual([4]);
    const found = (await (await fetch(`${a.url}/api/conversations?q=SECOND`)).json()) as {
      data: { id: string; match: { snippet: string } }[];
    };
    expect(found.data.map((c) => [c.id, c.match.snippet])).toEqual([
      [list.data[0]?.id, 'the [second] question'],
    ]);

    // An answer A cached is served by B from the shared database (B's memory tier is empty).
    const cacheA = await WsClient.open(a.wsUrl);
    await cacheA.request({ type: 'hello' }, (e) => e.type === 'ready');
    cacheA.send({ type: 'text', id: 'c1', text: 'cache me please', model: 'canned:echo' });
    const first = await cacheA.turn('c1');
    expect(first.find((e) => e.type === 'done')?.cached).toBeFalsy();
    cacheA.close();
    const cacheB = await WsClient.open(b.wsUrl);
    await cacheB.request({ type: 'hello' }, (e) => e.type === 'ready');
    cacheB.send({ type: 'text', id: 'c2', text: 'cache me please', model: 'canned:echo' });
    const second = await cacheB.turn('c2');
    expect(text(second)).toBe('cache me please');
    expect(second.find((e) => e.type === 'done')?.cached).toBe(true);
    cacheB.close();

    // The stats are the two instances' requests together.
    // (Each instance records a request just after its turn ends.)
    const echo = await eventually(async () => {
      const stats = await store.requests.stats();
      const s = stats.find((x) => x.model === 'canned:echo');
      return s?.requests === 4 ? s : undefined;
    }, 'four requests recorded');
    expect(echo).toMatchObject({ requests: 4, cached: 1, errors: 0, partial: 0 });
  });

  it('killing an instance mid-stream loses nothing committed; the other goes on', async () => {
    const onA = await WsClient.open(a.wsUrl);
    const ready = await onA.request({ type: 'hello' }, (e) => e.type === 'ready');
    const session = ready.session as string;
    onA.send({ type: 'text', id: 'k1', text: 'before the crash', model: 'canned:echo' });
    expect(text(await onA.turn('k1'))).toBe('before the crash');
    await committed(store, session, 2);
    // A real, long generation; A dies while it streams.
    onA.send({ type: 'text', id: 'k2', text: 'Once upon a time' });
    await onA.next((e) => e.turn === 'k2' && e.type === 'text-delta');
    a.child.kill('SIGKILL');
    await a.exit;
    await onA.whenClosed();

    const onB = await WsClient.open(b.wsUrl);
    const resumed = await onB.request({ type: 'hello', session }, (e) => e.type === 'ready');
    expect(resumed.resumed).toBe(true);
    const history = (resumed.history as { role: string; text: string }[]).map((h) => [h.role, h.text]);
    expect(history.slice(0, 3)).toEqual([
      ['user', 'before the crash'],
      ['assistant', 'before the crash'],
      ['user', 'Once upon a time'],
    ]);
    onB.send({ type: 'text', id: 'k3', text: 'after the crash', model: 'canned:echo' });
    expect(text(await onB.turn('k3'))).toBe('after the crash');
    onB.close();

    const conversation = await eventually(async () => {
      const id = (await store.sessions.get(session))?.conversationId;
      const list = id ? await store.messages.list(id) : [];
      return id && list.at(-1)?.status === 'complete' && list.at(-2)?.role === 'user' && list.length >= 5
        ? id
        : undefined;
    }, 'the turn on B committed');
    const messages = await store.messages.list(conversation);
    expect(messages.map((m) => m.seq)).toEqual(messages.map((_, i) => i));
    expect(messages.slice(0, 3).map((m) => [m.role, m.status])).toEqual([
      ['user', 'complete'],
      ['assistant', 'complete'],
      ['user', 'complete'],
    ]);
    // The reply A was streaming is kept as far as it was saved (partial) if it was, then B's turn.
    expect(
      messages
        .slice(3)
        .filter((m) => m.status !== 'partial')
        .map((m) => [m.role, m.status]),
    ).toEqual([
      ['user', 'complete'],
      ['assistant', 'complete'],
    ]);
    expect(messages.at(-1)?.parts).toEqual([{ type: 'text', text: 'after the crash' }]);
  });
});
