/**
 * Saved conversations through the server: every HTTP and WebSocket turn lands in the real
 * SQLite store of a temp PARLEY_HOME, `/api/conversations` lists, searches, shows and
 * deletes them (hostile input included), and a `hello` after a restart on the same
 * PARLEY_HOME resumes a session from the store. Replies come from the local engine
 * (stories260K) or, where the test checks exact text, from `canned:echo`.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tempHome } from '../helpers/cli.js';
import { eventually, startTestServer, STORIES_ID, WsClient, type TestServer } from './helpers.js';

type Message = {
  role: string;
  status: string;
  parts: { type: string; text?: string }[];
  model: string | null;
};
type Conversation = {
  id: string;
  title: string | null;
  system: string | null;
  metadata: Record<string, unknown>;
  messageCount?: number;
  messages?: Message[];
  match?: { snippet: string };
};
type ErrorBody = { error: { message: string; type: string; param: string | null; code: string | null } };

let t: TestServer;
beforeAll(async () => {
  t = await startTestServer({ sequences: 1 });
});
afterAll(() => t?.close());

function complete(base: string, body: Record<string, unknown>): Promise<Response> {
  return fetch(`${base}/v1/chat/completions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
}

async function api<T>(
  path: string,
  init: RequestInit = {},
  base = t.url,
): Promise<{ status: number; body: T }> {
  const r = await fetch(`${base}${path}`, init);
  return { status: r.status, body: (await r.json()) as T };
}

const text = (m: Message | undefined): string => (m?.parts ?? []).map((p) => p.text ?? '').join('');

async function findByTitle(title: string, base = t.url): Promise<Conversation> {
  const { body } = await api<{ data: Conversation[] }>('/api/conversations?limit=200', {}, base);
  const c = body.data.find((x) => x.title === title);
  if (!c) throw new Error(`no conversation titled ${title}`);
  return (await api<Conversation>(`/api/conversations/${c.id}`, {}, base)).body;
}

describe('HTTP turns are saved', () => {
  it('a non-streaming request: its history, the prompt and the complete reply', async () => {
    const r = await complete(t.url, {
      model: STORIES_ID,
      max_tokens: 12,
      messages: [
        { role: 'system', content: 'You tell stories.' },
        { role: 'user', content: 'Tell me about a cat' },
        { role: 'assistant', content: 'The cat sat.' },
        { role: 'user', content: 'Once upon a time' },
      ],
    });
    expect(r.status).toBe(200);
    const answer = ((await r.json()) as { choices: { message: { content: string } }[] }).choices[0]?.message
      .content;
    const c = await findByTitle('Tell me about a cat');
    expect(c.metadata).toEqual({ source: 'api' });
    expect(c.system).toBe('You tell stories.');
    expect(c.messages?.map((m) => [m.role, m.status])).toEqual([
      ['user', 'complete'],
      ['assistant', 'complete'],
      ['user', 'complete'],
      ['assistant', 'complete'],
    ]);
    expect(text(c.messages?.[1])).toBe('The cat sat.');
    expect(text(c.messages?.[2])).toBe('Once upon a time');
    expect(text(c.messages?.[3])).toBe(answer);
    expect(c.messages?.[3]?.model).toMatch(/stories260K/);
  });

  it('a streaming request is saved complete once [DONE] is out', async () => {
    const r = await complete(t.url, {
      model: 'canned:echo',
      stream: true,
      messages: [{ role: 'user', content: 'streamed about owls' }],
    });
    expect(await r.text()).toContain('[DONE]');
    const c = await findByTitle('streamed about owls');
    expect(c.messages?.map((m) => [m.role, m.status])).toEqual([
      ['user', 'complete'],
      ['assistant', 'complete'],
    ]);
    expect(text(c.messages?.[1])).toContain('streamed about owls');
  });

  it('store.log = false saves nothing', async () => {
    const off = await startTestServer({ sequences: 1, config: { store: { log: false } } });
    try {
      const r = await complete(off.url, {
        model: 'canned:echo',
        messages: [{ role: 'user', content: 'nope' }],
      });
      expect(r.status).toBe(200);
      const list = await api<{ data: unknown[] }>('/api/conversations', {}, off.url);
      expect(list).toEqual({ status: 200, body: { object: 'list', data: [] } });
    } finally {
      await off.close();
    }
  });
});

describe('/api/conversations', () => {
  it('lists newest first with a limit, searches with q, shows and deletes one', async () => {
    for (const p of ['zebra crossing one', 'zebra crossing two']) {
      expect(
        (await complete(t.url, { model: 'canned:echo', messages: [{ role: 'user', content: p }] })).status,
      ).toBe(200);
    }
    const list = await api<{ object: string; data: Conversation[] }>('/api/conversations?limit=2');
    expect(list.status).toBe(200);
    expect(list.body.data.map((c) => c.title)).toEqual(['zebra crossing two', 'zebra crossing one']);
    expect(list.body.data[0]?.messageCount).toBe(2);

    const found = await api<{ data: Conversation[] }>(
      `/api/conversations?q=${encodeURIComponent('ZEBRA two')}`,
    );
    expect(found.status).toBe(200);
    expect(found.body.data.map((c) => c.title)).toEqual(['zebra crossing two']);
    expect(found.body.data[0]?.match?.snippet).toContain('[zebra]');

    const id = list.body.data[0]?.id as string;
    const del = await api<Record<string, unknown>>(`/api/conversations/${id}`, { method: 'DELETE' });
    expect(del).toEqual({ status: 200, body: { id, object: 'conversation.deleted', deleted: true } });
    expect((await api<ErrorBody>(`/api/conversations/${id}`)).status).toBe(404);
    const again = await api<ErrorBody>(`/api/conversations/${id}`, { method: 'DELETE' });
    expect(again.status).toBe(404);
    expect(again.body.error).toMatchObject({
      type: 'not_found_error',
      code: 'conversation_not_found',
      param: 'id',
    });
  });

  it('answers hostile input with 400 or 404 in OpenAI’s error shape, and the store stays intact', async () => {
    const before = await api<{ data: Conversation[] }>('/api/conversations?limit=200');
    const bad: [string, number, string][] = [
      ['/api/conversations/' + encodeURIComponent("x' OR 1=1; DROP TABLE conversations; --"), 400, 'id'],
      ['/api/conversations/' + encodeURIComponent('../../etc/passwd'), 400, 'id'],
      ['/api/conversations/' + 'A'.repeat(65), 400, 'id'],
      ['/api/conversations/' + encodeURIComponent('café\u0000'), 400, 'id'],
      ['/api/conversations/01ZZZZZZZZZZZZZZZZZZZZZZZZ', 404, 'id'],
      ['/api/conversations?limit=0', 400, 'limit'],
      ['/api/conversations?limit=-1', 400, 'limit'],
      ['/api/conversations?limit=1e3', 400, 'limit'],
      ['/api/conversations?limit=201', 400, 'limit'],
      ['/api/conversations?limit=abc', 400, 'limit'],
      ['/api/conversations?limit=1&limit=2', 400, 'limit'],
      ['/api/conversations?offset=-5', 400, 'offset'],
      ['/api/conversations?q=', 400, 'q'],
      ['/api/conversations?q=%20%20', 400, 'q'],
      ['/api/conversations?q=' + 'a'.repeat(1001), 400, 'q'],
      ['/api/conversations?q=a&q=b', 400, 'q'],
    ];
    for (const [path, status, param] of bad) {
      const r = await api<ErrorBody>(path);
      expect([path, r.status]).toEqual([path, status]);
      expect(r.body.error.param).toBe(param);
      expect(typeof r.body.error.message).toBe('string');
      expect(r.body.error.type).toBe(status === 404 ? 'not_found_error' : 'invalid_request_error');
    }
    // Search text is just text: FTS syntax and SQL find nothing and break nothing.
    for (const q of ['"unbalanced', 'NOT OR AND', '*', "'); DELETE FROM messages; --", 'a:b ^ (x', '🦓']) {
      const r = await api<{ data: unknown[] }>(`/api/conversations?q=${encodeURIComponent(q)}`);
      expect([q, r.status]).toEqual([q, 200]);
      expect(Array.isArray(r.body.data)).toBe(true);
    }
    const del = await api<ErrorBody>('/api/conversations/' + encodeURIComponent('*'), { method: 'DELETE' });
    expect(del.status).toBe(400);
    const after = await api<{ data: Conversation[] }>('/api/conversations?limit=200');
    expect(after.body.data.map((c) => c.id)).toEqual(before.body.data.map((c) => c.id));
  });

  it('needs the token like every other route', async () => {
    const locked = await startTestServer({ sequences: 1, token: 'secret-token-123' });
    try {
      expect((await fetch(`${locked.url}/api/conversations`)).status).toBe(401);
      expect((await fetch(`${locked.url}/api/conversations/01ABC`, { method: 'DELETE' })).status).toBe(401);
      const ok = await fetch(`${locked.url}/api/conversations`, {
        headers: { authorization: 'Bearer secret-token-123' },
      });
      expect(ok.status).toBe(200);
    } finally {
      await locked.close();
    }
  });
});

describe('WebSocket turns and resume', () => {
  it('an interrupted turn is saved partial, with the text that arrived', async () => {
    const ws = await WsClient.open(t.wsUrl);
    await ws.request({ type: 'hello' }, (e) => e.type === 'ready');
    await ws.request({ type: 'control', action: 'settings', settings: { max_tokens: 4000 } });
    ws.send({ type: 'text', id: 'p1', text: 'Once upon a time there was a partial story' });
    await ws.next((e) => e.turn === 'p1' && e.type === 'text-delta');
    ws.send({ type: 'control', action: 'interrupt', turn: 'p1' });
    const events = await ws.turn('p1');
    expect(events.at(-1)?.type).toBe('interrupted');
    const c = await eventually(async () => {
      const got = await findByTitle('Once upon a time there was a partial story').catch(() => undefined);
      return got?.messages?.[1]?.status === 'partial' ? got : undefined;
    }, 'the partial reply is saved');
    expect(text(c.messages?.[1]).length).toBeGreaterThan(0);
    ws.close();
  });

  it('a store that cannot be opened costs no answer: a notice says so', async () => {
    const { home, cleanup } = tempHome();
    // store.path names a folder: SQLite cannot open it.
    const broken = await startTestServer({ sequences: 1, config: { store: { path: home } } });
    try {
      const r = await complete(broken.url, {
        model: 'canned:echo',
        messages: [{ role: 'user', content: 'still answered' }],
      });
      expect(r.status).toBe(200);
      const ws = await WsClient.open(broken.wsUrl);
      await ws.request({ type: 'hello' }, (e) => e.type === 'ready');
      await ws.request({ type: 'text', id: 'n1', text: 'hello anyway', model: 'canned:echo' });
      const events = await ws.turn('n1');
      expect(events.find((e) => e.type === 'notice')?.code).toBe('history-not-saved');
      expect(events.at(-1)?.type).toBe('done');
      const list = await api<ErrorBody>('/api/conversations', {}, broken.url);
      expect(list.status).toBe(503);
      expect(list.body.error.code).toBe('store_unavailable');
      ws.close();
    } finally {
      await broken.close();
      cleanup();
    }
  });

  it('a session whose stored conversation was deleted saves its next turn in a new one', async () => {
    const ws = await WsClient.open(t.wsUrl);
    await ws.request({ type: 'hello' }, (e) => e.type === 'ready');
    await ws.request({ type: 'text', id: 'd1', text: 'soon deleted', model: 'canned:echo' });
    await ws.turn('d1');
    const first = await eventually(() => findByTitle('soon deleted').catch(() => undefined), 'saved');
    expect((await api(`/api/conversations/${first.id}`, { method: 'DELETE' })).status).toBe(200);
    await ws.request({ type: 'text', id: 'd2', text: 'after the delete', model: 'canned:echo' });
    await ws.turn('d2');
    const next = await eventually(async () => {
      const c = await findByTitle('after the delete').catch(() => undefined);
      return c?.messages?.length === 2 ? c : undefined;
    }, 'the next turn is saved in a new conversation');
    expect(next.id).not.toBe(first.id);
    ws.close();
  });

  it('saves a WebSocket turn, and a hello after a restart on the same PARLEY_HOME resumes it', async () => {
    const { home, cleanup } = tempHome();
    try {
      const a = await startTestServer({ sequences: 1, home });
      let session: string;
      try {
        const ws = await WsClient.open(a.wsUrl);
        const ready = await ws.request({ type: 'hello' }, (e) => e.type === 'ready');
        session = ready.session as string;
        await ws.request({ type: 'text', id: 'w1', text: 'remember the lighthouse', model: 'canned:echo' });
        const events = await ws.turn('w1');
        expect(events.at(-1)?.type).toBe('done');
        const c = await eventually(async () => {
          const got = await findByTitle('remember the lighthouse', a.url).catch(() => undefined);
          return got?.messages?.length === 2 ? got : undefined;
        }, 'the WebSocket turn is saved');
        expect(c.metadata).toEqual({ source: 'server' });
        expect(c.messages?.map((m) => [m.role, m.status])).toEqual([
          ['user', 'complete'],
          ['assistant', 'complete'],
        ]);
        ws.close();
      } finally {
        await a.close();
      }

      const b = await startTestServer({ sequences: 1, home });
      try {
        const ws = await WsClient.open(b.wsUrl);
        const ready = await ws.request({ type: 'hello', session }, (e) => e.type === 'ready');
        expect(ready.session).toBe(session);
        expect(ready.resumed).toBe(true);
        const history = ready.history as { role: string; text: string }[];
        expect(history.map((h) => h.role)).toEqual(['user', 'assistant']);
        expect(history[0]?.text).toBe('remember the lighthouse');

        // The next turn goes on in the same stored conversation.
        await ws.request({ type: 'text', id: 'w2', text: 'and the keeper', model: 'canned:echo' });
        expect((await ws.turn('w2')).at(-1)?.type).toBe('done');
        const c = await eventually(async () => {
          const got = await findByTitle('remember the lighthouse', b.url);
          return got.messages?.length === 4 ? got : undefined;
        }, 'the resumed turn joins the conversation');
        expect(text(c.messages?.[2])).toBe('and the keeper');

        // A stored conversation's id opens it too (the browser UI's list does that).
        const other = await WsClient.open(b.wsUrl);
        const byId = await other.request({ type: 'hello', session: c.id }, (e) => e.type === 'ready');
        expect(byId.resumed).toBe(true);
        expect((byId.history as unknown[]).length).toBe(4);

        // An unknown or hostile id starts a new session instead.
        for (const id of ['01ZZZZZZZZZZZZZZZZZZZZZZZZ', "x' OR 1=1 --", 'A'.repeat(128)]) {
          const r = await other.request(
            { type: 'hello', session: id },
            (e) => e.type === 'ready' || e.type === 'error',
          );
          if (r.type === 'ready') {
            expect(r.resumed).toBe(false);
            expect(r.history).toEqual([]);
          } else {
            expect(r.error?.code).toBe('bad_request');
          }
        }
        ws.close();
        other.close();
      } finally {
        await b.close();
      }
    } finally {
      cleanup();
    }
  });
});
