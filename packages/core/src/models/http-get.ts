/** Plain GETs for downloads: redirects followed by hand, errors without secrets. */
import { DownloadError } from '../errors.js';
import { abortReason } from '../util/abort.js';

export type Fetched = { res: Response; linkedSha: string | undefined };
export type Hdrs = Record<string, string>;

/** GET, following redirects by hand so that a hop's `x-linked-etag` (the LFS sha256) is seen. */
export async function get(
  f: typeof fetch,
  url: string,
  headers: Hdrs,
  signal?: AbortSignal,
): Promise<Fetched> {
  let current = url;
  let linkedSha: string | undefined;
  for (let hop = 0; hop <= 10; hop++) {
    let res: Response;
    try {
      res = await f(current, { headers, signal, redirect: 'manual' });
    } catch (e) {
      if (signal?.aborted) throw abortReason(signal);
      const why = `cannot reach ${safeUrl(current)}: ${message(e)}`;
      throw new DownloadError('download', why, { cause: e, retryable: true });
    }
    linkedSha ??= shaFromHeader(res.headers.get('x-linked-etag'));
    const location = res.headers.get('location');
    if (res.status < 300 || res.status >= 400 || location === null) return { res, linkedSha };
    await res.body?.cancel();
    current = new URL(location, current).href;
  }
  throw new DownloadError('download', `too many redirects from ${safeUrl(url)}`);
}

export function httpError(url: string, status: number): DownloadError {
  const hint =
    status === 404 ? ' (not found)' : status === 401 || status === 403 ? ' (private or gated)' : '';
  return new DownloadError('download', `GET ${safeUrl(url)} failed: HTTP ${status}${hint}`, {
    retryable: status === 408 || status === 429 || status >= 500,
  });
}

/** The URL without credentials, query or fragment, which may carry tokens. */
export function safeUrl(raw: string): string {
  return raw.replace(/^([a-z]+:\/\/)[^/@]*@/i, '$1').replace(/[?#].*$/s, '');
}

export function shaFromHeader(v: string | null): string | undefined {
  const s = v?.trim().replace(/^W\//, '').replace(/^"|"$/g, '').toLowerCase();
  return s !== undefined && /^[0-9a-f]{64}$/.test(s) ? s : undefined;
}

export function message(e: unknown): string {
  if (!(e instanceof Error)) return String(e);
  return e.cause instanceof Error ? `${e.message}: ${e.cause.message}` : e.message;
}
