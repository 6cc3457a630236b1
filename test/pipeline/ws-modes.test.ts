import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encodeBinary } from '../../packages/server/src/index.js';
import { STORIES, TINY_RANDOM } from '../helpers/models.js';
import { startTestServer, WsClient, type Envelope, type TestServer } from '../server/helpers.js';

// Modes on /ws without speech: hostile frames for the new inputs, switch_mode in the middle
// of a turn, and residency as text and deep dive swap their models.
let t: TestServer;
beforeAll(async () => {
  t = await startTestServer({
    config: {
      pipelines: { reasoning_model: TINY_RANDOM },
      // Both models are small; these estimates make the budget hold one of them at a time.
      residency: { budget_mb: 1000, models: { [STORIES]: 600, [TINY_RANDOM]: 960 } },
    },
  });
});
afterAll(() => t.close());

async function connect(): Promise<WsClient> {
  const c = await WsClient.open(t.wsUrl);
  await c.request({ type: 'hello' });
  return c;
}
const answer = (e: Envelope): boolean => e.type === 'ack' || e.type === 'error';

describe('hostile input to the pipeline frames', () => {
  it('audio or video in text mode, text in monitor mode, an unknown mode: each a clear error, the connection lives', async () => {
    const c = await connect();
    const audio = await c.request(encodeBinary('audio_chunk', 7, new Uint8Array(320)));
    expect(audio.error).toMatchObject({
      code: 'no_pipeline',
      message: expect.stringMatching(/mode text takes no audio_chunk #7: switch_mode to voice or broadcast/),
    });
    const video = await c.request(encodeBinary('video_frame', 8, new Uint8Array([0xff, 0xd8])));
    expect(video.error?.message).toMatch(/takes no video_frame #8: switch_mode to monitor/);
    for (const mode of ['dance', 'VOICE', 'x'.repeat(64), '../text']) {
      const e = await c.request({ type: 'control', action: 'switch_mode', mode });
      expect(e.error?.code).toBe('unsupported');
      expect(e.error?.message).toMatch(
        /is not available: use text, voice, broadcast, visual, monitor, router, deep-dive/,
      );
    }
    expect((await c.request({ type: 'control', action: 'switch_mode', mode: 42 })).error?.code).toBe(
      'bad_request',
    );
    expect((await c.request({ type: 'control', action: 'switch_mode', mode: 'monitor' }, answer)).type).toBe(
      'ack',
    );
    const text = await c.request({ type: 'text', text: 'hello?' });
    expect(text.error).toMatchObject({
      code: 'unsupported',
      message: expect.stringMatching(/mode monitor takes no text/),
    });
    expect(await c.request({ type: 'ping', id: 'alive' })).toEqual({ type: 'pong', id: 'alive' });
    c.close();
  });

  it('binary frames before hello are refused with hello_required', async () => {
    const c = await WsClient.open(t.wsUrl);
    expect((await c.request(encodeBinary('audio_chunk', 1, new Uint8Array(4)))).error?.code).toBe(
      'hello_required',
    );
    c.close();
  });
});

describe('switch_mode', () => {
  it('in the middle of a turn interrupts it, keeps the history and settings, and starts the new mode', async () => {
    const c = await connect();
    await c.request({
      type: 'control',
      action: 'settings',
      settings: { system: 'Tell a story.', max_tokens: 400 },
    });
    await c.request({ type: 'text', id: 'a1', text: 'Once upon a time' });
    await c.next((e) => e.turn === 'a1' && e.type === 'text-delta');
    const from = c.received.length;
    c.send({ type: 'control', action: 'switch_mode', mode: 'router' });
    const end = await c.next((e) => e.turn === 'a1' && ['done', 'interrupted'].includes(e.type), from);
    const ack = await c.next((e) => e.type === 'ack' && e.action === 'switch_mode', from);
    expect(ack).toMatchObject({ mode: 'router', trigger: { kind: 'request_response' } });
    expect(end.type).toBe('interrupted');
    expect(end.reason).toBe('the mode changed');
    // In router mode each turn is routed first; the session's history and settings are kept.
    await c.request({ type: 'text', id: 'a2', text: 'and then?' });
    const turn = await c.turn('a2');
    expect(turn.map((e) => e.type).slice(0, 2)).toEqual(['turn', 'route']);
    expect(turn.at(-1)?.type).toBe('done');
    const session = String(c.received.find((e) => e.type === 'ready')?.session);
    const again = await WsClient.open(t.wsUrl);
    const ready = await again.request({ type: 'hello', session });
    expect(ready).toMatchObject({ mode: 'router', resumed: true });
    const history = ready.history as { role: string; text: string }[];
    expect(history.map((m) => m.role)).toEqual(['user', 'assistant', 'user', 'assistant']);
    expect(history[0]?.text).toBe('Once upon a time');
    expect(history[1]?.text).toBe(end.partialText);
    const settings = await again.request({ type: 'control', action: 'settings', settings: {} });
    expect(settings.settings).toMatchObject({ system: 'Tell a story.', max_tokens: 400 });
    again.close();
    c.close();
  });
});

describe('a session resumed on a second connection', () => {
  it('takes its pipeline along: the first connection gets no_pipeline, and its close leaves the pipeline running', async () => {
    const a = await WsClient.open(t.wsUrl);
    const ready = await a.request({ type: 'hello' });
    const session = ready.session as string;
    expect((await a.request({ type: 'control', action: 'switch_mode', mode: 'monitor' }, answer)).type).toBe(
      'ack',
    );
    const video = (seq: number): Buffer => encodeBinary('video_frame', seq, new Uint8Array([0xff, 0xd8]));
    expect(await a.request(video(1), answer)).toMatchObject({ type: 'ack', action: 'video_frame', seq: 1 });

    const b = await WsClient.open(t.wsUrl);
    expect(await b.request({ type: 'hello', session })).toMatchObject({
      type: 'ready',
      session,
      resumed: true,
      mode: 'monitor',
    });
    // The first connection's frames no longer reach the session's pipeline.
    const stale = await a.request(video(2), answer);
    expect(stale.error).toMatchObject({
      code: 'no_pipeline',
      message: expect.stringMatching(/another connection resumed session/),
    });
    expect(await b.request(video(3), answer)).toMatchObject({ type: 'ack', action: 'video_frame', seq: 3 });

    // Closing the first connection does not tear down the pipeline the second one runs.
    a.close();
    await a.whenClosed();
    await new Promise((r) => setTimeout(r, 50));
    expect(await b.request(video(4), answer)).toMatchObject({ type: 'ack', action: 'video_frame', seq: 4 });
    expect(
      b.received.filter((e) => e.type === 'ack' && e.action === 'video_frame').map((e) => e.seq),
    ).toEqual([3, 4]);
    b.close();
  });
});

describe('residency on the wire', () => {
  it('deep dive loads the reasoning model in place of the chat model, and back', async () => {
    const c = await connect();
    await c.request({ type: 'control', action: 'settings', settings: { max_tokens: 16 } });
    await c.request({ type: 'control', action: 'switch_mode', mode: 'text' }, answer);
    expect(t.parley.engine.isLoaded(STORIES)).toBe(true);
    const from = c.received.length;
    const dive = await c.request({ type: 'control', action: 'switch_mode', mode: 'deep-dive' }, answer);
    expect(dive).toMatchObject({ type: 'ack', mode: 'deep-dive' });
    await c.request({ type: 'control', action: 'switch_mode', mode: 'text' }, answer);
    const residency = c.received.slice(from).filter((e) => e.type === 'residency');
    expect(residency.map((e) => `${e.action} ${e.model}`)).toEqual([
      `unload ${STORIES}`,
      `load ${TINY_RANDOM}`,
      `unload ${TINY_RANDOM}`,
      `load ${STORIES}`,
    ]);
    expect(residency[1]).toMatchObject({
      role: 'llm',
      memoryMb: 960,
      reason: 'needed by deep-dive',
      residentMb: 960,
      budgetMb: 1000,
    });
    expect(residency[0]?.reason).toBe('not needed by deep-dive');
    for (const e of residency) {
      expect(e.ms).toBeGreaterThanOrEqual(0);
      expect(typeof e.at).toBe('number');
    }
    // The reasoning model answers in deep dive, with thinking on.
    await c.request({ type: 'control', action: 'switch_mode', mode: 'deep-dive' }, answer);
    await c.request({ type: 'text', id: 'd1', text: 'Think hard.' });
    const turn = await c.turn('d1');
    expect(turn[0]).toMatchObject({ type: 'turn', model: TINY_RANDOM });
    expect(turn.at(-1)?.type).toBe('done');
    expect(t.parley.engine.isLoaded(STORIES)).toBe(false);
    expect(t.parley.engine.isLoaded(TINY_RANDOM)).toBe(true);
    c.close();
  });
});

describe('residency across the voice modes', () => {
  it('the speech engines stay resident from voice to broadcast, and give way to a large model by least recent use', async () => {
    // Budget 1000: voice needs energy (1) + pocketsphinx (40) + stories (600) + espeak-ng (10).
    const c = await connect();
    await c.request({ type: 'control', action: 'switch_mode', mode: 'voice' }, answer);
    const from = c.received.length;
    expect(
      await c.request({ type: 'control', action: 'switch_mode', mode: 'broadcast' }, answer),
    ).toMatchObject({
      type: 'ack',
      mode: 'broadcast',
    });
    // Broadcast needs no language model: it goes; the speech engines stay.
    const toBroadcast = c.received.slice(from).filter((e) => e.type === 'residency');
    expect(toBroadcast.map((e) => `${e.action} ${e.model}`)).toEqual([`unload ${STORIES}`]);
    const mark = c.received.length;
    await c.request({ type: 'control', action: 'switch_mode', mode: 'voice' }, answer);
    // Voice again: only the language model loads. Then deep dive's 960 MB needs more room than
    // the chat model leaves: the least recently used semi-sticky engines give way (VAD, then STT).
    await c.request({ type: 'control', action: 'switch_mode', mode: 'deep-dive' }, answer);
    const moves = c.received.slice(mark).filter((e) => e.type === 'residency');
    expect(moves.map((e) => `${e.action} ${e.model}`)).toEqual([
      `load ${STORIES}`,
      `unload ${STORIES}`,
      'unload energy',
      'unload pocketsphinx',
      `load ${TINY_RANDOM}`,
    ]);
    expect(moves[2]?.reason).toBe(`room for ${TINY_RANDOM} (least recently used)`);
    expect(moves.at(-1)?.residentMb).toBe(970);
    c.close();
  });
});
