/**
 * The speech engines' vocabulary. Every engine lives behind one of these interfaces, and each
 * interface has one conformance suite that every implementation passes.
 *
 * Audio inside parley is PCM signed 16-bit little-endian mono. Upstream (microphones, the
 * WebSocket) it is 16 kHz; a TTS engine announces its own format.
 */

/** The format of a PCM stream. */
export interface AudioFormat {
  /** Always `s16le` for now. */
  encoding: 's16le';
  sampleRate: number;
  channels: 1;
}

/** The format of audio coming in: 16 kHz mono s16le. */
export const INPUT_AUDIO_FORMAT: AudioFormat = { encoding: 's16le', sampleRate: 16_000, channels: 1 };

/** What a VAD says about the audio it has been fed so far. */
export type VadEvent =
  | { type: 'speech-start'; atMs: number }
  /** Speech ended `atMs` (stream time); `audio` is the utterance, from its start to its end. */
  | { type: 'speech-end'; atMs: number; audio: Int16Array };

/** Voice activity detection over a 16 kHz mono stream. Stateful: one per stream. */
export interface Vad {
  readonly name: string;
  /** Feed samples (any length); returns what happened in them, in order. */
  push(samples: Int16Array): Promise<VadEvent[]>;
  /** End of stream: close an utterance still open. */
  flush(): Promise<VadEvent[]>;
  /** Forget all state (after an interrupt or a mode switch). */
  reset(): void;
  dispose?(): Promise<void>;
}

/** What an STT engine heard. */
export interface Transcript {
  text: string;
  /** Milliseconds the engine took. */
  ms: number;
  /** The engine's name, e.g. `pocketsphinx` or `openai:whisper-1`. */
  engine: string;
}

/** Speech to text over whole utterances (16 kHz mono s16le). */
export interface SpeechToText {
  readonly name: string;
  transcribe(audio: Int16Array, signal?: AbortSignal): Promise<Transcript>;
  dispose?(): Promise<void>;
}

/** One piece of synthesised audio. */
export interface AudioChunk {
  format: AudioFormat;
  pcm: Int16Array;
}

/** Text to speech. `synthesize` yields audio as it is made; a sentence at a time is enough. */
export interface TextToSpeech {
  readonly name: string;
  /** The format every chunk from this engine has. */
  readonly format: AudioFormat;
  synthesize(text: string, signal?: AbortSignal): AsyncIterable<AudioChunk>;
  dispose?(): Promise<void>;
}
