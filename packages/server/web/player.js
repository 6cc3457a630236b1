/**
 * Gapless playback of the server's speech: each downstream `audio_chunk` (s16le mono at the
 * rate the turn's `audio-format` announced) becomes an AudioBuffer scheduled to start where
 * the previous one ends. `stop()` silences everything at once and drops chunks still in
 * flight until the next turn's `audio-format`.
 */
import { s16leToFloat } from './pcm.js';

/** Seconds of lead given to the first chunk of a run, so it is not scheduled in the past. */
const LEAD = 0.05;

export class Player {
  /** @param {HTMLElement} stats where the counters are shown as data attributes */
  constructor(stats) {
    this.stats = stats;
    this.ctx = undefined;
    this.format = undefined;
    this.muted = false;
    this.next = 0;
    this.sources = new Set();
    /** `underruns`: chunks that came after the previous one had finished playing (a gap was heard). */
    this.counts = { chunks: 0, scheduled: 0, stopped: 0, dropped: 0, underruns: 0 };
    this.report();
  }

  /** Create or wake the audio context; call it from a click so the browser lets it play. */
  unlock() {
    if (!this.ctx) this.ctx = new AudioContext();
    if (this.ctx.state === 'suspended') void this.ctx.resume().catch(() => undefined);
  }

  /**
   * The format of the chunks that follow (`audio-format`); a new turn's speech is played again.
   * @returns {string | undefined} why the format cannot be played
   */
  setFormat(f) {
    const ok =
      f &&
      f.encoding === 's16le' &&
      f.channels === 1 &&
      Number.isInteger(f.sampleRate) &&
      f.sampleRate >= 3000 &&
      f.sampleRate <= 384000;
    if (!ok) {
      this.format = undefined;
      return `audio-format ${JSON.stringify(f)?.slice(0, 80)} cannot be played (s16le mono is)`;
    }
    this.format = f;
    this.muted = false;
    return undefined;
  }

  /** @param {Uint8Array} payload one chunk's PCM */
  chunk(payload) {
    this.counts.chunks++;
    if (this.muted || !this.format || payload.byteLength < 2) {
      this.counts.dropped++;
      this.report();
      return;
    }
    this.unlock();
    const ctx = this.ctx;
    const samples = s16leToFloat(payload);
    const buffer = ctx.createBuffer(1, samples.length, this.format.sampleRate);
    buffer.copyToChannel(samples, 0);
    const src = ctx.createBufferSource();
    src.buffer = buffer;
    src.connect(ctx.destination);
    if (this.next > 0 && this.next < ctx.currentTime) this.counts.underruns++;
    const start = Math.max(this.next, ctx.currentTime + LEAD);
    src.start(start);
    this.next = start + buffer.duration;
    this.sources.add(src);
    src.addEventListener('ended', () => {
      this.sources.delete(src);
      this.report();
    });
    this.counts.scheduled++;
    this.report();
  }

  /** Stop what plays and what is scheduled; drop chunks until the next `audio-format`. */
  stop() {
    this.muted = true;
    for (const src of this.sources) {
      try {
        src.stop();
      } catch {
        // never started: nothing to stop
      }
      this.counts.stopped++;
    }
    this.sources.clear();
    this.next = 0;
    this.report();
  }

  /** Is speech playing or scheduled? */
  get playing() {
    return this.sources.size > 0;
  }

  report() {
    const d = this.stats.dataset;
    d.chunks = String(this.counts.chunks);
    d.scheduled = String(this.counts.scheduled);
    d.stopped = String(this.counts.stopped);
    d.dropped = String(this.counts.dropped);
    d.underruns = String(this.counts.underruns);
    d.playing = String(this.sources.size);
  }
}
