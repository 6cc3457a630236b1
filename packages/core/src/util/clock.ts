import type { InterruptedEvent, Timings, Usage } from '../events.js';
import { abortMessage } from './abort.js';

/** Measures time to first token and tokens per second of one turn. */
export class TurnClock {
  private readonly start = performance.now();
  private firstAt: number | undefined;

  /** Mark that a token arrived (only the first call counts). */
  token(): void {
    this.firstAt ??= performance.now();
  }

  get started(): boolean {
    return this.firstAt !== undefined;
  }

  /** The `interrupted` event of a turn cancelled through `signal`, timed by this clock. */
  interrupted(
    model: string,
    signal: AbortSignal | undefined,
    partialText: string,
    usage: Usage = {},
  ): InterruptedEvent {
    return {
      type: 'interrupted',
      model,
      reason: abortMessage(signal),
      partialText,
      usage,
      timings: this.timings(usage.outputTokens),
    };
  }

  timings(outputTokens: number | undefined): Timings {
    const end = performance.now();
    const ttftMs = this.firstAt === undefined ? null : round(this.firstAt - this.start);
    let tokensPerSecond: number | null = null;
    if (this.firstAt !== undefined && outputTokens !== undefined && outputTokens > 1) {
      const genMs = end - this.firstAt;
      // The first token arrives at firstAt; the rest are generated afterwards.
      if (genMs > 0) tokensPerSecond = round(((outputTokens - 1) * 1000) / genMs);
    }
    return { ttftMs, totalMs: round(end - this.start), tokensPerSecond };
  }
}

function round(n: number): number {
  return Math.round(n * 100) / 100;
}
