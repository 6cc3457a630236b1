/**
 * What a model of a loadout is, and how it is loaded: language and vision models through
 * `parley.model()` (a local GGUF is loaded into the local engine, a cloud model costs
 * nothing), speech engines through the host's factory. Memory estimates come from
 * `residency.models`, else the GGUF file's size, else a per-engine default.
 */
import { statSync } from 'node:fs';
import type { ParleyConfig } from '../config/schema.js';
import { LocalChatModel } from '../local/local-chat-model.js';
import { parseModelName } from '../model-resolver.js';
import type { Parley } from '../parley.js';
import { createSpeechEngines, createVad } from '../speech/engines.js';
import type { SpeechToText, TextToSpeech, Vad } from '../speech/types.js';
import type { ModelLoader } from './residency.js';
import type { ModelRole, ModelSpec } from './types.js';

/** Makes speech engines by name (the `[voice]` settings pick the names). */
export interface SpeechEngineFactory {
  vad(name: string): Promise<Vad>;
  stt(name: string): Promise<SpeechToText>;
  tts(name: string): Promise<TextToSpeech>;
}

/** The speech engines `[voice]` names, and a factory that makes them. */
export function speechFromConfig(
  config: ParleyConfig,
  env?: Readonly<Record<string, string | undefined>>,
): { factory: SpeechEngineFactory; names: { vad: string; stt: string; tts: string } } {
  const voice = config.voice ?? {};
  const opts = env === undefined ? {} : { env };
  // Each engine on its own: a misconfigured TTS must not keep broadcast (STT only) from starting.
  const engines = (only: Partial<typeof voice>) =>
    createSpeechEngines({ ...config, voice: { ...voice, ...only } }, opts);
  return {
    names: { vad: voice.vad ?? 'energy', stt: voice.stt ?? 'pocketsphinx', tts: voice.tts ?? 'espeak-ng' },
    factory: {
      vad: () => createVad(voice),
      stt: async () => (await engines({ tts: 'espeak-ng' })).stt,
      tts: async () => (await engines({ stt: 'pocketsphinx' })).tts,
    },
  };
}

/** A resident VAD: each audio stream gets its own detector from it. */
export interface VadSource {
  create(): Promise<Vad>;
}

/** Memory estimates of speech engines, in MB, when `residency.models` does not say. */
export const SPEECH_MEMORY_MB: Readonly<Record<string, number>> = {
  energy: 1,
  silero: 20,
  pocketsphinx: 40,
  whisper: 300,
  openai: 0,
  groq: 0,
  'espeak-ng': 10,
};

/** Default memory estimate, in MB, of a local model whose file cannot be read, or an unknown engine. */
const UNKNOWN_LOCAL_MB = 1024;
const UNKNOWN_ENGINE_MB = 50;

/** Estimated resident memory of a language or vision model: file size + 20 % for its context. */
export function chatModelMemoryMb(id: string, config: ParleyConfig): number {
  let target;
  try {
    target = parseModelName(id, config);
  } catch {
    return UNKNOWN_LOCAL_MB;
  }
  if (target.kind !== 'local') return 0;
  if (target.path === undefined) return UNKNOWN_LOCAL_MB;
  try {
    return Math.max(1, Math.round((statSync(target.path).size / 1024 / 1024) * 1.2));
  } catch {
    return UNKNOWN_LOCAL_MB;
  }
}

/** The spec of one model of a loadout, its memory from config or estimated. */
export function modelSpec(role: ModelRole, id: string, config: ParleyConfig): ModelSpec {
  const given = config.residency?.models?.[id];
  if (given !== undefined) return { role, id, memoryMb: given };
  if (role === 'llm' || role === 'vision') return { role, id, memoryMb: chatModelMemoryMb(id, config) };
  return { role, id, memoryMb: SPEECH_MEMORY_MB[id] ?? UNKNOWN_ENGINE_MB };
}

/** The loader residency uses on a parley instance and a speech factory. */
export function createModelLoader(parley: Parley, speech: SpeechEngineFactory): ModelLoader {
  return {
    async load(spec, signal) {
      switch (spec.role) {
        case 'llm':
        case 'vision': {
          const model = await parley.model(spec.id, signal);
          await model.resolveContextWindow?.();
          return model;
        }
        case 'stt':
          return speech.stt(spec.id);
        case 'tts':
          return speech.tts(spec.id);
        case 'vad': {
          const source: VadSource = { create: () => speech.vad(spec.id) };
          return source;
        }
      }
    },
    async unload(spec, loaded) {
      if (spec.role === 'llm' || spec.role === 'vision') {
        if (loaded instanceof LocalChatModel) await parley.engine.unload(loaded.path);
        return;
      }
      const engine = loaded as { dispose?: () => Promise<void> } | undefined;
      await engine?.dispose?.();
    },
  };
}
