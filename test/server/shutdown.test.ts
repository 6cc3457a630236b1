import { describe, expect, it } from 'vitest';
import { startTestServer, STORIES_ID, WsClient } from './helpers.js';

// A graceful shutdown: every running stream, HTTP or WebSocket, ends with `interrupted`,
// the partial answer stays in the session, and sockets close with 1001.
describe('server.close()', () => {
  it('interrupts running turns on both APIs, then closes the sockets with 1001', async () => {
    const t = await startTestServer({ sequences: 2 });
    const ws = await WsClient.open(t.wsUrl);
    const ready = await ws.request({ type: 'hello' });
    await ws.request({ type: 'control', action: 'settings', settings: { max_tokens: 100_000 } });
    ws.send({ type: 'text', id: 'long', text: 'Once upon a time' });
    await ws.next((e) => e.turn === 'long' && e.type === 'text-delta');

    const sse = await fetch(`${t.url}/v1/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        model: STORIES_ID,
        messages: [{ role: 'user', content: 'The dog' }],
        max_tokens: 100_000,
        stream: true,
      }),
    });
    const reader = sse.body!.getReader();
    const first = await reader.read();
    expect(first.done).toBe(false);

    const closing = t.server.close('maintenance');
    // While it drains, new requests are refused in OpenAI's shape.
    const refused = await t.server.app.inject({ url: '/healthz' });
    expect(refused.statusCode).toBe(503);
    expect(refused.json()).toMatchObject({ error: { code: 'shutting_down', type: 'server_error' } });
    let rest = '';
    for (;;) {
      const r = await reader.read();
      if (r.done) break;
      rest += Buffer.from(r.value).toString('utf8');
    }
    await closing;

    const end = ws.received.find(
      (e) => e.turn === 'long' && ['done', 'interrupted', 'error'].includes(e.type),
    );
    expect(end).toMatchObject({ type: 'interrupted', reason: 'maintenance' });
    expect((await ws.whenClosed()).code).toBe(1001);
    expect(rest).toMatch(/"code":"interrupted"/);
    expect(rest).toMatch(/interrupted: maintenance/);
    expect(rest).not.toContain('[DONE]');

    // Nothing is lost: the partial answer is in the session's history.
    const session = await t.server.sessions.get(ready.session as string);
    expect(session?.messages.map((m) => m.role)).toEqual(['user', 'assistant']);
    await t.close(); // a second close is harmless
  });
});
