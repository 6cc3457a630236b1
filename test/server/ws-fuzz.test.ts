import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as z from 'zod';
import { encodeBinary, WS_ERROR_CODES } from '../../packages/server/src/index.js';
import { metricValue, startTestServer, STORIES_ID, WsClient, type TestServer } from './helpers.js';

// Fuzzing the WebSocket: over 10,000 random and mutated frames on two connections. After each
// frame a `ping` fence is sent; everything before its `pong` answers the frame. Every frame
// must get at least one answer, every answer must be a valid envelope, and the connection
// and the server must live on. A frame that starts a turn is followed to the turn's end.
let t: TestServer;
beforeAll(async () => {
  // Rate limits off: every frame must reach the parser (rate-limits.test.ts tests the limits).
  t = await startTestServer({
    config: { model: 'canned', max_tokens: 40 },
    wsFramesPerSecond: 0,
    wsTurnsPerMinute: 0,
  });
});
afterAll(() => t.close());

const Usage = z.object({
  inputTokens: z.number().optional(),
  outputTokens: z.number().optional(),
  totalTokens: z.number().optional(),
});
const Timings = z.object({
  ttftMs: z.number().nullable(),
  totalMs: z.number(),
  tokensPerSecond: z.number().nullable(),
});
const ErrorInfo = z.object({
  code: z.string().regex(/^[a-z_]+$/),
  message: z.string().min(1),
  retryable: z.boolean(),
});
const turn = z.string().min(1);

/** The downstream envelopes of docs/PROTOCOL.md, written out independently of the server's code. */
const Downstream = z.discriminatedUnion('type', [
  z.object({
    type: z.literal('ready'),
    protocol: z.literal(1),
    session: z.string().min(1),
    resumed: z.boolean(),
    models: z.array(z.string()),
    model: z.string(),
    modes: z.array(z.string()),
    mode: z.string(),
    history: z.array(z.object({ role: z.enum(['user', 'assistant']), text: z.string(), images: z.number() })),
    limits: z.object({ max_text_frame: z.number(), max_binary_frame: z.number() }),
  }),
  z.object({ type: z.literal('turn'), turn, model: z.string(), mode: z.string().optional() }),
  z
    .object({
      type: z.literal('ack'),
      action: z.enum(['interrupt', 'switch_mode', 'settings', 'audio_chunk', 'video_frame']),
    })
    .loose(),
  // Pipelines (docs/PROTOCOL.md): speech arrives as binary frames, which the client marks.
  z.object({ type: z.literal('(binary)') }),
  z.object({
    type: z.literal('residency'),
    action: z.enum(['load', 'unload']),
    model: z.string(),
    role: z.enum(['vad', 'stt', 'llm', 'vision', 'tts']),
    memoryMb: z.number(),
    reason: z.string(),
    ms: z.number(),
    residentMb: z.number(),
    budgetMb: z.number(),
    at: z.number(),
  }),
  z.object({
    type: z.literal('transcript'),
    turn,
    text: z.string(),
    engine: z.string(),
    ms: z.number(),
    audioMs: z.number(),
  }),
  z.object({
    type: z.literal('audio-format'),
    turn,
    format: z.object({ encoding: z.literal('s16le'), sampleRate: z.number(), channels: z.literal(1) }),
  }),
  z.object({ type: z.literal('turn-timings'), turn }).loose(),
  z.object({ type: z.literal('notification'), rule: z.string(), text: z.string(), frame: z.number() }),
  z.object({ type: z.literal('pong'), id: z.union([z.string(), z.number()]).optional() }),
  z.object({ type: z.literal('error'), error: ErrorInfo, turn: turn.optional() }),
  z.object({ type: z.literal('text-delta'), turn, text: z.string() }),
  z.object({ type: z.literal('reasoning-delta'), turn, text: z.string() }),
  z.object({ type: z.literal('usage'), turn, usage: Usage }),
  z.object({
    type: z.literal('notice'),
    turn,
    level: z.enum(['info', 'warn']),
    code: z.string(),
    message: z.string(),
  }),
  z
    .object({
      type: z.literal('done'),
      turn,
      model: z.string(),
      finishReason: z.string(),
      usage: Usage,
      timings: Timings,
    })
    .loose(),
  z.object({
    type: z.literal('interrupted'),
    turn,
    model: z.string(),
    reason: z.string(),
    partialText: z.string(),
    usage: Usage,
    timings: Timings,
  }),
]);

// ---- frames --------------------------------------------------------------------------------

const models = fc.constantFrom('canned', 'canned:echo', STORIES_ID, 'nope', '/etc/passwd', 'openai');
const valid: fc.Arbitrary<Record<string, unknown>> = fc.oneof(
  fc.record(
    { type: fc.constant('hello'), session: fc.option(fc.string(), { nil: undefined }) },
    { requiredKeys: ['type'] },
  ),
  fc.record(
    {
      type: fc.constant('text'),
      text: fc.string({ maxLength: 80 }),
      id: fc.stringMatching(/^[a-z0-9]{1,8}$/),
      model: models,
      images: fc.array(
        fc.record({
          mediaType: fc.constantFrom('image/png', 'image/gif'),
          data: fc.base64String({ maxLength: 40 }),
        }),
        { maxLength: 2 },
      ),
    },
    { requiredKeys: ['type', 'text'] },
  ),
  fc.record({ type: fc.constant('control'), action: fc.constant('interrupt') }),
  fc.record({
    type: fc.constant('control'),
    action: fc.constant('switch_mode'),
    mode: fc.constantFrom('text', 'visual', 'voice'),
  }),
  fc.record({
    type: fc.constant('control'),
    action: fc.constant('settings'),
    settings: fc.record(
      {
        model: fc.option(models, { nil: null }),
        max_tokens: fc.option(fc.integer({ min: 1, max: 30 }), { nil: null }),
        temperature: fc.double({ min: 0, max: 2, noNaN: true }),
      },
      { requiredKeys: [] },
    ),
  }),
  fc.record({ type: fc.constant('ping'), id: fc.oneof(fc.string({ maxLength: 10 }), fc.integer()) }),
);

/** Envelope-shaped objects with a known or unknown type and fields of any kind. */
const shaped = fc.record(
  {
    type: fc.oneof(
      fc.constantFrom('hello', 'text', 'control', 'ping', 'audio_chunk', 'ready', 'event'),
      fc.string(),
      fc.anything(),
    ),
    text: fc.anything(),
    action: fc.oneof(
      fc.constantFrom('interrupt', 'switch_mode', 'settings', 'start_pipeline', 'confirm_action'),
      fc.anything(),
    ),
    settings: fc.anything(),
    session: fc.anything(),
    images: fc.anything(),
    id: fc.anything(),
    model: fc.anything(),
    mode: fc.anything(),
  },
  { requiredKeys: [] },
);

type Mutation = { kind: 'flip' | 'cut' | 'insert' | 'truncate'; at: number; bytes: number[] };
const mutation = fc.record({
  kind: fc.constantFrom('flip', 'cut', 'insert', 'truncate'),
  at: fc.nat(),
  bytes: fc.array(fc.integer({ min: 0, max: 255 }), { minLength: 1, maxLength: 6 }),
}) as fc.Arbitrary<Mutation>;

function mutate(buf: Buffer, m: Mutation): Buffer {
  const at = buf.length === 0 ? 0 : m.at % buf.length;
  const ins = Buffer.from(m.bytes);
  switch (m.kind) {
    case 'flip':
      return Buffer.concat([
        buf.subarray(0, at),
        Buffer.from([(buf[at] ?? 0) ^ (m.bytes[0] ?? 1)]),
        buf.subarray(at + 1),
      ]);
    case 'cut':
      return Buffer.concat([buf.subarray(0, at), buf.subarray(at + m.bytes.length)]);
    case 'insert':
      return Buffer.concat([buf.subarray(0, at), ins, buf.subarray(at)]);
    case 'truncate':
      return buf.subarray(0, at);
  }
}

/** A frame: the bytes and whether they go as a binary frame. */
type Frame = { data: Buffer | string; binary: boolean };
const frame: fc.Arbitrary<Frame> = fc.oneof(
  { weight: 2, arbitrary: valid.map((v) => ({ data: JSON.stringify(v), binary: false })) },
  { weight: 2, arbitrary: shaped.map((v) => ({ data: JSON.stringify(v) ?? 'undefined', binary: false })) },
  { weight: 1, arbitrary: fc.jsonValue().map((v) => ({ data: JSON.stringify(v) ?? 'null', binary: false })) },
  {
    weight: 1,
    arbitrary: fc.string({ unit: 'binary', maxLength: 200 }).map((s) => ({ data: s, binary: false })),
  },
  {
    weight: 3,
    arbitrary: fc
      .tuple(valid, fc.array(mutation, { minLength: 1, maxLength: 3 }), fc.boolean())
      .map(([v, ms, binary]) => ({ data: ms.reduce(mutate, Buffer.from(JSON.stringify(v))), binary })),
  },
  {
    weight: 1,
    arbitrary: fc
      .tuple(
        fc.constantFrom('audio_chunk', 'video_frame') as fc.Arbitrary<'audio_chunk' | 'video_frame'>,
        fc.nat(),
        fc.uint8Array({ maxLength: 64 }),
      )
      .map(([kind, seq, payload]) => ({ data: encodeBinary(kind, seq, payload), binary: true })),
  },
  {
    weight: 1,
    arbitrary: fc.uint8Array({ maxLength: 64 }).map((b) => ({ data: Buffer.from(b), binary: true })),
  },
);

// ---- the exchange --------------------------------------------------------------------------

let fence = 0;
let sent = 0;

/** Send one frame, fence it, and check every answer. */
async function exchange(c: WsClient, f: Frame): Promise<void> {
  const from = c.received.length;
  c.ws.send(f.data, { binary: f.binary });
  sent++;
  const id = `fence-${++fence}`;
  c.send({ type: 'ping', id });
  await c.next((e) => e.type === 'pong' && e.id === id, from);
  const answers = c.received.slice(from);
  const fenceAt = answers.findIndex((e) => e.type === 'pong' && e.id === id);
  expect(fenceAt, `no answer to ${String(f.data).slice(0, 80)}`).toBeGreaterThan(0);
  const started = answers.find((e) => e.type === 'turn');
  if (started) {
    // Long turns (a large max_tokens) are cut short; either way wait for the end.
    const mark = c.received.length;
    c.send({ type: 'control', action: 'interrupt' });
    await c.next((e) => e.type === 'ack' && e.action === 'interrupt', mark);
    await c.turn(started.turn as string);
  }
  for (const e of c.received.slice(from)) {
    const r = Downstream.safeParse(e);
    expect(r.success, `invalid envelope ${JSON.stringify(e).slice(0, 200)}: ${r.error?.message}`).toBe(true);
    if (e.type === 'error' && e.turn === undefined) {
      expect(WS_ERROR_CODES as readonly string[]).toContain(e.error?.code);
    }
  }
  c.received.length = 0;
}

describe('fuzzing /ws', () => {
  it('answers more than 10,000 random and mutated frames and stays up', async () => {
    const a = await WsClient.open(t.wsUrl);
    await a.request({ type: 'hello' });
    const b = await WsClient.open(t.wsUrl); // starts without hello
    await fc.assert(
      fc.asyncProperty(frame, (f) => exchange(a, f)),
      { numRuns: 8_000, seed: 3, endOnFailure: true },
    );
    await fc.assert(
      fc.asyncProperty(frame, (f) => exchange(b, f)),
      { numRuns: 2_200, seed: 4, endOnFailure: true },
    );
    expect(sent).toBeGreaterThanOrEqual(10_000);
    expect(a.closed).toBeUndefined();
    expect(b.closed).toBeUndefined();

    // The server is up and serves a fresh client normally.
    expect((await fetch(`${t.url}/healthz`)).status).toBe(200);
    const c = await WsClient.open(t.wsUrl);
    await c.request({ type: 'hello' });
    const started = await c.request({ type: 'text', id: 'after', text: 'still there?' });
    expect(started.type).toBe('turn');
    expect((await c.turn('after')).at(-1)?.type).toBe('done');
    const m = await (await fetch(`${t.url}/metrics`)).text();
    expect(metricValue(m, 'parley_ws_frames_total')).toBeGreaterThanOrEqual(2 * 10_000);
    expect(metricValue(m, 'parley_errors_total', { api: 'ws', code: 'bad_request' })).toBeGreaterThan(1000);
    expect(metricValue(m, 'parley_errors_total', { api: 'ws', code: 'unknown_type' })).toBeGreaterThan(100);
    for (const x of [a, b, c]) x.close();
  }, 120_000);
});
