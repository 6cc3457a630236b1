/**
 * A VAD with no model: a 30 ms frame is speech when its loudness (RMS, in dBFS) is well above
 * the noise floor, the quietest frame of the last 3 seconds (minimum statistics: the pauses
 * between words keep it low during speech, and a steady hum becomes the floor). Cheap and
 * predictable; it cannot tell speech from other loud sounds (Silero can).
 */
import { FramedVad, type VadTiming } from './framed-vad.js';

export interface EnergyVadOptions extends VadTiming {
  /** A frame is speech this many dB above the noise floor (default 12). */
  marginDb?: number;
  /** … and never below this level, in dBFS (default -50). */
  minDb?: number;
}

/**
 * The energy VAD's end-of-speech delay: at 150 ms it cut 2 of 6 recorded sentences in the
 * middle, at 200 ms none, so 300 ms leaves a margin (bench/speech.bench.js, docs/VOICE.md).
 */
export const ENERGY_END_OF_SPEECH_MS = 300;
const FRAME = 480; // 30 ms at 16 kHz
const FLOOR_WINDOW_FRAMES = 100; // 3 s

/** RMS level of a frame in dBFS (-120 for digital silence). */
export function frameDb(frame: Int16Array): number {
  let sum = 0;
  for (const s of frame) sum += s * s;
  const rms = Math.sqrt(sum / Math.max(1, frame.length)) / 32768;
  return rms > 1e-6 ? 20 * Math.log10(rms) : -120;
}

export class EnergyVad extends FramedVad {
  readonly name = 'energy';
  private readonly marginDb: number;
  private readonly minDb: number;
  /** Levels of the last frames, newest last. */
  private levels: number[] = [];

  constructor(opts: EnergyVadOptions = {}) {
    super(
      FRAME,
      { ...opts, endOfSpeechMs: opts.endOfSpeechMs ?? ENERGY_END_OF_SPEECH_MS },
      { on: 0.5, off: 0.5 },
    );
    this.marginDb = opts.marginDb ?? 12;
    this.minDb = opts.minDb ?? -50;
  }

  protected score(frame: Int16Array): number {
    const db = frameDb(frame);
    // The very first frame has no floor yet: only the fixed minimum applies to it.
    let floor = this.levels.length === 0 ? -Infinity : Infinity;
    for (const l of this.levels) floor = Math.min(floor, l);
    this.levels.push(db);
    if (this.levels.length > FLOOR_WINDOW_FRAMES) this.levels.shift();
    return db >= Math.max(this.minDb, floor + this.marginDb) ? 1 : 0;
  }

  protected override resetScorer(): void {
    this.levels = [];
  }
}
