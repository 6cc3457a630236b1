/**
 * The state machine every parley VAD shares: audio is cut into fixed frames, a scorer gives
 * each frame a speech probability, and hysteresis plus timing turn the scores into
 * `speech-start` / `speech-end` events. Subclasses give only the scorer.
 */
import type { Vad, VadEvent } from './types.js';
import { INPUT_AUDIO_FORMAT } from './types.js';

export interface VadTiming {
  /** Silence that ends an utterance, in ms (default 200; the energy VAD's is 300). */
  endOfSpeechMs?: number;
  /** Speech needed to open an utterance, in ms (default 60). */
  minSpeechMs?: number;
  /** Audio kept from before the start, in ms (default 200), so the first word is whole. */
  preRollMs?: number;
  /** An utterance is closed after this long, in ms (default 30000). */
  maxUtteranceMs?: number;
}

export const DEFAULT_END_OF_SPEECH_MS = 200;
const RATE = INPUT_AUDIO_FORMAT.sampleRate;

/** A frame scorer: the probability (0..1) that a frame holds speech. */
export abstract class FramedVad implements Vad {
  abstract readonly name: string;
  private readonly frameSamples: number;
  private readonly endFrames: number;
  private readonly startFrames: number;
  private readonly preRollFrames: number;
  private readonly maxFrames: number;
  /** Above this a frame is speech; below `offThreshold` it is silence (between: unchanged). */
  protected readonly onThreshold: number;
  protected readonly offThreshold: number;

  private pending = new Int16Array(0);
  private frameIndex = 0;
  /** Recent frames, kept for the pre-roll and the frames that open an utterance. */
  private recent: Int16Array[] = [];
  private utterance: Int16Array[] | undefined;
  private startFrame = 0;
  private speechRun = 0;
  private silenceRun = 0;
  private speaking = false;

  protected constructor(frameSamples: number, timing: VadTiming, thresholds: { on: number; off: number }) {
    this.frameSamples = frameSamples;
    const frames = (ms: number): number => Math.max(1, Math.round((ms * RATE) / 1000 / frameSamples));
    this.endFrames = frames(timing.endOfSpeechMs ?? DEFAULT_END_OF_SPEECH_MS);
    this.startFrames = frames(timing.minSpeechMs ?? 60);
    this.preRollFrames = Math.round(((timing.preRollMs ?? 200) * RATE) / 1000 / frameSamples);
    this.maxFrames = frames(timing.maxUtteranceMs ?? 30_000);
    this.onThreshold = thresholds.on;
    this.offThreshold = thresholds.off;
  }

  /** The speech probability of one frame of `frameSamples` samples. */
  protected abstract score(frame: Int16Array): Promise<number> | number;
  /** Forget the scorer's own state. */
  protected resetScorer(): void {}

  async push(samples: Int16Array): Promise<VadEvent[]> {
    const events: VadEvent[] = [];
    let buf = samples;
    if (this.pending.length > 0) {
      buf = new Int16Array(this.pending.length + samples.length);
      buf.set(this.pending);
      buf.set(samples, this.pending.length);
    }
    let off = 0;
    for (; off + this.frameSamples <= buf.length; off += this.frameSamples) {
      // A copy: the caller may reuse its buffer.
      await this.frame(buf.slice(off, off + this.frameSamples), events);
    }
    this.pending = buf.slice(off);
    return events;
  }

  async flush(): Promise<VadEvent[]> {
    const events: VadEvent[] = [];
    if (this.utterance) {
      if (this.pending.length > 0) this.utterance.push(this.pending);
      this.close(events, this.atMs(this.frameIndex) + (this.pending.length * 1000) / RATE);
    }
    this.pending = new Int16Array(0);
    return events;
  }

  reset(): void {
    this.pending = new Int16Array(0);
    this.frameIndex = 0;
    this.recent = [];
    this.utterance = undefined;
    this.speechRun = 0;
    this.silenceRun = 0;
    this.speaking = false;
    this.resetScorer();
  }

  private async frame(frame: Int16Array, events: VadEvent[]): Promise<void> {
    const p = await this.score(frame);
    const index = this.frameIndex++;
    if (p >= this.onThreshold) this.speaking = true;
    else if (p < this.offThreshold) this.speaking = false;

    if (!this.utterance) {
      this.recent.push(frame);
      if (this.recent.length > this.preRollFrames + this.startFrames) this.recent.shift();
      this.speechRun = this.speaking ? this.speechRun + 1 : 0;
      if (this.speechRun >= this.startFrames) {
        this.utterance = this.recent;
        this.recent = [];
        this.startFrame = index + 1 - this.utterance.length;
        this.silenceRun = 0;
        events.push({ type: 'speech-start', atMs: this.atMs(index + 1 - this.startFrames) });
      }
      return;
    }
    this.utterance.push(frame);
    this.silenceRun = this.speaking ? 0 : this.silenceRun + 1;
    if (this.silenceRun >= this.endFrames || index + 1 - this.startFrame >= this.maxFrames) {
      this.close(events, this.atMs(index + 1));
    }
  }

  private close(events: VadEvent[], atMs: number): void {
    const parts = this.utterance ?? [];
    const audio = new Int16Array(parts.reduce((n, p) => n + p.length, 0));
    let o = 0;
    for (const p of parts) {
      audio.set(p, o);
      o += p.length;
    }
    this.utterance = undefined;
    this.speechRun = 0;
    this.silenceRun = 0;
    this.speaking = false;
    events.push({ type: 'speech-end', atMs, audio });
  }

  private atMs(frame: number): number {
    return (frame * this.frameSamples * 1000) / RATE;
  }
}
