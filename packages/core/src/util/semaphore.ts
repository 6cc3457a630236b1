import { abortReason } from './abort.js';

/** A counting semaphore whose waiters can give up through an AbortSignal. */
export class Semaphore {
  private readonly waiters: { resolve: () => void; reject: (e: Error) => void }[] = [];

  constructor(private available: number) {}

  /** Requests waiting for a slot. */
  get queued(): number {
    return this.waiters.length;
  }

  /** Slots free right now (0 while every slot is taken). */
  get free(): number {
    return this.available;
  }

  acquire(signal?: AbortSignal): Promise<void> {
    if (signal?.aborted) return Promise.reject(abortReason(signal));
    if (this.available > 0) {
      this.available--;
      return Promise.resolve();
    }
    return new Promise<void>((resolve, reject) => {
      const w = {
        resolve: () => {
          signal?.removeEventListener('abort', onAbort);
          resolve();
        },
        reject,
      };
      const onAbort = (): void => {
        const i = this.waiters.indexOf(w);
        if (i >= 0) this.waiters.splice(i, 1);
        reject(abortReason(signal));
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      this.waiters.push(w);
    });
  }

  release(): void {
    const next = this.waiters.shift();
    if (next) next.resolve();
    else this.available++;
  }
}
