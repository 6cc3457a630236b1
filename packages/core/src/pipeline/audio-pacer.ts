/**
 * Sends synthesised speech at the pace it plays, a little ahead (`leadMs`), so that what
 * has not been sent yet can be dropped at once on an interrupt and a client never holds
 * seconds of audio it would have to throw away.
 */
import type { AudioFormat } from '../speech/types.js';

/** One piece of audio as it leaves the pacer. */
export interface PacedAudio {
  turn: string;
  format: AudioFormat;
  pcm: Int16Array;
}

/** Pieces are cut to this length so a flush stops within one of them. */
const PIECE_MS = 100;

export class AudioPacer {
  private queue: PacedAudio[] = [];
  private timer: NodeJS.Timeout | undefined;
  /** When the audio sent so far started playing, and how much of it there is. */
  private startedAt = 0;
  private sentMs = 0;
  private drained: (() => void)[] = [];

  constructor(
    private readonly leadMs: number,
    private readonly send: (a: PacedAudio) => void,
  ) {}

  /** Queue a chunk; it is sent as soon as it is no more than `leadMs` ahead of playback. */
  push(turn: string, format: AudioFormat, pcm: Int16Array): void {
    const piece = Math.max(1, Math.round((format.sampleRate * PIECE_MS) / 1000));
    for (let i = 0; i < pcm.length; i += piece) {
      this.queue.push({ turn, format, pcm: pcm.subarray(i, Math.min(pcm.length, i + piece)) });
    }
    this.pump();
  }

  /** Playback of what was sent is still going on (as the client plays it in real time). */
  get playing(): boolean {
    return this.queue.length > 0 || performance.now() < this.startedAt + this.sentMs;
  }

  /** Milliseconds of audio not yet sent. */
  get queuedMs(): number {
    return this.queue.reduce((ms, a) => ms + (a.pcm.length / a.format.sampleRate) * 1000, 0);
  }

  /** Resolves once everything queued has been sent. */
  whenSent(): Promise<void> {
    if (this.queue.length === 0) return Promise.resolve();
    return new Promise((resolve) => this.drained.push(resolve));
  }

  /** Drop everything not sent yet (an interrupt); returns the ms dropped. */
  flush(): number {
    const dropped = this.queuedMs;
    this.queue = [];
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    this.startedAt = 0;
    this.sentMs = 0;
    for (const d of this.drained.splice(0)) d();
    return dropped;
  }

  private pump(): void {
    if (this.timer) return;
    for (;;) {
      const next = this.queue[0];
      if (!next) break;
      const now = performance.now();
      if (now >= this.startedAt + this.sentMs) {
        // Playback had caught up (or never started): a new stretch of audio starts now.
        this.startedAt = now;
        this.sentMs = 0;
      }
      const ahead = this.startedAt + this.sentMs - now;
      if (ahead > this.leadMs) {
        this.timer = setTimeout(() => {
          this.timer = undefined;
          this.pump();
        }, ahead - this.leadMs);
        return;
      }
      this.queue.shift();
      this.sentMs += (next.pcm.length / next.format.sampleRate) * 1000;
      this.send(next);
    }
    for (const d of this.drained.splice(0)) d();
  }
}
