/**
 * Speech to text through OpenAI's and Groq's transcription APIs (`POST /audio/transcriptions`,
 * multipart with the audio as a WAV file), by the AI SDK's `experimental_transcribe`. The
 * key and base URL come from `[providers.openai]` / `[providers.groq]` or the environment,
 * as for chat models.
 */
import { experimental_transcribe as transcribe, NoTranscriptGeneratedError } from 'ai';
import { resolveProviderSettings } from '../providers/create-provider-model.js';
import { toProviderError } from '../providers/provider-errors.js';
import { abortReason } from '../util/abort.js';
import type { SpeechEnginesOptions, VoiceConfig } from './engines.js';
import { INPUT_AUDIO_FORMAT, type SpeechToText, type Transcript } from './types.js';
import { encodeWav } from './wav.js';

/** The model each provider uses when `voice.stt_model` is not set. */
export const DEFAULT_STT_MODELS = {
  openai: 'gpt-4o-mini-transcribe',
  groq: 'whisper-large-v3-turbo',
} as const;
export type CloudSttProvider = keyof typeof DEFAULT_STT_MODELS;

/** Shorter than 10 ms cannot hold a word: answered without a request. */
const MIN_SAMPLES = INPUT_AUDIO_FORMAT.sampleRate / 100;

type TranscriptionModel = Parameters<typeof transcribe>[0]['model'];

export class CloudSpeechToText implements SpeechToText {
  readonly name: string;
  constructor(
    private readonly provider: CloudSttProvider,
    private readonly model: TranscriptionModel,
    modelId: string,
    private readonly language: string | undefined,
  ) {
    this.name = `${provider}:${modelId}`;
  }

  async transcribe(audio: Int16Array, signal?: AbortSignal): Promise<Transcript> {
    const t0 = performance.now();
    if (signal?.aborted) throw abortReason(signal);
    if (audio.length < MIN_SAMPLES) return { text: '', ms: performance.now() - t0, engine: this.name };
    const options = this.language === undefined ? {} : { language: this.language };
    try {
      const result = await transcribe({
        model: this.model,
        audio: encodeWav(audio, INPUT_AUDIO_FORMAT.sampleRate),
        providerOptions: { [this.provider]: options },
        maxRetries: 1,
        ...(signal ? { abortSignal: signal } : {}),
      });
      return { text: result.text.trim(), ms: performance.now() - t0, engine: this.name };
    } catch (e) {
      if (signal?.aborted) throw abortReason(signal);
      // Silence gives an empty transcript, which the AI SDK reports as an error.
      if (NoTranscriptGeneratedError.isInstance(e))
        return { text: '', ms: performance.now() - t0, engine: this.name };
      throw toProviderError(e, this.provider);
    }
  }
}

/** The STT engine of `voice.stt = "openai"` or `"groq"`. */
export async function createCloudSpeechToText(
  provider: CloudSttProvider,
  voice: VoiceConfig,
  opts: SpeechEnginesOptions,
): Promise<CloudSpeechToText> {
  const settings = opts.providers?.[provider];
  const { modelId, settings: s } = resolveProviderSettings({
    provider,
    modelId: voice.stt_model ?? DEFAULT_STT_MODELS[provider],
    apiKey: settings?.api_key,
    baseURL: settings?.base_url,
    env: opts.env,
    fetch: opts.fetch,
  });
  const model =
    provider === 'openai'
      ? (await import('@ai-sdk/openai')).createOpenAI(s).transcription(modelId)
      : (await import('@ai-sdk/groq')).createGroq(s).transcription(modelId);
  return new CloudSpeechToText(provider, model, modelId, voice.language);
}
