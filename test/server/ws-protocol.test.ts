import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encodeBinary } from '../../packages/server/src/index.js';
import { eventually, metricValue, startTestServer, STORIES_ID, WsClient, type Envelope } from './helpers.js';

// The WebSocket protocol (docs/PROTOCOL.md) against a real server on the real local engine.
let t: Awaited<ReturnType<typeof startTestServer>>;
beforeAll(async () => {
  t = await startTestServer({ sequences: 2 });
});
afterAll(() => t.close());

const isTerminal = (e: Envelope) => ['done', 'error', 'interrupted'].includes(e.type);

async function connect(): Promise<{ c: WsClient; ready: Envelope }> {
  const c = await WsClient.open(t.wsUrl);
  const ready = await c.request({ type: 'hello' });
  return { c, ready };
}

/** Make the session's turns long (settings) and start one; resolves after its first token. */
async function startLongTurn(c: WsClient, id: string): Promise<void> {
  await c.request({ type: 'control', action: 'settings', settings: { max_tokens: 5000 } });
  const from = c.received.length;
  c.send({ type: 'text', id, text: 'Once upon a time' });
  await c.next((e) => e.turn === id && e.type === 'text-delta', from);
}

describe('handshake', () => {
  it('hello gets ready: session id, models, modes, history, limits', async () => {
    const { c, ready } = await connect();
    expect(ready).toMatchObject({
      type: 'ready',
      protocol: 1,
      resumed: false,
      model: STORIES_ID,
      modes: ['text', 'voice', 'broadcast', 'visual', 'monitor', 'router', 'deep-dive'],
      mode: 'text',
      history: [],
      limits: { max_text_frame: 1024 * 1024, max_binary_frame: 8 * 1024 * 1024 },
    });
    expect(ready.session).toMatch(/^[0-9a-f-]{36}$/);
    expect(ready.models).toEqual(expect.arrayContaining([STORIES_ID, 'canned', 'canned:echo']));
    c.close();
  });

  it('answers ping before hello, and asks for hello before anything else', async () => {
    const c = await WsClient.open(t.wsUrl);
    expect(await c.request({ type: 'ping', id: 7 })).toEqual({ type: 'pong', id: 7 });
    expect(await c.request({ type: 'ping' })).toEqual({ type: 'pong' });
    for (const frame of [
      { type: 'text', text: 'hi' },
      { type: 'control', action: 'interrupt' },
      encodeBinary('audio_chunk', 1, new Uint8Array(4)),
    ]) {
      const e = await c.request(frame);
      expect(e.type).toBe('error');
      expect(e.error?.code).toBe('hello_required');
    }
    c.close();
  });
});

describe('a text turn', () => {
  it('streams the core events as envelopes tagged with the turn id, ending with done', async () => {
    const { c } = await connect();
    await c.request({ type: 'control', action: 'settings', settings: { max_tokens: 20 } });
    const turn = await c.request({ type: 'text', id: 'turn-1', text: 'Once upon a time' });
    expect(turn).toEqual({ type: 'turn', turn: 'turn-1', model: STORIES_ID });
    const events = await c.turn('turn-1');
    const deltas = events.filter((e) => e.type === 'text-delta');
    expect(deltas.length).toBeGreaterThan(3);
    expect(deltas.every((e) => typeof e.text === 'string')).toBe(true);
    const done = events.at(-1)!;
    expect(done.type).toBe('done');
    expect(done).toMatchObject({ model: STORIES_ID, finishReason: 'length', usage: { outputTokens: 20 } });
    expect(events.some((e) => e.type === 'usage')).toBe(true);
    c.close();
  });

  it('gives a turn id when the client sends none, and runs a chosen model', async () => {
    const { c } = await connect();
    const turn = await c.request({ type: 'text', text: 'look', model: 'canned:echo' });
    expect(turn).toMatchObject({ type: 'turn', model: 'canned:echo' });
    const events = await c.turn(turn.turn as string);
    expect(
      events
        .filter((e) => e.type === 'text-delta')
        .map((e) => e.text)
        .join(''),
    ).toBe('look');
    c.close();
  });

  it('takes image attachments (base64) to the model', async () => {
    const { c } = await connect();
    const data = Buffer.from([1, 2, 3, 4, 5]).toString('base64');
    const turn = await c.request({
      type: 'text',
      text: 'see',
      model: 'canned:echo',
      images: [{ mediaType: 'image/png', data }],
    });
    const events = await c.turn(turn.turn as string);
    expect(
      events
        .filter((e) => e.type === 'text-delta')
        .map((e) => e.text)
        .join(''),
    ).toBe('see [image image/png 5 bytes] ');
    c.close();
  });

  it('fails a turn for an unknown model with an error naming the model', async () => {
    const { c } = await connect();
    const e = await c.request({ type: 'text', id: 'x1', text: 'hi', model: '/etc/passwd' });
    expect(e).toMatchObject({ type: 'error', turn: 'x1', error: { code: 'bad_request' } });
    expect(e.error?.message).toMatch(/not offered/);
    c.close();
  });

  it('rejects a second text while one runs with busy; the first goes on', async () => {
    const { c } = await connect();
    await startLongTurn(c, 'long');
    const busy = await c.request({ type: 'text', id: 'second', text: 'hi' }, (e) => e.turn === 'second');
    expect(busy).toMatchObject({ type: 'error', turn: 'second', error: { code: 'busy', retryable: true } });
    await c.request({ type: 'control', action: 'interrupt' }, (e) => e.turn === 'long' && isTerminal(e));
    c.close();
  });
});

describe('interrupt', () => {
  it('cancels the running turn and emits interrupted within 50 ms', async () => {
    const { c } = await connect();
    await startLongTurn(c, 'i1');
    const from = c.received.length;
    const t0 = performance.now();
    c.send({ type: 'control', action: 'interrupt' });
    const end = await c.next((e) => e.turn === 'i1' && isTerminal(e), from);
    const elapsed = performance.now() - t0;
    expect(end.type).toBe('interrupted');
    expect(end.reason).toBe('interrupted by the client');
    expect(String(end.partialText).length).toBeGreaterThan(0);
    expect(elapsed).toBeLessThan(50); // the protocol's promise (docs/PROTOCOL.md)
    const ack = c.received.slice(from).find((e) => e.type === 'ack');
    expect(ack).toEqual({ type: 'ack', action: 'interrupt', running: true, turn: 'i1' });
    // The session is free again, and an interrupt with nothing running is acknowledged as such.
    expect(await c.request({ type: 'control', action: 'interrupt' })).toEqual({
      type: 'ack',
      action: 'interrupt',
      running: false,
    });
    const next = await c.request({ type: 'text', id: 'i2', text: 'The end', model: 'canned' });
    expect(next.type).toBe('turn');
    expect((await c.turn('i2')).at(-1)?.type).toBe('done');
    c.close();
  });

  it('a closed socket aborts its turn', async () => {
    const { c } = await connect();
    const metrics = async () => (await fetch(`${t.url}/metrics`)).text();
    const before = metricValue(await metrics(), 'parley_turns_total', { api: 'ws', outcome: 'interrupted' });
    await startLongTurn(c, 'gone');
    c.close();
    await eventually(async () => {
      const m = await metrics();
      const n = metricValue(m, 'parley_turns_total', { api: 'ws', outcome: 'interrupted' });
      return n === before + 1 && metricValue(m, 'parley_active_turns', { api: 'ws' }) === 0
        ? true
        : undefined;
    }, 'the turn of a closed socket was interrupted');
  });
});

describe('sessions', () => {
  it('hello {session} resumes the conversation on a new connection', async () => {
    const a = await connect();
    const id = a.ready.session as string;
    await a.c.request({
      type: 'control',
      action: 'settings',
      settings: { max_tokens: 8, system: 'Tell tales.' },
    });
    a.c.send({ type: 'text', id: 'r1', text: 'Once upon a time' });
    const first = (await a.c.turn('r1')).at(-1)!;
    a.c.close();

    const b = await WsClient.open(t.wsUrl);
    const ready = await b.request({ type: 'hello', session: id });
    expect(ready).toMatchObject({ type: 'ready', session: id, resumed: true });
    const history = ready.history as { role: string; text: string; images: number }[];
    expect(history.map((h) => h.role)).toEqual(['user', 'assistant']);
    expect(history[0]?.text).toBe('Once upon a time');
    expect(history[1]?.text.length).toBeGreaterThan(0);
    // The settings came back too, and the history is part of the next prompt.
    b.send({ type: 'text', id: 'r2', text: 'Once upon a time' });
    const second = (await b.turn('r2')).at(-1)!;
    const inputOf = (e: Envelope) => (e.usage as { inputTokens: number }).inputTokens;
    expect(inputOf(second)).toBeGreaterThan(inputOf(first));
    b.close();
  });

  it('an unknown session id starts a new session', async () => {
    const c = await WsClient.open(t.wsUrl);
    const ready = await c.request({ type: 'hello', session: 'no-such-session' });
    expect(ready).toMatchObject({ type: 'ready', resumed: false, history: [] });
    expect(ready.session).not.toBe('no-such-session');
    c.close();
  });
});

describe('control', () => {
  it('settings: acknowledged with the effective values; null resets; unknown models refused', async () => {
    const { c } = await connect();
    const ack = await c.request({
      type: 'control',
      action: 'settings',
      settings: { model: 'canned', temperature: 0.5, max_tokens: 3 },
    });
    expect(ack).toEqual({
      type: 'ack',
      action: 'settings',
      settings: { model: 'canned', system: null, temperature: 0.5, max_tokens: 3 },
    });
    const turn = await c.request({ type: 'text', text: 'hi' });
    expect(turn.model).toBe('canned');
    const events = await c.turn(turn.turn as string);
    expect(events.filter((e) => e.type === 'text-delta')).toHaveLength(3);
    const reset = await c.request({ type: 'control', action: 'settings', settings: { model: null } });
    expect((reset.settings as { model: string }).model).toBe(STORIES_ID);
    const bad = await c.request({ type: 'control', action: 'settings', settings: { model: 'x:y' } });
    expect(bad.error?.code).toBe('bad_request');
    const unknownKey = await c.request({ type: 'control', action: 'settings', settings: { colour: 'red' } });
    expect(unknownKey.error?.code).toBe('bad_request');
    c.close();
  });

  it('switch_mode: a mode is acknowledged with its pipeline; an unknown mode is unsupported', async () => {
    const { c } = await connect();
    const answer = (e: Envelope): boolean => e.type === 'ack' || e.type === 'error';
    expect(await c.request({ type: 'control', action: 'switch_mode', mode: 'visual' }, answer)).toEqual({
      type: 'ack',
      action: 'switch_mode',
      mode: 'visual',
      inputs: ['message/text', 'payload/image'],
      trigger: { kind: 'request_response' },
      outputs: ['text_token'],
    });
    const dance = await c.request({ type: 'control', action: 'switch_mode', mode: 'dance' });
    expect(dance.error?.code).toBe('unsupported');
    expect(dance.error?.message).toMatch(/"dance" is not available: use text, voice, broadcast/);
    c.close();
  });

  it('start_pipeline and confirm_action are unsupported in this version; binary frames need a pipeline', async () => {
    const { c } = await connect();
    expect(
      (await c.request({ type: 'control', action: 'start_pipeline', pipeline: 'voice' })).error?.code,
    ).toBe('unsupported');
    expect(
      (await c.request({ type: 'control', action: 'confirm_action', id: 'a1', approve: true })).error?.code,
    ).toBe('unsupported');
    const audio = await c.request(encodeBinary('audio_chunk', 3, new Uint8Array(320)));
    expect(audio.error?.code).toBe('no_pipeline');
    expect(audio.error?.message).toMatch(/audio_chunk #3/);
    const video = await c.request(encodeBinary('video_frame', 4, new Uint8Array(10)));
    expect(video.error?.code).toBe('no_pipeline');
    c.close();
  });
});
