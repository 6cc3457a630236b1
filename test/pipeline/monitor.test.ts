import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encodeBinary } from '../../packages/server/src/index.js';
import { sseReply, startWireServer, type WireServer } from '../helpers/wire-server.js';
import { metricValue, startTestServer, WsClient, type Envelope, type TestServer } from '../server/helpers.js';

// Active monitor under a flood of video frames. The vision model is scripted at the wire: a
// local HTTP server speaking the OpenAI chat-completions streaming format, slow to answer.
// It stands in for a cloud vision model, which cannot be reached from the test machines.

let wire: WireServer;
let t: TestServer;
const RULE = 'Is someone at the door? Answer yes or no first.';

function chunk(delta: object, finish: string | null = null): string {
  const body = {
    id: 'c1',
    object: 'chat.completion.chunk',
    created: 1,
    model: 'vision',
    choices: [{ index: 0, delta, finish_reason: finish }],
  };
  return `data: ${JSON.stringify(body)}\n\n`;
}

beforeAll(async () => {
  wire = await startWireServer();
  // Each answer takes about 4 × 150 ms: frames keep coming meanwhile.
  wire.reply(
    sseReply(
      [
        chunk({ role: 'assistant', content: '' }),
        chunk({ content: 'Yes, a person in a red coat.' }),
        chunk({}, 'stop'),
        'data: [DONE]\n\n',
      ],
      { chunkDelayMs: 150 },
    ),
  );
  t = await startTestServer({
    config: {
      providers: { 'openai-compatible': { base_url: `${wire.url}/v1` } },
      pipelines: {
        vision_model: 'openai-compatible:vision',
        monitor_every: 2,
        monitor_rule: RULE,
        video_backlog: 4,
      },
    },
  });
});
afterAll(async () => {
  await t.close();
  await wire.close();
});

/** A small JPEG-shaped payload (SOI … EOI); the scripted model does not decode it. */
const jpeg = (i: number): Uint8Array => new Uint8Array([0xff, 0xd8, 0xff, 0xe0, i & 0xff, 0xff, 0xd9]);

describe('active monitor', () => {
  it('drops video frames under a flood, never audio or control, and notifies when the rule fires', async () => {
    const c = await WsClient.open(t.wsUrl);
    await c.request({ type: 'hello' });
    const ack = await c.request(
      { type: 'control', action: 'switch_mode', mode: 'monitor' },
      (e) => e.type === 'ack',
    );
    expect(ack).toMatchObject({
      mode: 'monitor',
      trigger: { kind: 'continuous', every: 2 },
      outputs: ['notification'],
    });
    const before = metricValue(
      await (await fetch(`${t.url}/metrics`)).text(),
      'parley_ws_frames_dropped_total',
    );
    const from = c.received.length;
    const FRAMES = 60;
    for (let i = 1; i <= FRAMES; i++) {
      c.send(encodeBinary('video_frame', i, jpeg(i)));
      if (i % 10 === 0) {
        c.send({ type: 'ping', id: `p${i}` });
        c.send(encodeBinary('audio_chunk', 1000 + i, new Uint8Array(640)));
        c.send({ type: 'control', action: 'settings', settings: { temperature: i / 100 } });
      }
    }
    await c.next((e) => e.type === 'pong' && e.id === `p${FRAMES}`, from);
    const notification = await c.next((e) => e.type === 'notification', from);
    const got = c.received.slice(from);

    // Every video frame is answered exactly once: taken, skipped (not an n-th frame) or dropped.
    const videoAcks = got.filter((e) => e.type === 'ack' && e.action === 'video_frame');
    expect(videoAcks.map((e) => e.seq).sort((a, b) => Number(a) - Number(b))).toEqual(
      Array.from({ length: FRAMES }, (_, i) => i + 1),
    );
    const outcome = (o: string): Envelope[] => videoAcks.filter((e) => e.outcome === o);
    expect(outcome('taken').length).toBeGreaterThanOrEqual(1);
    expect(outcome('dropped').length).toBeGreaterThan(0);
    expect(outcome('taken').length + outcome('dropped').length).toBeLessThan(FRAMES);

    // Control and audio frames are all answered, in the order they were sent.
    expect(got.filter((e) => e.type === 'pong').map((e) => e.id)).toEqual([
      'p10',
      'p20',
      'p30',
      'p40',
      'p50',
      'p60',
    ]);
    const settings = got.filter((e) => e.type === 'ack' && e.action === 'settings');
    expect(settings.map((e) => (e.settings as { temperature: number }).temperature)).toEqual([
      0.1, 0.2, 0.3, 0.4, 0.5, 0.6,
    ]);
    const audio = got.filter((e) => e.error?.code === 'no_pipeline');
    expect(audio.map((e) => /#(\d+)/.exec(e.error?.message ?? '')?.[1])).toEqual([
      '1010',
      '1020',
      '1030',
      '1040',
      '1050',
      '1060',
    ]);

    // The rule fired on a frame the monitor took.
    expect(notification).toMatchObject({ rule: RULE, text: 'Yes, a person in a red coat.' });
    expect(outcome('taken').map((e) => e.seq)).toContain(notification.frame);

    // The vision model got the rule and the frame as a JPEG.
    const body = wire.requests[0]?.body as {
      messages: { content: { type: string; text?: string; image_url?: { url: string } }[] }[];
    };
    const parts = body.messages.at(-1)?.content ?? [];
    expect(parts.find((p) => p.type === 'text')?.text).toBe(RULE);
    expect(parts.find((p) => p.type === 'image_url')?.image_url?.url).toMatch(
      /^data:image\/jpeg;base64,\/9j\//,
    );

    // Dropped frames are counted in the metrics.
    const after = metricValue(
      await (await fetch(`${t.url}/metrics`)).text(),
      'parley_ws_frames_dropped_total',
    );
    expect(after - before).toBe(outcome('dropped').length);
    c.close();
  });

  it('visual chat: an image and a question go to the vision model, the answer streams back', async () => {
    const c = await WsClient.open(t.wsUrl);
    await c.request({ type: 'hello' });
    await c.request({ type: 'control', action: 'switch_mode', mode: 'visual' }, (e) => e.type === 'ack');
    const n = wire.requests.length;
    const png = Buffer.from('89504e470d0a1a0a0000000d49484452', 'hex').toString('base64');
    await c.request({
      type: 'text',
      id: 'v1',
      text: 'Who is at the door?',
      images: [{ mediaType: 'image/png', data: png }],
    });
    const turn = await c.turn('v1');
    expect(turn[0]).toMatchObject({ type: 'turn', model: 'openai-compatible:vision' });
    expect(
      turn
        .filter((e) => e.type === 'text-delta')
        .map((e) => e.text)
        .join(''),
    ).toBe('Yes, a person in a red coat.');
    expect(turn.at(-1)?.type).toBe('done');
    const body = wire.requests[n]?.body as {
      model: string;
      messages: { content: { type: string; text?: string; image_url?: { url: string } }[] }[];
    };
    expect(body.model).toBe('vision');
    const parts = body.messages.at(-1)?.content ?? [];
    expect(parts.find((p) => p.type === 'text')?.text).toBe('Who is at the door?');
    expect(parts.find((p) => p.type === 'image_url')?.image_url?.url).toBe(`data:image/png;base64,${png}`);
    c.close();
  });
});
