/** Small helpers around AbortSignal. */

/** A promise that resolves after `ms`, or rejects early when `signal` aborts. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) {
      reject(abortReason(signal));
      return;
    }
    const t = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = (): void => {
      clearTimeout(t);
      reject(abortReason(signal));
    };
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

export function abortReason(signal: AbortSignal | undefined): Error {
  const r: unknown = signal?.reason;
  if (r instanceof Error) return r;
  const e = new Error(typeof r === 'string' ? r : 'The operation was aborted');
  e.name = 'AbortError';
  return e;
}

/** A human-readable reason for an aborted signal. */
export function abortMessage(signal: AbortSignal | undefined): string {
  const r: unknown = signal?.reason;
  if (r instanceof Error) return r.name === 'AbortError' ? 'cancelled' : r.message;
  if (typeof r === 'string' && r) return r;
  return 'cancelled';
}

/** A cancel handle whose signal also follows every given parent signal. */
export interface LinkedAbort {
  readonly signal: AbortSignal;
  abort(reason?: unknown): void;
}

/**
 * A controller whose signal aborts when it is aborted or any parent is. Built on
 * `AbortSignal.any`, so nothing stays attached to a long-lived parent signal.
 */
export function linkedController(...parents: (AbortSignal | undefined)[]): LinkedAbort {
  const own = new AbortController();
  const live = parents.filter((p): p is AbortSignal => p !== undefined);
  const signal = live.length === 0 ? own.signal : AbortSignal.any([own.signal, ...live]);
  return { signal, abort: (reason?: unknown) => own.abort(reason) };
}
