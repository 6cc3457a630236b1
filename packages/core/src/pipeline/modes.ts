/**
 * The seven built-in modes as pipeline definitions, and the settings they are made from
 * (the `[pipelines]` config section).
 */
import type { ParleyConfig } from '../config/schema.js';
import { defaultModelName } from '../model-resolver.js';
import { definePipeline, ModeRegistry } from './builder.js';
import type { ModelSpec } from './types.js';

/** The built-in modes' ids, in the order `ready.modes` and `/mode` list them. */
export const MODE_IDS = ['text', 'voice', 'broadcast', 'visual', 'monitor', 'router', 'deep-dive'] as const;
export type ModeId = (typeof MODE_IDS)[number];

/** Modes that need a microphone or a camera: a browser or another WebSocket client. */
export const STREAMING_MODES: readonly ModeId[] = ['voice', 'broadcast', 'monitor'];

/** `[pipelines]` with its defaults. */
export interface PipelineSettings {
  voiceModel: string;
  visionModel: string;
  reasoningModel: string;
  voiceMaxTokens: number;
  visualSpeak: boolean;
  audioLeadMs: number;
  monitorEvery: number;
  monitorRule: string;
  videoBacklog: number;
}

export const DEFAULT_MONITOR_RULE =
  'Is there a person in this picture? Answer yes or no first, then say what you see in a few words.';

/** The `[pipelines]` section with every default filled in. */
export function pipelineSettings(config: ParleyConfig): PipelineSettings {
  const p = config.pipelines ?? {};
  const model = defaultModelName(config);
  return {
    voiceModel: p.voice_model ?? model,
    visionModel: p.vision_model ?? model,
    reasoningModel: p.reasoning_model ?? model,
    voiceMaxTokens: p.voice_max_tokens ?? 256,
    visualSpeak: p.visual_speak ?? false,
    audioLeadMs: p.audio_lead_ms ?? 400,
    monitorEvery: p.monitor_every ?? 10,
    monitorRule: p.monitor_rule ?? DEFAULT_MONITOR_RULE,
    videoBacklog: p.video_backlog ?? 8,
  };
}

/** The models the built-in modes are made of. */
export interface ModeModels {
  vad: ModelSpec;
  stt: ModelSpec;
  tts: ModelSpec;
  /** Text chat and router mode: the session's model. */
  chat: ModelSpec;
  /** Voice chat's language model. */
  voice: ModelSpec;
  vision: ModelSpec;
  reasoning: ModelSpec;
}

/** The registry of the seven built-in modes. */
export function builtinModes(
  m: ModeModels,
  s: Pick<PipelineSettings, 'monitorEvery' | 'visualSpeak'>,
): ModeRegistry {
  const text = definePipeline('text')
    .summary('type and read: one model answers each message')
    .input('message/text', 'payload/image')
    .trigger({ kind: 'request_response' })
    .loadout([m.chat])
    .step('llm')
    .output('text_token', 'control_signal')
    .build();
  const voice = definePipeline('voice')
    .summary('talk and listen: speech to text, the model, text to speech; speak to interrupt')
    .input('stream/audio', 'message/text')
    .trigger({ kind: 'vad_gated' })
    .loadout([m.vad, m.stt, m.voice, m.tts])
    .step('stt')
    .step('llm')
    .step('tts')
    .output('transcript', 'text_token', 'audio_chunk')
    .build();
  const broadcast = definePipeline('broadcast')
    .summary('live transcription: speech to text only')
    .input('stream/audio')
    .trigger({ kind: 'vad_gated' })
    .loadout([m.vad, m.stt])
    .step('stt')
    .output('transcript')
    .build();
  const visualBuilder = definePipeline('visual')
    .summary(`an image and a question to the vision model${s.visualSpeak ? ', answered aloud' : ''}`)
    .input('message/text', 'payload/image')
    .trigger({ kind: 'request_response' })
    .loadout(s.visualSpeak ? [m.vision, m.tts] : [m.vision])
    .step('vision');
  if (s.visualSpeak) visualBuilder.step('tts').output('audio_chunk');
  const visual = visualBuilder.output('text_token').build();
  const monitor = definePipeline('monitor')
    .summary(
      `watch the camera: every ${s.monitorEvery}th frame to the vision model, a notification when the rule fires`,
    )
    .input('stream/video')
    .trigger({ kind: 'continuous', every: s.monitorEvery })
    .loadout([m.vision])
    .step('vision')
    .step('rule')
    .output('notification')
    .build();
  const router = definePipeline('router')
    .summary('the semantic router picks the handler (model, thinking) of each message')
    .input('message/text', 'payload/image')
    .trigger({ kind: 'request_response' })
    .loadout([m.chat], { route: true })
    .step('route')
    .step('llm')
    .output('text_token', 'control_signal')
    .build();
  const deepDive = definePipeline('deep-dive')
    .summary('the heavy reasoning model with thinking on (it may take a while to load)')
    .input('message/text', 'payload/image')
    .trigger({ kind: 'request_response' })
    .loadout([m.reasoning], { think: true })
    .step('llm')
    .output('text_token')
    .build();
  return new ModeRegistry([text, voice, broadcast, visual, monitor, router, deepDive]);
}
