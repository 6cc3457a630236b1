/**
 * OpenAI and Groq transcription at the HTTP wire. The cloud APIs cannot be reached here, so a
 * local server stands in for them (test/helpers/speech-wire-server.ts): it checks the
 * multipart request and answers in each API's documented JSON format, with a transcript made
 * by running the real pocketsphinx on the uploaded WAV, so the audio's round trip is checked.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  startSpeechWireServer,
  type SpeechRequest,
  type SpeechWireServer,
} from '../../../../test/helpers/speech-wire-server.js';
import { AuthError, ProviderError } from '../errors.js';
import { createCloudSpeechToText } from './cloud-stt.js';
import { goForward } from './conformance/audio-fixtures.js';
import { runSttConformance } from './conformance/stt-suite.js';
import { PocketsphinxSpeechToText } from './pocketsphinx-stt.js';
import { decodeWav } from './wav.js';

const KEY = 'sk-test-secret-0123456789abcdef';
const GROQ_KEY = 'gsk_test-secret-0123456789abcdef';
const sphinx = new PocketsphinxSpeechToText();
let server: SpeechWireServer;
let failWith: { status: number; body: object | string } | undefined;

/** What a transcription endpoint answers, in the documented formats. */
async function transcriptionApi(
  req: SpeechRequest,
): Promise<{ status?: number; body: object | string; hang?: boolean }> {
  if (failWith) return failWith;
  const file = req.form?.get('file');
  if (!(file instanceof File)) return { status: 400, body: { error: { message: 'file is required' } } };
  const audio = decodeWav(new Uint8Array(await file.arrayBuffer()));
  const { text } = await sphinx.transcribe(audio.pcm, req.signal).catch(() => ({ text: '' }));
  const format = req.form?.get('response_format') ?? 'json';
  // Groq's answers carry its request id in `x_groq`.
  if (req.path.startsWith('/openai/')) return { body: { text, x_groq: { id: 'req_01test' } } };
  if (format === 'verbose_json')
    return {
      body: {
        task: 'transcribe',
        language: 'english',
        duration: audio.pcm.length / audio.format.sampleRate,
        text,
        segments: [
          {
            id: 0,
            seek: 0,
            start: 0,
            end: audio.pcm.length / 16_000,
            text,
            tokens: [],
            temperature: 0,
            avg_logprob: -0.2,
            compression_ratio: 1,
            no_speech_prob: 0.01,
          },
        ],
      },
    };
  return { body: { text, usage: { type: 'duration', seconds: 3 } } };
}

beforeAll(async () => {
  server = await startSpeechWireServer(async (req) => {
    if (req.path === '/v1/audio/transcriptions' || req.path === '/openai/v1/audio/transcriptions')
      return transcriptionApi(req);
    return { status: 404, body: { error: { message: `no route ${req.path}` } } };
  });
});
afterAll(() => server.close());

const openai = (extra: object = {}) =>
  createCloudSpeechToText(
    'openai',
    { stt: 'openai', ...extra },
    {
      providers: { openai: { api_key: KEY, base_url: `${server.url}/v1` } },
      env: {},
    },
  );
const groq = (extra: object = {}) =>
  createCloudSpeechToText(
    'groq',
    { stt: 'groq', ...extra },
    {
      providers: { groq: { api_key: GROQ_KEY, base_url: `${server.url}/openai/v1` } },
      env: {},
    },
  );

runSttConformance({ name: 'openai (wire)', create: () => openai({ stt_model: 'whisper-1' }) });
runSttConformance({ name: 'groq (wire)', create: () => groq() });

describe('cloud transcription requests', () => {
  it('OpenAI: multipart with the model, a 16 kHz WAV file and the language, key in the header', async () => {
    const stt = await openai({ stt_model: 'whisper-1', language: 'en' });
    const before = server.requests.length;
    const t = await stt.transcribe(goForward());
    expect(t.text).toBe('go forward ten meters');
    expect(t.engine).toBe('openai:whisper-1');
    const req = server.requests[before]!;
    expect(req.method).toBe('POST');
    expect(req.headers.authorization).toBe(`Bearer ${KEY}`);
    expect(req.headers['content-type']).toMatch(/^multipart\/form-data; boundary=/);
    expect(req.form?.get('model')).toBe('whisper-1');
    expect(req.form?.get('language')).toBe('en');
    expect(req.form?.get('response_format')).toBe('verbose_json');
    const file = req.form?.get('file') as File;
    expect(file.name).toBe('audio.wav');
    expect(file.type).toBe('audio/wav');
    const wav = decodeWav(new Uint8Array(await file.arrayBuffer()));
    expect(wav.format.sampleRate).toBe(16_000);
    expect(Array.from(wav.pcm.subarray(0, 100))).toEqual(Array.from(goForward().subarray(0, 100)));
  });

  it('OpenAI gpt-4o-mini-transcribe (the default) asks for plain json', async () => {
    const stt = await openai();
    const before = server.requests.length;
    expect((await stt.transcribe(goForward())).text).toBe('go forward ten meters');
    expect(server.requests[before]!.form?.get('model')).toBe('gpt-4o-mini-transcribe');
    expect(server.requests[before]!.form?.get('response_format')).toBe('json');
  });

  it('Groq: its own path, key and default model', async () => {
    const stt = await groq({ language: 'en' });
    const before = server.requests.length;
    expect((await stt.transcribe(goForward())).text).toBe('go forward ten meters');
    const req = server.requests[before]!;
    expect(req.path).toBe('/openai/v1/audio/transcriptions');
    expect(req.headers.authorization).toBe(`Bearer ${GROQ_KEY}`);
    expect(req.form?.get('model')).toBe('whisper-large-v3-turbo');
    expect(req.form?.get('language')).toBe('en');
  });

  it('sends nothing for empty audio', async () => {
    const stt = await openai();
    const before = server.requests.length;
    expect((await stt.transcribe(new Int16Array(3))).text).toBe('');
    expect(server.requests.length).toBe(before);
  });

  it('a refused key is an AuthError that does not show the key', async () => {
    failWith = {
      status: 401,
      body: { error: { message: 'Incorrect API key provided', type: 'invalid_request_error' } },
    };
    try {
      const err = await (await openai()).transcribe(goForward()).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(AuthError);
      expect(String((err as Error).message)).not.toContain(KEY);
    } finally {
      failWith = undefined;
    }
  });

  it('a server error and a malformed answer are provider errors naming the provider', async () => {
    failWith = { status: 500, body: { error: { message: 'boom' } } };
    try {
      const err = await (await groq()).transcribe(goForward()).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(ProviderError);
      expect((err as ProviderError).provider).toBe('groq');
      expect((err as ProviderError).status).toBe(500);
      failWith = { status: 200, body: 'this is not json' };
      const bad = await (await openai()).transcribe(goForward()).catch((e: unknown) => e);
      expect(bad).toBeInstanceOf(ProviderError);
    } finally {
      failWith = undefined;
    }
  });

  it('without a key, says which variable or config key to set', async () => {
    await expect(
      createCloudSpeechToText('groq', { stt: 'groq' }, { providers: {}, env: {} }),
    ).rejects.toThrow(/GROQ_API_KEY or providers.groq.api_key/);
  });
});
