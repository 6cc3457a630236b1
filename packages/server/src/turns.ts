/**
 * Every turn in flight, whichever API started it, so a shutdown can interrupt them all and
 * wait until each has sent its last event.
 */
import type { ParleyMetrics } from '@parley/core';

/** Which front door a server turn came through. */
export type TurnApi = 'openai' | 'ws';

/** One turn in flight: cancel it through `abort()`; call `end()` once its last event is out. */
export interface ActiveTurn {
  readonly api: TurnApi;
  readonly signal: AbortSignal;
  /** Cancel the turn; the reason becomes the `interrupted` event's reason. */
  abort(reason: string): void;
  /** Mark the turn finished (idempotent). */
  end(): void;
}

/** The set of turns in flight. */
export class TurnRegistry {
  private readonly active = new Set<ActiveTurn>();
  private readonly idleWaiters: (() => void)[] = [];
  private closingReason: string | undefined;

  constructor(private readonly metrics: ParleyMetrics) {}

  /** Set once the server is shutting down: no new turns start. */
  get closing(): string | undefined {
    return this.closingReason;
  }

  get size(): number {
    return this.active.size;
  }

  /** Register a new turn. */
  start(api: TurnApi): ActiveTurn {
    const ac = new AbortController();
    let ended = false;
    const turn: ActiveTurn = {
      api,
      signal: ac.signal,
      abort: (reason) => {
        if (!ac.signal.aborted) ac.abort(reason);
      },
      end: () => {
        if (ended) return;
        ended = true;
        this.active.delete(turn);
        this.metrics.activeTurns.dec({ api });
        if (this.active.size === 0) for (const w of this.idleWaiters.splice(0)) w();
      },
    };
    this.active.add(turn);
    this.metrics.activeTurns.inc({ api });
    return turn;
  }

  /** Refuse new turns and interrupt every running one. */
  interruptAll(reason: string): void {
    this.closingReason ??= reason;
    for (const t of this.active) t.abort(reason);
  }

  /** Resolves when no turn is running, or after `timeoutMs`. */
  idle(timeoutMs: number): Promise<void> {
    if (this.active.size === 0) return Promise.resolve();
    return new Promise((resolve) => {
      const t = setTimeout(resolve, timeoutMs);
      this.idleWaiters.push(() => {
        clearTimeout(t);
        resolve();
      });
    });
  }
}
