/**
 * Text to speech through OpenAI's speech API (`POST /audio/speech`, JSON in, audio out), by
 * the AI SDK's `experimental_generateSpeech`. parley asks for `wav` and reads the rate from
 * its header, so an OpenAI-compatible server that answers at another rate still plays right
 * (it is resampled to the 24 kHz this engine announces).
 */
import { experimental_generateSpeech as generateSpeech } from 'ai';
import { resolveProviderSettings } from '../providers/create-provider-model.js';
import { toProviderError } from '../providers/provider-errors.js';
import { abortReason } from '../util/abort.js';
import type { SpeechEnginesOptions, VoiceConfig } from './engines.js';
import { SpeechError } from './speech-error.js';
import { cleanSpeechText } from './speech-text.js';
import type { AudioChunk, AudioFormat, TextToSpeech } from './types.js';
import { decodeWav, resample } from './wav.js';

export const DEFAULT_TTS_MODEL = 'gpt-4o-mini-tts';
export const DEFAULT_CLOUD_VOICE = 'alloy';
/** OpenAI's limit on `input`. */
export const OPENAI_TTS_MAX_CHARS = 4096;
/** Audio is handed on in pieces of this many ms, with an abort check between them. */
const CHUNK_MS = 250;

type SpeechModel = Parameters<typeof generateSpeech>[0]['model'];

export class CloudTextToSpeech implements TextToSpeech {
  readonly name: string;
  readonly format: AudioFormat = { encoding: 's16le', sampleRate: 24_000, channels: 1 };
  constructor(
    private readonly provider: string,
    private readonly model: SpeechModel,
    modelId: string,
    private readonly voice: string,
    private readonly speed: number | undefined,
    private readonly maxChars: number,
  ) {
    this.name = `${provider}:${modelId}`;
  }

  async *synthesize(text: string, signal?: AbortSignal): AsyncGenerator<AudioChunk> {
    const clean = cleanSpeechText(text, this.maxChars);
    if (signal?.aborted) throw abortReason(signal);
    if (clean === '') return;
    let bytes: Uint8Array;
    try {
      const result = await generateSpeech({
        model: this.model,
        text: clean,
        voice: this.voice,
        outputFormat: 'wav',
        maxRetries: 1,
        ...(this.speed === undefined ? {} : { speed: this.speed }),
        ...(signal ? { abortSignal: signal } : {}),
      });
      bytes = result.audio.uint8Array;
    } catch (e) {
      if (signal?.aborted) throw abortReason(signal);
      throw toProviderError(e, this.provider);
    }
    let decoded;
    try {
      decoded = decodeWav(bytes, `${this.provider}'s audio`);
    } catch (e) {
      throw new SpeechError('engine_failed', `${this.provider} answered with audio parley cannot play`, {
        cause: e,
      });
    }
    const pcm = resample(decoded.pcm, decoded.format.sampleRate, this.format.sampleRate);
    const step = (this.format.sampleRate * CHUNK_MS) / 1000;
    for (let i = 0; i < pcm.length; i += step) {
      if (signal?.aborted) throw abortReason(signal);
      yield { format: this.format, pcm: pcm.slice(i, i + step) };
    }
    if (signal?.aborted) throw abortReason(signal);
  }
}

/** The TTS engine of `voice.tts = "openai"`. */
export async function createCloudTextToSpeech(
  voice: VoiceConfig,
  opts: SpeechEnginesOptions,
): Promise<CloudTextToSpeech> {
  const settings = opts.providers?.openai;
  const { modelId, settings: s } = resolveProviderSettings({
    provider: 'openai',
    modelId: voice.tts_model ?? DEFAULT_TTS_MODEL,
    apiKey: settings?.api_key,
    baseURL: settings?.base_url,
    env: opts.env,
    fetch: opts.fetch,
  });
  const model = (await import('@ai-sdk/openai')).createOpenAI(s).speech(modelId);
  return new CloudTextToSpeech(
    'openai',
    model,
    modelId,
    voice.voice ?? DEFAULT_CLOUD_VOICE,
    voice.speed,
    Math.min(voice.max_tts_chars ?? OPENAI_TTS_MAX_CHARS, OPENAI_TTS_MAX_CHARS),
  );
}
