/**
 * OpenAI's speech API at the HTTP wire. The API cannot be reached here, so a local server
 * stands in for it (test/helpers/speech-wire-server.ts): it checks the JSON request and
 * answers with a WAV, as the API does for `response_format: "wav"`, made by the real
 * espeak-ng from the request's text (22,050 Hz, which the engine resamples to 24 kHz).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSpeechWireServer, type SpeechWireServer } from '../../../../test/helpers/speech-wire-server.js';
import { AuthError } from '../errors.js';
import { createCloudTextToSpeech } from './cloud-tts.js';
import { concat } from './conformance/audio-fixtures.js';
import { runTtsConformance } from './conformance/tts-suite.js';
import { EspeakTextToSpeech } from './espeak-tts.js';
import { SpeechError } from './speech-error.js';
import { encodeWav } from './wav.js';

const KEY = 'sk-test-secret-tts-0123456789';
const espeak = new EspeakTextToSpeech();
let server: SpeechWireServer;
let mode: 'ok' | 'hang' | 'not-audio' | 'unauthorized' = 'ok';

beforeAll(async () => {
  server = await startSpeechWireServer(async (req) => {
    if (req.path !== '/v1/audio/speech') return { status: 404, body: { error: { message: 'no route' } } };
    if (mode === 'hang') return { hang: true };
    if (mode === 'unauthorized')
      return { status: 401, body: { error: { message: 'Incorrect API key provided' } } };
    if (mode === 'not-audio')
      return { body: Buffer.from('<html>proxy error</html>'), headers: { 'content-type': 'text/html' } };
    const body = req.json as { input: string };
    const parts: Int16Array[] = [];
    for await (const c of espeak.synthesize(body.input, req.signal)) parts.push(c.pcm);
    return { body: encodeWav(concat(...parts), 22_050), headers: { 'content-type': 'audio/wav' } };
  });
});
afterAll(() => server.close());

const openai = (extra: object = {}) =>
  createCloudTextToSpeech(
    { tts: 'openai', ...extra },
    { providers: { openai: { api_key: KEY, base_url: `${server.url}/v1` } }, env: {} },
  );

runTtsConformance({ name: 'openai (wire)', create: () => openai() });

async function collect(
  tts: Awaited<ReturnType<typeof openai>>,
  text: string,
  signal?: AbortSignal,
): Promise<Int16Array> {
  const parts: Int16Array[] = [];
  for await (const c of tts.synthesize(text, signal)) parts.push(c.pcm);
  return concat(...parts);
}

describe('OpenAI speech requests', () => {
  it('posts the model, text, voice, speed and wav format as JSON; the audio comes back at 24 kHz', async () => {
    const tts = await openai({ tts_model: 'tts-1', voice: 'nova', speed: 1.5 });
    const before = server.requests.length;
    const pcm = await collect(tts, 'Hello\u0007 there.');
    const req = server.requests[before]!;
    expect(req.method).toBe('POST');
    expect(req.headers.authorization).toBe(`Bearer ${KEY}`);
    expect(req.json).toEqual({
      model: 'tts-1',
      input: 'Hello there.',
      voice: 'nova',
      response_format: 'wav',
      speed: 1.5,
    });
    expect(tts.format.sampleRate).toBe(24_000);
    expect(tts.name).toBe('openai:tts-1');
    // espeak's 22,050 Hz audio, resampled: the same duration at 24 kHz.
    expect(pcm.length).toBeGreaterThan(0.4 * 24_000);
  });

  it('defaults to gpt-4o-mini-tts and the alloy voice', async () => {
    const before = server.requests.length;
    await collect(await openai(), 'Hi.');
    expect(server.requests[before]!.json).toMatchObject({ model: 'gpt-4o-mini-tts', voice: 'alloy' });
  });

  it('an abort while the server has not answered ends the request at once', async () => {
    mode = 'hang';
    try {
      const tts = await openai();
      const c = new AbortController();
      const abandoned = server.abandoned;
      setTimeout(() => c.abort(), 100);
      const err = await collect(tts, 'Hello.', c.signal).catch((e: unknown) => e);
      expect((err as Error).name).toBe('AbortError');
      await new Promise((r) => setTimeout(r, 50));
      expect(server.abandoned).toBe(abandoned + 1);
    } finally {
      mode = 'ok';
    }
  });

  it('an answer that is not audio is a clear engine error', async () => {
    mode = 'not-audio';
    try {
      await expect(collect(await openai(), 'Hello.')).rejects.toThrow(SpeechError);
      await expect(collect(await openai(), 'Hello.')).rejects.toThrow(
        /answered with audio parley cannot play/,
      );
    } finally {
      mode = 'ok';
    }
  });

  it('a refused key is an AuthError that does not show the key', async () => {
    mode = 'unauthorized';
    try {
      const err = await collect(await openai(), 'Hello.').catch((e: unknown) => e);
      expect(err).toBeInstanceOf(AuthError);
      expect((err as Error).message).not.toContain(KEY);
    } finally {
      mode = 'ok';
    }
  });

  it('never sends more than OpenAI accepts in one call', async () => {
    const tts = await openai({ max_tts_chars: 50_000 });
    await expect(collect(tts, 'x'.repeat(5000))).rejects.toThrow(/limit for one call is 4096/);
  });
});
