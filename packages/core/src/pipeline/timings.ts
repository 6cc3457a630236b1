/** Wall-clock bookkeeping of a voice turn: stream time to wall time, and the turn's split. */
import type { TurnTimingsEvent } from './events.js';
import type { TurnMarks } from './steps.js';

/** Maps stream time (ms of 16 kHz audio received) to when that audio arrived. */
export class StreamClock {
  private samples = 0;
  /** Arrivals: the sample count after a chunk, and when it came; the last few hundred. */
  private readonly arrivals: { end: number; at: number }[] = [];

  received(samples: number): void {
    this.samples += samples;
    this.arrivals.push({ end: this.samples, at: performance.now() });
    if (this.arrivals.length > 512) this.arrivals.splice(0, this.arrivals.length - 512);
  }

  /** When the sample at stream time `ms` arrived (the arrival of the chunk that held it). */
  wallAt(ms: number): number {
    const sample = Math.round((ms / 1000) * 16_000);
    for (const a of this.arrivals) if (a.end >= sample) return a.at;
    return this.arrivals.at(-1)?.at ?? performance.now();
  }
}

const r = (ms: number | null): number | null => (ms === null ? null : Math.round(ms * 10) / 10);
const span = (a: number | undefined, b: number | undefined): number | null =>
  a === undefined || b === undefined ? null : b - a;

/** The split of a voice turn from its marks. */
export function sessionTurnTimings(
  m: TurnMarks,
  vadMs: number,
  speechEndAt: number,
  firstAudioAt: number | undefined,
): TurnTimingsEvent {
  const stt = span(m.sttStart, m.sttEnd) ?? 0;
  const llmFirstSentence = span(m.llmStart, m.firstSentence);
  const tts = span(m.firstSentence, m.ttsFirstChunk);
  const firstAudio = firstAudioAt === undefined ? null : firstAudioAt - speechEndAt;
  const overhead =
    firstAudio === null || llmFirstSentence === null || tts === null
      ? null
      : firstAudio - vadMs - stt - llmFirstSentence - tts;
  return {
    type: 'turn-timings',
    vadMs: r(vadMs) ?? 0,
    sttMs: r(stt) ?? 0,
    llmFirstTokenMs: r(span(m.llmStart, m.llmFirstToken)),
    llmFirstSentenceMs: r(llmFirstSentence),
    ttsFirstChunkMs: r(tts),
    firstAudioMs: r(firstAudio),
    overheadMs: r(overhead),
  };
}
