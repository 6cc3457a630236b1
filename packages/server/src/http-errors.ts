/**
 * Errors on the HTTP side, always in OpenAI's shape:
 * `{"error": {"message", "type", "param", "code"}}`, with the status OpenAI would use.
 */
import type { ErrorInfo } from '@parley/core';
import { redact } from '@parley/core';

/** OpenAI's error body. */
export interface OpenAIErrorBody {
  error: {
    message: string;
    type: string;
    param: string | null;
    code: string | null;
  };
}

/** An error a route throws; the error handler sends it as it is. */
export class HttpError extends Error {
  readonly status: number;
  readonly type: string;
  readonly param: string | null;
  readonly code: string | null;
  constructor(
    status: number,
    message: string,
    opts: { type?: string; param?: string | null; code?: string | null } = {},
  ) {
    super(redact(message));
    this.name = 'HttpError';
    this.status = status;
    this.type = opts.type ?? typeForStatus(status);
    this.param = opts.param ?? null;
    this.code = opts.code ?? null;
  }

  /** The response body. */
  body(): OpenAIErrorBody {
    return { error: { message: this.message, type: this.type, param: this.param, code: this.code } };
  }
}

/** OpenAI's error type for a status. */
export function typeForStatus(status: number): string {
  if (status === 401) return 'authentication_error';
  if (status === 403) return 'permission_error';
  if (status === 404) return 'not_found_error';
  if (status === 429) return 'rate_limit_error';
  if (status >= 500) return 'server_error';
  return 'invalid_request_error';
}

/** HTTP status for an error code of the core's event stream. */
export function statusForCode(code: string): number {
  switch (code) {
    case 'usage':
    case 'config':
    case 'bad_request':
    case 'unsupported':
      return 400;
    case 'model_not_found':
      return 404;
    case 'rate_limited':
      return 429;
    case 'interrupted':
    case 'shutting_down':
      return 503;
    case 'timeout':
      return 504;
    case 'auth':
    case 'network':
    case 'server_error':
    case 'provider':
    case 'malformed_response':
      // The upstream provider failed: a bad gateway from the client's point of view.
      return 502;
    default:
      return 500;
  }
}

/** The HTTP error for an `error` event of the core. */
export function httpErrorFromInfo(info: ErrorInfo): HttpError {
  const status = statusForCode(info.code);
  const message =
    info.provider && !info.message.includes(info.provider)
      ? `${info.provider}: ${info.message}`
      : info.message;
  return new HttpError(status, message, { code: info.code });
}

/** The body for an error that arrives after the SSE headers: an `error` data event. */
export function streamErrorBody(info: ErrorInfo): OpenAIErrorBody {
  return httpErrorFromInfo(info).body();
}
