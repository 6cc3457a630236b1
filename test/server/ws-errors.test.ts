import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encodeBinary } from '../../packages/server/src/index.js';
import { metricValue, startTestServer, WsClient, type Envelope } from './helpers.js';

// Bad input on /ws: each case gets a typed error and the connection lives on; the frame
// limits (default and configured) and the heartbeat.
let t: Awaited<ReturnType<typeof startTestServer>>;
beforeAll(async () => {
  t = await startTestServer();
});
afterAll(() => t.close());

async function connect(): Promise<{ c: WsClient; ready: Envelope }> {
  const c = await WsClient.open(t.wsUrl);
  const ready = await c.request({ type: 'hello' });
  return { c, ready };
}

describe('bad input never closes the connection', () => {
  const cases: [string, unknown, string, RegExp][] = [
    ['malformed JSON', '{"type": "hello"', 'bad_request', /not valid JSON/],
    ['a JSON string', '"hello"', 'bad_request', /JSON object/],
    ['a JSON array', '[{"type":"hello"}]', 'bad_request', /JSON object/],
    ['no type', '{"text":"hi"}', 'bad_request', /"type"/],
    ['a numeric type', '{"type":5}', 'bad_request', /"type"/],
    ['an unknown type', { type: 'dance' }, 'unknown_type', /unknown type "dance"/],
    ['text of the wrong type', { type: 'text', text: 42 }, 'bad_request', /^text:/],
    ['empty text', { type: 'text', text: '  ' }, 'bad_request', /empty/],
    [
      'text over max_input_chars',
      { type: 'text', text: 'x'.repeat(200_001) },
      'bad_request',
      /max_input_chars/,
    ],
    [
      'a bad image type',
      { type: 'text', text: 'x', images: [{ mediaType: 'image/tiff', data: 'AA==' }] },
      'bad_request',
      /images\[0\]\.mediaType/,
    ],
    [
      'bad base64',
      { type: 'text', text: 'x', images: [{ mediaType: 'image/png', data: '%%%' }] },
      'bad_request',
      /base64/,
    ],
    ['an unknown action', { type: 'control', action: 'dance' }, 'bad_request', /action/],
    ['a bad session id', { type: 'hello', session: '../../etc' }, 'bad_request', /^session:/],
    ['a short binary frame', Buffer.from([1, 1]), 'bad_request', /header/],
    ['an unknown binary kind', Buffer.from([9, 1, 0, 0, 0, 0, 0, 0]), 'bad_request', /kind 9/],
    ['invalid UTF-8 in a text frame', 'UTF8', 'bad_request', /UTF-8/],
  ];
  it.each(cases)('%s', async (_name, frame, code, message) => {
    const { c } = await connect();
    const e =
      frame === 'UTF8'
        ? await new Promise<Envelope>((resolve) => {
            const from = c.received.length;
            c.ws.send(Buffer.from([0x7b, 0xff, 0xfe, 0x7d]), { binary: false });
            void c.next(() => true, from).then(resolve);
          })
        : await c.request(frame);
    expect(e.type).toBe('error');
    expect(e.error?.code).toBe(code);
    expect(e.error?.message).toMatch(message);
    expect(await c.request({ type: 'ping', id: 'alive' })).toEqual({ type: 'pong', id: 'alive' });
    c.close();
  });

  it('frames over the default limits (1 MiB text, 8 MiB binary) get too_large', async () => {
    const { c } = await connect();
    const text = await c.request(JSON.stringify({ type: 'text', text: 'x'.repeat(1024 * 1024) }));
    expect(text.error?.code).toBe('too_large');
    const bin = await c.request(encodeBinary('video_frame', 1, new Uint8Array(8 * 1024 * 1024)));
    expect(bin.error?.code).toBe('too_large');
    expect(await c.request({ type: 'ping' })).toEqual({ type: 'pong' });
    c.close();
  });
});

describe('configured limits and the heartbeat', () => {
  it('uses the configured frame limits; frames over twice the limit close with 1009', async () => {
    const s = await startTestServer({ maxTextFrame: 1000, maxBinaryFrame: 4000 });
    try {
      const c = await WsClient.open(s.wsUrl);
      const ready = await c.request({ type: 'hello' });
      expect(ready.limits).toEqual({ max_text_frame: 1000, max_binary_frame: 4000 });
      expect((await c.request(JSON.stringify({ type: 'ping', id: 'y'.repeat(990) }))).error?.code).toBe(
        'too_large',
      );
      expect((await c.request(Buffer.alloc(4001))).error?.code).toBe('too_large');
      expect(await c.request({ type: 'ping' })).toEqual({ type: 'pong' });
      c.send(Buffer.alloc(8001));
      expect((await c.whenClosed()).code).toBe(1009);
    } finally {
      await s.close();
    }
  });

  it('drops a peer that does not answer pings, and keeps one that does', async () => {
    const s = await startTestServer({ heartbeatMs: 200 });
    try {
      const live = await WsClient.open(s.wsUrl);
      const dead = await WsClient.open(s.wsUrl, { autoPong: false });
      await dead.whenClosed();
      expect(live.closed).toBeUndefined();
      expect(await live.request({ type: 'ping' })).toEqual({ type: 'pong' });
      const m = await (await fetch(`${s.url}/metrics`)).text();
      expect(metricValue(m, 'parley_open_sockets')).toBe(1);
      live.close();
    } finally {
      await s.close();
    }
  });
});
