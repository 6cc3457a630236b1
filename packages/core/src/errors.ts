/**
 * One base error with `cause`, subclasses with context. Messages are sanitised on the way
 * out (see `secrets.ts`); map errors to exit codes only at the top (`exitCodeFor`).
 */
import type { ErrorInfo } from './events.js';
import { redact } from './secrets.js';

const MARKER = Symbol.for('parley.error');

export interface ParleyErrorOptions {
  cause?: unknown;
  retryable?: boolean;
  /** The user's input was at fault (a refused file, say): exit 2 whatever the code. */
  userInput?: boolean;
}

export class ParleyError extends Error {
  readonly [MARKER] = true;
  /** Stable machine-readable code. */
  readonly code: string;
  readonly retryable: boolean;
  /** The user's input was at fault: the CLI exits 2, as for a usage error. */
  readonly userInput: boolean;

  constructor(code: string, message: string, options: ParleyErrorOptions = {}) {
    super(redact(message), options.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.code = code;
    this.retryable = options.retryable ?? false;
    this.userInput = options.userInput ?? false;
  }

  static is(e: unknown): e is ParleyError {
    return typeof e === 'object' && e !== null && (e as Record<symbol, unknown>)[MARKER] === true;
  }

  toInfo(): ErrorInfo {
    return { code: this.code, message: this.message, retryable: this.retryable };
  }
}

/** Bad command-line usage or bad input from the user (exit 2). */
export class UsageError extends ParleyError {
  constructor(message: string, options?: ParleyErrorOptions) {
    super('usage', message, options);
  }
}

/** Invalid configuration: names the key, and the file and line where it can (exit 2). */
export class ConfigError extends ParleyError {
  readonly key: string | undefined;
  readonly file: string | undefined;
  readonly line: number | undefined;
  constructor(
    message: string,
    where: { key?: string; file?: string; line?: number } = {},
    options?: ParleyErrorOptions,
  ) {
    const loc = [where.file, where.line].filter((x) => x !== undefined).join(':');
    super(
      'config',
      `${where.key !== undefined ? `${where.key}: ` : ''}${message}${loc ? ` (${loc})` : ''}`,
      options,
    );
    this.key = where.key;
    this.file = where.file;
    this.line = where.line;
  }
}

export interface ProviderErrorContext {
  provider: string;
  status?: number | undefined;
  retryable?: boolean | undefined;
  /** Milliseconds the server asked us to wait (`Retry-After`). */
  retryAfterMs?: number | undefined;
  cause?: unknown;
}

/** A provider or model failed (exit 3). */
export class ProviderError extends ParleyError {
  readonly provider: string;
  readonly status: number | undefined;
  readonly retryAfterMs: number | undefined;
  constructor(code: string, message: string, ctx: ProviderErrorContext) {
    super(code, message, { cause: ctx.cause, retryable: ctx.retryable ?? false });
    this.provider = ctx.provider;
    this.status = ctx.status;
    this.retryAfterMs = ctx.retryAfterMs;
  }
  override toInfo(): ErrorInfo {
    const info: ErrorInfo = { ...super.toInfo(), provider: this.provider };
    if (this.status !== undefined) info.status = this.status;
    if (this.retryAfterMs !== undefined) info.retryAfterMs = this.retryAfterMs;
    return info;
  }
}

/** The provider refused our credentials (exit 3, never retried). */
export class AuthError extends ProviderError {
  constructor(message: string, ctx: ProviderErrorContext) {
    super('auth', message, { ...ctx, retryable: false });
  }
}

/** The request took longer than its timeout. */
export class TimeoutError extends ProviderError {
  constructor(message: string, ctx: ProviderErrorContext) {
    super('timeout', message, { ...ctx, retryable: ctx.retryable ?? true });
  }
}

/** No model file is available, or a model name cannot be resolved (exit 1). */
export class ModelNotFoundError extends ParleyError {
  constructor(message: string, options?: ParleyErrorOptions) {
    super('model_not_found', message, options);
  }
}

/** A download failed or its checksum did not match (exit 1). */
export class DownloadError extends ParleyError {
  constructor(code: 'download' | 'checksum', message: string, options?: ParleyErrorOptions) {
    super(code, message, options);
  }
}

/** Raised inside a stream consumer when the event stream reported an error. */
export class StreamError extends ParleyError {
  readonly info: ErrorInfo;
  constructor(info: ErrorInfo) {
    super(info.code, info.message, { retryable: info.retryable });
    this.info = info;
  }
}

export const EXIT = { ok: 0, runtime: 1, usage: 2, provider: 3, interrupted: 130 } as const;

const PROVIDER_CODES = new Set([
  'auth',
  'rate_limited',
  'server_error',
  'bad_request',
  'provider',
  'timeout',
  'network',
  'malformed_response',
  'unsupported',
]);

/** The process exit code for an error (0 ok, 1 runtime, 2 usage, 3 provider or auth, 130 interrupted). */
export function exitCodeFor(e: unknown): number {
  if (ParleyError.is(e)) {
    if (e.code === 'usage' || e.code === 'config' || e.userInput) return EXIT.usage;
    if (e instanceof ProviderError || PROVIDER_CODES.has(e.code)) return EXIT.provider;
    if (e.code === 'interrupted') return EXIT.interrupted;
    return EXIT.runtime;
  }
  return EXIT.runtime;
}

/** A user-facing message for any thrown value, with secrets removed. */
export function describeError(e: unknown): string {
  if (e instanceof Error) {
    let msg = e.message;
    const cause = (e as { cause?: unknown }).cause;
    if (!ParleyError.is(e) && cause instanceof Error && cause.message && !msg.includes(cause.message)) {
      msg += `: ${cause.message}`;
    }
    return redact(msg);
  }
  return redact(String(e));
}
