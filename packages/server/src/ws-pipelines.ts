/**
 * The server's side of pipelines: the modes it offers, the residency manager every session
 * shares, the speech engines, and the active pipeline of each session (one at most).
 */
import {
  builtinModes,
  createModelLoader,
  defaultModelName,
  ModelResidency,
  modelSpec,
  pipelineSettings,
  type ModeRegistry,
  type Parley,
  type ParleyMetrics,
  type PipelineSession,
  type PipelineSettings,
  type SpeechEngineFactory,
} from '@parley/core';

/** Names of the speech engines the voice modes use. */
export interface SpeechEngineNames {
  vad: string;
  stt: string;
  tts: string;
}

/** The speech engines to use, and which of them. */
export interface PipelineSpeech {
  factory: SpeechEngineFactory;
  names: SpeechEngineNames;
}

/** Everything pipelines share on one server. */
export class PipelineHost {
  readonly settings: PipelineSettings;
  readonly modes: ModeRegistry;
  readonly residency: ModelResidency;
  /**
   * The active pipeline of each session and its owner, the one place that says which
   * connection runs it: the last to start or resume it. Only the owner's frames feed it and
   * its events go only to the owner.
   */
  readonly active = new Map<string, { pipeline: PipelineSession; owner: object }>();

  constructor(
    readonly parley: Parley,
    metrics: ParleyMetrics,
    speech: PipelineSpeech,
  ) {
    const c = parley.config;
    const s = pipelineSettings(c);
    this.settings = s;
    this.modes = builtinModes(
      {
        vad: modelSpec('vad', speech.names.vad, c),
        stt: modelSpec('stt', speech.names.stt, c),
        tts: modelSpec('tts', speech.names.tts, c),
        chat: modelSpec('llm', defaultModelName(c), c),
        voice: modelSpec('llm', s.voiceModel, c),
        vision: modelSpec('vision', s.visionModel, c),
        reasoning: modelSpec('llm', s.reasoningModel, c),
      },
      s,
    );
    this.residency = new ModelResidency({
      budgetMb: c.residency?.budget_mb ?? 8192,
      sticky: c.residency?.sticky,
      loader: createModelLoader(parley, speech.factory),
      metrics,
    });
  }

  /** Tear down every pipeline and unload every model (shutdown). */
  async close(): Promise<void> {
    const all = [...this.active.values()];
    this.active.clear();
    await Promise.all(all.map((a) => a.pipeline.dispose('the server is shutting down')));
    await this.residency.dispose();
  }
}
