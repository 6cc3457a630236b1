/**
 * One upstream call in flight, shared by every caller that asked the same question at the
 * same time. Each reader sees every event from the start, live; the call is cancelled only
 * when every reader has left.
 */
import type { ChatEvent } from '../events.js';
import { TurnClock } from '../util/clock.js';

/** Events of one upstream call, replayed to each reader from the start and then live. */
export class Flight {
  private readonly events: ChatEvent[] = [];
  private readonly controller = new AbortController();
  private wakers: (() => void)[] = [];
  private ended = false;
  private failed = false;
  private readers = 0;

  constructor(private readonly label: string) {}

  /** Aborts when every reader has left before the end. Give it to the upstream call. */
  get signal(): AbortSignal {
    return this.controller.signal;
  }

  /** True while a newcomer may still read this call: it has not failed or been cancelled. */
  get joinable(): boolean {
    return !this.failed && !this.controller.signal.aborted;
  }

  push(e: ChatEvent): void {
    if (this.ended) return;
    if (e.type === 'error' || e.type === 'interrupted') this.failed = true;
    this.events.push(e);
    this.wake();
  }

  /** No more events will come. */
  end(): void {
    this.ended = true;
    this.wake();
  }

  /**
   * Every event of the call, from the first. When `signal` aborts, this reader gets an
   * `interrupted` event with the text it saw, and leaves; the others read on.
   */
  async *follow(signal?: AbortSignal): AsyncIterable<ChatEvent> {
    this.readers++;
    const clock = new TurnClock();
    let text = '';
    let i = 0;
    // True once this reader has seen the call's end; a reader that leaves before may cancel it.
    let complete = false;
    let left = false;
    // Leaving is counted once, and before the reader's last yield: a consumer may stop
    // reading at its `interrupted` event without ever resuming this generator.
    const leave = (): void => {
      if (left) return;
      left = true;
      this.readers--;
      if (!complete && this.readers === 0 && !this.ended) {
        this.controller.abort(signal?.aborted ? signal.reason : new Error('every reader left'));
      }
    };
    const onAbort = (): void => this.wake();
    signal?.addEventListener('abort', onAbort, { once: true });
    try {
      for (;;) {
        if (signal?.aborted) {
          leave();
          yield this.interrupted(signal, text, clock);
          return;
        }
        const e = this.events[i];
        if (e) {
          i++;
          if (e.type === 'text-delta' || e.type === 'reasoning-delta') clock.token();
          if (e.type === 'text-delta') text += e.text;
          complete = e.type === 'done' || e.type === 'error' || e.type === 'interrupted';
          yield e;
          if (complete) return;
          continue;
        }
        if (this.ended) {
          complete = true;
          return;
        }
        await new Promise<void>((resolve) => this.wakers.push(resolve));
      }
    } finally {
      signal?.removeEventListener('abort', onAbort);
      leave();
    }
  }

  private interrupted(signal: AbortSignal, partialText: string, clock: TurnClock): ChatEvent {
    return clock.interrupted(this.label, signal, partialText);
  }

  private wake(): void {
    const w = this.wakers;
    this.wakers = [];
    for (const f of w) f();
  }
}
