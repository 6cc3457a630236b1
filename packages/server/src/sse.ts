/** Server-sent events over a Node stream, with backpressure and disconnect detection. */
import { PassThrough } from 'node:stream';

/** Headers of an SSE response. */
export const SSE_HEADERS: Readonly<Record<string, string>> = {
  'content-type': 'text/event-stream; charset=utf-8',
  'cache-control': 'no-cache, no-transform',
  connection: 'keep-alive',
  'x-accel-buffering': 'no',
};

/** The end-of-stream marker of OpenAI's streaming API. */
export const SSE_DONE = 'data: [DONE]\n\n';

/** One `data:` event carrying JSON. */
export function sseData(value: unknown): string {
  return `data: ${JSON.stringify(value)}\n\n`;
}

/** A stream of SSE text to hand to `reply.send()`; `write()` waits while the client is slow. */
export class SseStream {
  readonly stream = new PassThrough();
  private closed = false;

  constructor() {
    this.stream.on('close', () => (this.closed = true));
    this.stream.on('error', () => (this.closed = true));
  }

  /** True once the client is gone or the stream has ended. */
  get isClosed(): boolean {
    return this.closed || this.stream.destroyed;
  }

  /** Write an event; resolves when the client can take more (or is gone). */
  async write(text: string): Promise<void> {
    if (this.isClosed) return;
    if (this.stream.write(text)) return;
    await new Promise<void>((resolve) => {
      const done = (): void => {
        this.stream.off('drain', done);
        this.stream.off('close', done);
        resolve();
      };
      this.stream.on('drain', done);
      this.stream.on('close', done);
    });
  }

  /** End the response. */
  end(): void {
    if (!this.isClosed) this.stream.end();
  }
}
