/**
 * The events a pipeline adds to the core's stream (docs/PIPELINES.md). A pipeline turn emits
 * the chat events of its language model plus these; front ends render both alike.
 */
import type { ChatEvent } from '../events.js';
import type { AudioFormat } from '../speech/types.js';
import type { ModelRole } from './types.js';

/** What the speech-to-text step heard in one utterance. */
export interface TranscriptEvent {
  type: 'transcript';
  text: string;
  /** The STT engine, e.g. `pocketsphinx`. */
  engine: string;
  /** Milliseconds the engine took. */
  ms: number;
  /** Length of the utterance, in ms of audio. */
  audioMs: number;
}

/** The format of the audio that follows; sent before a turn's first audio chunk. */
export interface AudioFormatEvent {
  type: 'audio-format';
  format: AudioFormat;
}

/** Synthesised speech (PCM in `format`). On the WebSocket it travels as a binary frame. */
export interface AudioEvent {
  type: 'audio';
  format: AudioFormat;
  pcm: Int16Array;
}

/** The monitor's rule fired on a video frame. */
export interface NotificationEvent {
  type: 'notification';
  /** The rule, as configured. */
  rule: string;
  /** What the vision model answered. */
  text: string;
  /** Sequence number of the frame that fired it. */
  frame: number;
}

/** A model was loaded into memory, or unloaded, by the residency manager. */
export interface ResidencyEvent {
  type: 'residency';
  action: 'load' | 'unload';
  model: string;
  role: ModelRole;
  memoryMb: number;
  /** Why: `needed by voice`, `not needed by deep-dive`, `room for local:big (LRU)`. */
  reason: string;
  /** Milliseconds the load or unload took. */
  ms: number;
  /** Resident memory after it, and the budget, in MB. */
  residentMb: number;
  budgetMb: number;
  /** When it finished (ms since the epoch). */
  at: number;
}

/**
 * Where the time of one voice turn went, from the end of the user's speech to the first byte
 * of the answer's audio. `overheadMs` is everything that is not model compute.
 */
export interface TurnTimingsEvent {
  type: 'turn-timings';
  /** End of speech (the last voiced sample arriving) to the VAD closing the utterance. */
  vadMs: number;
  /** Speech to text. */
  sttMs: number;
  /** The language model: request to first token. */
  llmFirstTokenMs: number | null;
  /** The language model: request to the first sentence handed to speech. */
  llmFirstSentenceMs: number | null;
  /** Text to speech: the first sentence to its first audio chunk. */
  ttsFirstChunkMs: number | null;
  /** End of speech to the first audio chunk handed to the client. */
  firstAudioMs: number | null;
  /** `firstAudioMs` minus the model compute above (VAD, STT, LLM to first sentence, TTS). */
  overheadMs: number | null;
}

/** Every event a pipeline turn emits. */
export type PipelineEvent =
  | ChatEvent
  | TranscriptEvent
  | AudioFormatEvent
  | AudioEvent
  | NotificationEvent
  | ResidencyEvent
  | TurnTimingsEvent;
