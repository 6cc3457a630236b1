/** AI SDK and network failures as parley `ProviderError`s. */
import { APICallError, JSONParseError, TypeValidationError } from '@ai-sdk/provider';

/** The AI SDK's `RetryError` (from `streamText` retries), recognised without importing `ai`. */
function lastErrorOf(e: unknown): unknown {
  const r = e as { name?: unknown; lastError?: unknown } | null;
  return typeof r === 'object' && r !== null && r.name === 'AI_RetryError' && 'lastError' in r
    ? r.lastError
    : e;
}
import { AuthError, ProviderError } from '../errors.js';

const NETWORK_CODES = new Set([
  'ECONNRESET',
  'ECONNREFUSED',
  'ECONNABORTED',
  'ETIMEDOUT',
  'EPIPE',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'UND_ERR_SOCKET',
  'UND_ERR_CLOSED',
  'UND_ERR_CONNECT_TIMEOUT',
  'UND_ERR_HEADERS_TIMEOUT',
  'UND_ERR_BODY_TIMEOUT',
  'ConnectionRefused',
  'ConnectionClosed',
  'FailedToOpenSocket',
]);
const NETWORK_MESSAGE =
  /^(fetch failed|failed to fetch|terminated)$|socket hang up|socket closed|other side closed|ECONNRESET|ECONNREFUSED|Cannot connect to API/i;

/** Errors along a `cause` chain, outermost first. */
function causeChain(e: unknown): unknown[] {
  const chain: unknown[] = [];
  let cur: unknown = e;
  while (cur !== undefined && cur !== null && !chain.includes(cur) && chain.length < 10) {
    chain.push(cur);
    cur = cur instanceof Error ? (cur as { cause?: unknown }).cause : undefined;
  }
  return chain;
}

function isNetworkError(e: unknown): boolean {
  return causeChain(e).some((c) => {
    if (!(c instanceof Error)) return false;
    const code = (c as { code?: unknown }).code;
    return (typeof code === 'string' && NETWORK_CODES.has(code)) || NETWORK_MESSAGE.test(c.message);
  });
}

/** The messages of an error and its causes, deduplicated: `terminated: other side closed`. */
function describeChain(e: unknown): string {
  const parts: string[] = [];
  for (const c of causeChain(e)) {
    const m = c instanceof Error ? c.message : typeof c === 'string' ? c : '';
    if (m && !parts.some((p) => p.includes(m))) parts.push(m);
  }
  return parts.join(': ') || String(e);
}

function header(headers: Record<string, string> | undefined, name: string): string | undefined {
  if (!headers) return undefined;
  for (const [k, v] of Object.entries(headers)) if (k.toLowerCase() === name) return v;
  return undefined;
}

/**
 * Milliseconds a server asked us to wait: `retry-after-ms`, else `retry-after` in seconds or
 * as an HTTP date. `undefined` when neither header is usable.
 */
export function parseRetryAfter(
  headers: Record<string, string> | undefined,
  now: number = Date.now(),
): number | undefined {
  const ms = header(headers, 'retry-after-ms')?.trim();
  if (ms && /^\d+(\.\d+)?$/.test(ms)) return Math.round(Number(ms));
  const ra = header(headers, 'retry-after')?.trim();
  if (!ra) return undefined;
  if (/^\d+(\.\d+)?$/.test(ra)) return Math.round(Number(ra) * 1000);
  // An HTTP date names a weekday and month; `Date.parse` would also accept bare numbers like "-3".
  const at = /[a-z]/i.test(ra) ? Date.parse(ra) : NaN;
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}

/** A provider's error body as an error type, for streams that send errors as events. */
interface ErrorObject {
  type?: unknown;
  message?: unknown;
}
const ERROR_TYPE_STATUS: Record<string, number> = {
  authentication_error: 401,
  permission_error: 403,
  rate_limit_error: 429,
  overloaded_error: 529,
  api_error: 500,
  invalid_request_error: 400,
};

function networkError(provider: string, cause: unknown): ProviderError {
  return new ProviderError('network', `${provider}: network error: ${describeChain(cause)}`, {
    provider,
    retryable: true,
    cause,
  });
}

function fromStatus(
  provider: string,
  status: number,
  detail: string,
  cause: unknown,
  headers?: Record<string, string>,
): ProviderError {
  const where = `${provider} returned HTTP ${status}`;
  if (status === 401 || status === 403) {
    return new AuthError(`${where} (authentication failed; check the API key): ${detail}`, {
      provider,
      status,
      cause,
    });
  }
  if (status === 429) {
    return new ProviderError('rate_limited', `${where} (rate limited): ${detail}`, {
      provider,
      status,
      retryable: true,
      retryAfterMs: parseRetryAfter(headers),
      cause,
    });
  }
  if (status >= 500) {
    return new ProviderError('server_error', `${where} (server error): ${detail}`, {
      provider,
      status,
      retryable: true,
      retryAfterMs: parseRetryAfter(headers),
      cause,
    });
  }
  return new ProviderError('bad_request', `${where} (request rejected): ${detail}`, {
    provider,
    status,
    retryable: false,
    cause,
  });
}

/**
 * Any failure of an AI SDK call as a parley `ProviderError` (an `AuthError` for 401/403).
 * The message names the provider and the HTTP status and is sanitised; keys never appear.
 */
export function toProviderError(e: unknown, provider: string): ProviderError {
  if (e instanceof ProviderError) return e;
  const err = lastErrorOf(e);
  if (APICallError.isInstance(err)) {
    const status = err.statusCode;
    // A body that breaks off mid-stream arrives as an APICallError with the 200 of the
    // response it belonged to; the cause chain tells that it was the connection.
    if ((status === undefined || status < 400) && isNetworkError(err)) return networkError(provider, err);
    if (status !== undefined && status >= 400) {
      return fromStatus(provider, status, err.message, err, err.responseHeaders);
    }
    const where = status === undefined ? provider : `${provider} (HTTP ${status})`;
    return new ProviderError('provider', `${where}: ${describeChain(err)}`, {
      provider,
      status,
      retryable: err.isRetryable,
      cause: err,
    });
  }
  if (JSONParseError.isInstance(err) || TypeValidationError.isInstance(err)) {
    return new ProviderError('malformed_response', `${provider} sent a malformed response: ${err.message}`, {
      provider,
      retryable: false,
      cause: err,
    });
  }
  if (isNetworkError(err)) return networkError(provider, err);
  if (err instanceof Error && /stream ended without a finish reason/i.test(err.message)) {
    // The provider package's own check: the body ended before the model said it was done.
    return new ProviderError(
      'malformed_response',
      `${provider}: the stream ended without a finish reason; the answer may be cut short`,
      { provider, retryable: false, cause: err },
    );
  }
  if (err !== null && typeof err === 'object' && !(err instanceof Error)) {
    // An error event inside the stream, e.g. Anthropic's `{ type: 'overloaded_error', message }`.
    const o = err as ErrorObject;
    const type = typeof o.type === 'string' ? o.type : undefined;
    const message = typeof o.message === 'string' ? o.message : JSON.stringify(err);
    const status = type === undefined ? undefined : ERROR_TYPE_STATUS[type];
    if (status !== undefined) return fromStatus(provider, status, message, err);
    return new ProviderError('provider', `${provider} reported an error: ${message}`, {
      provider,
      cause: err,
    });
  }
  return new ProviderError('provider', `${provider}: ${describeChain(err)}`, { provider, cause: err });
}
