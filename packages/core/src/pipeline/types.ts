/**
 * The pipeline vocabulary (docs/PIPELINES.md): a pipeline is input channels, a trigger, a
 * loadout of models, linear steps with hooks, and output sinks. A mode is a named pipeline
 * definition; one pipeline is active per session.
 */

/** Where a pipeline's input comes from. */
export const INPUT_CHANNELS = ['stream/audio', 'stream/video', 'message/text', 'payload/image'] as const;
export type InputChannel = (typeof INPUT_CHANNELS)[number];

/** What starts a turn of the pipeline. */
export type Trigger =
  /** A voice activity detector closes an utterance: one turn per utterance. */
  | { kind: 'vad_gated' }
  /** Every `every`-th video frame is a turn (frames that arrive while one runs are dropped). */
  | { kind: 'continuous'; every: number }
  /** The client asks: one turn per `text` message. */
  | { kind: 'request_response' };

/** What a pipeline emits. */
export const OUTPUT_SINKS = [
  'text_token',
  'audio_chunk',
  'notification',
  'control_signal',
  'transcript',
] as const;
export type OutputSink = (typeof OUTPUT_SINKS)[number];

/** The role a model plays in a loadout. */
export const MODEL_ROLES = ['vad', 'stt', 'llm', 'vision', 'tts'] as const;
export type ModelRole = (typeof MODEL_ROLES)[number];

/** One model of a loadout. */
export interface ModelSpec {
  role: ModelRole;
  /** `provider:model`, a .gguf path, or a speech engine's name (`pocketsphinx`, `espeak-ng`). */
  id: string;
  /** Memory it takes while resident, in MB (an estimate; 0 for cloud models). */
  memoryMb: number;
}

/** Which models a pipeline needs, and their memory estimate. */
export interface Loadout {
  models: ModelSpec[];
  /** Thinking mode for the language model (deep dive). */
  think?: boolean | undefined;
  /** Route each turn through the semantic router (router mode). */
  route?: boolean | undefined;
}

/** The steps a pipeline runs, in order. */
export const STEP_NAMES = ['stt', 'route', 'llm', 'vision', 'rule', 'tts'] as const;
export type StepName = (typeof STEP_NAMES)[number];

/** Called around a step of every turn (timing, logging, custom behaviour). */
export interface StepHooks {
  /** Before the step starts on a turn. */
  before?(info: StepInfo): void;
  /** When the step has passed its last item on (or failed, or was interrupted). */
  after?(info: StepInfo & { ms: number; firstOutputMs: number | null }): void;
}

/** What hooks are told about a step. */
export interface StepInfo {
  pipeline: string;
  step: StepName;
  turn: string;
}

/** One step of a definition. */
export interface StepDefinition {
  name: StepName;
  hooks?: StepHooks | undefined;
}

/** A pipeline definition: what a mode is. Built with `definePipeline()`. */
export interface PipelineDefinition {
  /** The mode id, e.g. `voice`. */
  readonly id: string;
  /** One line for users. */
  readonly summary: string;
  readonly inputs: readonly InputChannel[];
  readonly trigger: Trigger;
  readonly loadout: Loadout;
  readonly steps: readonly StepDefinition[];
  readonly outputs: readonly OutputSink[];
}

/** Total memory of a loadout, in MB. */
export function loadoutMemoryMb(l: Loadout): number {
  return l.models.reduce((sum, m) => sum + m.memoryMb, 0);
}
