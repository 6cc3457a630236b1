/** Speech: the VAD, STT and TTS engines behind the interfaces of `types.ts` (docs/VOICE.md). */
export * from './types.js';
export { SpeechError } from './speech-error.js';
export { EnergyVad, frameDb } from './energy-vad.js';
export type { EnergyVadOptions } from './energy-vad.js';
export { FramedVad, DEFAULT_END_OF_SPEECH_MS } from './framed-vad.js';
export type { VadTiming } from './framed-vad.js';
export { PocketsphinxSpeechToText, POCKETSPHINX_INSTALL } from './pocketsphinx-stt.js';
export type { PocketsphinxOptions } from './pocketsphinx-stt.js';
export { EspeakTextToSpeech, ESPEAK_INSTALL, DEFAULT_MAX_TTS_CHARS } from './espeak-tts.js';
export type { EspeakOptions } from './espeak-tts.js';
export { cleanSpeechText } from './speech-text.js';
export { createSpeechEngines, createVad } from './engines.js';
export type { SpeechEngines, SpeechEnginesOptions, VoiceConfig } from './engines.js';
export { encodeWav, decodeWav, isWav, pcmFromBytes, pcmToBytes, resample } from './wav.js';
export type { DecodedAudio } from './wav.js';
export { wordErrorRate, normalizeWords } from './wer.js';
export type { WerResult } from './wer.js';
