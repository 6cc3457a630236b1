/** Pipelines and modes (docs/PIPELINES.md). */
export * from './types.js';
export * from './events.js';
export {
  definePipeline,
  PipelineBuilder,
  PipelineDefinitionError,
  ModeRegistry,
  checkDefinition,
} from './builder.js';
export {
  MODE_IDS,
  STREAMING_MODES,
  DEFAULT_MONITOR_RULE,
  builtinModes,
  pipelineSettings,
  type ModeId,
  type ModeModels,
  type PipelineSettings,
} from './modes.js';
export {
  ModelResidency,
  type ModelLoader,
  type ResidencyOptions,
  type ResidencyLease,
  type ResidentModel,
} from './residency.js';
export {
  createModelLoader,
  speechFromConfig,
  modelSpec,
  chatModelMemoryMb,
  SPEECH_MEMORY_MB,
  type SpeechEngineFactory,
  type VadSource,
} from './loader.js';
export {
  PipelineSession,
  type PipelineSessionOptions,
  type PipelineTurnEnd,
  type FrameOutcome,
} from './session.js';
export { AudioPacer, type PacedAudio } from './audio-pacer.js';
export { runSteps, STEPS, type TurnContext, type TurnInput, type FlowItem } from './steps.js';
export { StreamClock, sessionTurnTimings } from './timings.js';
