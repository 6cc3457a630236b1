/**
 * Saving a WebSocket turn beside it: the turn's events are copied to a `ConversationLog`
 * that runs on its own, so a slow disk never delays a token. The log commits the user's
 * message first; `ready` resolves once it has (or has failed, which it reports as a
 * notice), and only then may the request go out.
 */
import type { ChatEvent, ConversationLog, MessagePart, NoticeEvent, TurnInfo } from '@parley/core';

export class TurnLog {
  private readonly queue: ChatEvent[] = [];
  private wake: (() => void) | undefined;
  private ended = false;
  private markReady!: () => void;
  /** Resolves when the user's message is committed (or saving failed): the request may go out. */
  readonly ready: Promise<void>;
  /** Resolves when the reply's last save is done. */
  readonly done: Promise<void>;

  constructor(
    readonly log: ConversationLog,
    user: readonly MessagePart[],
    turn: TurnInfo,
    onNotice: (e: NoticeEvent) => void,
  ) {
    this.ready = new Promise((resolve) => (this.markReady = resolve));
    this.done = (async () => {
      for await (const e of log.record(user, this.events(), turn)) if (e.type === 'notice') onNotice(e);
    })()
      .catch(() => undefined)
      .finally(() => this.markReady());
  }

  /** Copy `stream`'s events to the log as they pass; the log's stream ends with it. */
  async *tap(stream: AsyncIterable<ChatEvent>): AsyncGenerator<ChatEvent> {
    try {
      for await (const e of stream) {
        this.push(e);
        yield e;
      }
    } finally {
      this.end();
    }
  }

  private async *events(): AsyncGenerator<ChatEvent> {
    // The log asks for the first event only after it has committed the user's message.
    this.markReady();
    for (;;) {
      const e = this.queue.shift();
      if (e) {
        yield e;
        continue;
      }
      if (this.ended) return;
      await new Promise<void>((resolve) => (this.wake = resolve));
    }
  }

  private push(e: ChatEvent): void {
    this.queue.push(e);
    this.wake?.();
    this.wake = undefined;
  }

  private end(): void {
    this.ended = true;
    this.wake?.();
    this.wake = undefined;
  }
}
