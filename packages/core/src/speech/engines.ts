/**
 * `createSpeechEngines(config)`: the VAD, STT and TTS engines that the `[voice]` section of
 * the configuration names (docs/VOICE.md). Engines with heavy or optional dependencies
 * (Silero's ONNX runtime, a local Whisper, the AI SDK providers) are imported only when chosen.
 */
import type { ConfigLayer } from '../config/schema.js';
import { EnergyVad } from './energy-vad.js';
import { EspeakTextToSpeech } from './espeak-tts.js';
import { PocketsphinxSpeechToText } from './pocketsphinx-stt.js';
import { speakStream, type SpeakStreamOptions } from './speak-stream.js';
import type { AudioChunk, SpeechToText, TextToSpeech, Vad } from './types.js';

/** The `[voice]` settings. */
export type VoiceConfig = NonNullable<ConfigLayer['voice']>;

/** What `createSpeechEngines` needs besides the `[voice]` section. */
export interface SpeechEnginesOptions {
  /** `[providers]`: API keys and base URLs of the cloud engines. */
  providers?: ConfigLayer['providers'];
  /** Where API keys are looked up (default `process.env`). */
  env?: Readonly<Record<string, string | undefined>>;
  /** A `fetch` for the cloud engines (tests, proxies). */
  fetch?: typeof globalThis.fetch;
}

/** The engines of one configuration. */
export interface SpeechEngines {
  readonly config: VoiceConfig;
  /** A new VAD: one per audio stream (VADs are stateful). */
  createVad(): Promise<Vad>;
  readonly stt: SpeechToText;
  readonly tts: TextToSpeech;
  /** `speakStream` with this TTS and `max_sentence_chars`: audio for a reply as it streams. */
  speak(
    textDeltas: AsyncIterable<string>,
    signal?: AbortSignal,
    opts?: Omit<SpeakStreamOptions, 'maxChars'>,
  ): AsyncGenerator<AudioChunk>;
  /** Release what the engines hold (models, sessions). */
  dispose(): Promise<void>;
}

/** Build the engines `config.voice` asks for (defaults: energy VAD, pocketsphinx, espeak-ng). */
export async function createSpeechEngines(
  config: Pick<ConfigLayer, 'voice' | 'providers'>,
  opts: SpeechEnginesOptions = {},
): Promise<SpeechEngines> {
  const voice: VoiceConfig = config.voice ?? {};
  const providers = opts.providers ?? config.providers ?? {};
  const stt = await createStt(voice, { ...opts, providers });
  const tts = await createTts(voice, { ...opts, providers });
  return {
    config: voice,
    createVad: () => createVad(voice),
    stt,
    tts,
    speak: (textDeltas, signal, speakOpts = {}) =>
      speakStream(tts, textDeltas, signal, {
        ...speakOpts,
        ...(voice.max_sentence_chars === undefined ? {} : { maxChars: voice.max_sentence_chars }),
      }),
    async dispose() {
      await stt.dispose?.();
      await tts.dispose?.();
    },
  };
}

/** A VAD as `[voice]` configures it. */
export async function createVad(voice: VoiceConfig): Promise<Vad> {
  const timing = voice.end_of_speech_ms === undefined ? {} : { endOfSpeechMs: voice.end_of_speech_ms };
  switch (voice.vad ?? 'energy') {
    case 'energy':
      return new EnergyVad(timing);
    case 'silero': {
      const { SileroVad } = await import('./silero-vad.js');
      return SileroVad.create({
        ...timing,
        ...(voice.vad_threshold === undefined ? {} : { threshold: voice.vad_threshold }),
      });
    }
  }
}

async function createStt(voice: VoiceConfig, opts: SpeechEnginesOptions): Promise<SpeechToText> {
  const engine = voice.stt ?? 'pocketsphinx';
  switch (engine) {
    case 'pocketsphinx':
      return new PocketsphinxSpeechToText(voice.grammar === undefined ? {} : { jsgf: voice.grammar });
    case 'whisper': {
      const { WhisperSpeechToText } = await import('./whisper-stt.js');
      return WhisperSpeechToText.create({
        ...(voice.stt_model === undefined ? {} : { model: voice.stt_model }),
        ...(voice.language === undefined ? {} : { language: voice.language }),
      });
    }
    case 'openai':
    case 'groq': {
      const { createCloudSpeechToText } = await import('./cloud-stt.js');
      return createCloudSpeechToText(engine, voice, opts);
    }
  }
}

async function createTts(voice: VoiceConfig, opts: SpeechEnginesOptions): Promise<TextToSpeech> {
  switch (voice.tts ?? 'espeak-ng') {
    case 'espeak-ng':
      return new EspeakTextToSpeech({
        ...(voice.voice === undefined ? {} : { voice: voice.voice }),
        // espeak-ng's own default is 175 words per minute.
        ...(voice.speed === undefined ? {} : { rate: 175 * voice.speed }),
        ...(voice.max_tts_chars === undefined ? {} : { maxChars: voice.max_tts_chars }),
      });
    case 'openai': {
      const { createCloudTextToSpeech } = await import('./cloud-tts.js');
      return createCloudTextToSpeech(voice, opts);
    }
  }
}
