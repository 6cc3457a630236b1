/**
 * parley's log: pino JSON lines in a rotating file in the state directory
 * (`<state>/parley.log`), at the level `PARLEY_LOG_LEVEL` sets. Every line of one turn carries
 * the same request id (`req`), bound with `log.child({ req })`. Keys, tokens and
 * `Authorization` values never reach the file: known fields are censored by pino's `redact`,
 * and every string goes through the core's sanitiser (`redact()`).
 *
 * pino itself (~35 ms of start-up) is loaded on the first line actually written: a command
 * that logs nothing at its level, like a one-shot that goes well, never loads it.
 */
import { createRequire } from 'node:module';
import type pinoFn from 'pino';
import type { Logger } from 'pino';
import { UsageError } from '../errors.js';
import { redact } from '../secrets.js';
import { RotatingFile, type RotatingFileOptions } from './log-file.js';
import { prettyStream } from './log-pretty.js';

export const LOG_LEVELS = ['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];
const VALUES: Record<LogLevel, number> = {
  trace: 10,
  debug: 20,
  info: 30,
  warn: 40,
  error: 50,
  fatal: 60,
  silent: Infinity,
};

/** Field names whose values are censored wherever they appear (one level of nesting, and headers). */
const SECRET_KEYS = [
  'apiKey',
  'api_key',
  'key',
  'token',
  'accessToken',
  'access_token',
  'password',
  'secret',
  'authorization',
  'Authorization',
  'cookie',
];
export const REDACT_PATHS = [
  ...SECRET_KEYS,
  ...SECRET_KEYS.map((k) => `*.${k}`),
  'headers.authorization',
  'headers.cookie',
  'headers["x-api-key"]',
  '*.headers.authorization',
  '*.headers.cookie',
  '*.headers["x-api-key"]',
];

/** The level in `PARLEY_LOG_LEVEL`, else `fallback`. Throws `UsageError` for an unknown level. */
export function logLevelFrom(env: NodeJS.ProcessEnv, fallback: LogLevel): LogLevel {
  const raw = env.PARLEY_LOG_LEVEL?.trim().toLowerCase();
  if (!raw) return fallback;
  if ((LOG_LEVELS as readonly string[]).includes(raw)) return raw as LogLevel;
  throw new UsageError(`PARLEY_LOG_LEVEL must be one of ${LOG_LEVELS.join(', ')}; got "${raw}"`);
}

/** Options of {@link createLog}. */
export interface LogOptions extends RotatingFileOptions {
  level?: LogLevel;
  /** The log file (rotated by size); none when undefined and no `destination` is given. */
  file?: string | undefined;
  /** Write JSON lines here instead of a file (tests). */
  destination?: { write(chunk: string): unknown } | undefined;
  /** Also write human-readable lines here (`--verbose` on a TTY). */
  pretty?: { write(chunk: string): unknown } | undefined;
  /** Colour the pretty lines. Default true. */
  color?: boolean;
  /** Fields on every line. Default `{ pid }`. */
  base?: Record<string, unknown>;
}

/** Copy a value with every string sanitised (Errors become plain objects). Depth-limited. */
export function sanitise(v: unknown, depth = 0): unknown {
  if (typeof v === 'string') return redact(v);
  if (v === null || typeof v !== 'object' || depth > 6) return v;
  if (v instanceof Error) {
    const e = v as Error & { code?: unknown };
    return {
      type: e.name,
      message: redact(e.message),
      ...(e.code !== undefined ? { code: e.code } : {}),
      ...(e.stack ? { stack: redact(e.stack) } : {}),
    };
  }
  if (Array.isArray(v)) return v.map((x) => sanitise(x, depth + 1));
  const out: Record<string, unknown> = {};
  for (const [k, x] of Object.entries(v)) out[k] = sanitise(x, depth + 1);
  return out;
}

interface Shared {
  level: number;
  levelName: LogLevel;
  options: LogOptions;
  root: Logger | undefined;
  file: RotatingFile | undefined;
}

type LogArgs = [msg: string] | [fields: Record<string, unknown>, msg?: string];

/** A logger: pino underneath, loaded when the first enabled line is written. */
export class Log {
  private pinoLogger: Logger | undefined;

  private constructor(
    private readonly shared: Shared,
    private readonly bindings: Record<string, unknown> | undefined,
    private readonly parent: Log | undefined,
  ) {}

  /** @internal use {@link createLog} */
  static create(options: LogOptions): Log {
    const level = options.level ?? 'info';
    return new Log(
      { level: VALUES[level], levelName: level, options, root: undefined, file: undefined },
      undefined,
      undefined,
    );
  }

  get level(): LogLevel {
    return this.shared.levelName;
  }

  /** The log file, if there is one. */
  get file(): string | undefined {
    return this.shared.options.file;
  }

  /** True when lines at `level` are written. */
  enabled(level: Exclude<LogLevel, 'silent'>): boolean {
    return VALUES[level] >= this.shared.level;
  }

  /** A logger whose lines all carry `bindings` (e.g. `{ req }`); costs nothing until it writes. */
  child(bindings: Record<string, unknown>): Log {
    return new Log(this.shared, bindings, this);
  }

  trace(...a: LogArgs): void {
    this.write('trace', a);
  }
  debug(...a: LogArgs): void {
    this.write('debug', a);
  }
  info(...a: LogArgs): void {
    this.write('info', a);
  }
  warn(...a: LogArgs): void {
    this.write('warn', a);
  }
  error(...a: LogArgs): void {
    this.write('error', a);
  }
  fatal(...a: LogArgs): void {
    this.write('fatal', a);
  }

  /** The pino logger itself (loads pino), e.g. for a library that takes one. */
  pino(): Logger {
    if (this.pinoLogger) return this.pinoLogger;
    const base = this.parent ? this.parent.pino() : rootLogger(this.shared);
    this.pinoLogger = this.bindings ? base.child(sanitise(this.bindings) as Record<string, unknown>) : base;
    return this.pinoLogger;
  }

  /** Close the file (the next line opens it again). */
  close(): void {
    this.shared.file?.close();
  }

  private write(level: Exclude<LogLevel, 'silent'>, a: LogArgs): void {
    if (VALUES[level] < this.shared.level) return;
    try {
      const p = this.pino();
      if (typeof a[0] === 'string') p[level](redact(a[0]));
      else p[level](a[0], a[1] === undefined ? undefined : redact(a[1]));
    } catch {
      // Logging never breaks parley.
    }
  }
}

const requireCjs = createRequire(import.meta.url);

function rootLogger(shared: Shared): Logger {
  if (shared.root) return shared.root;
  const pino = requireCjs('pino') as typeof pinoFn;
  const o = shared.options;
  const streams: { level: LogLevel; stream: { write(s: string): unknown } }[] = [];
  const level = shared.levelName === 'silent' ? 'fatal' : shared.levelName;
  if (o.destination) streams.push({ level, stream: o.destination });
  else if (o.file) {
    shared.file = new RotatingFile(o.file, o);
    streams.push({ level, stream: shared.file });
  }
  if (o.pretty) streams.push({ level, stream: prettyStream(o.pretty, o.color ?? true) });
  const destination =
    streams.length === 1
      ? (streams[0]?.stream as pinoFn.DestinationStream)
      : pino.multistream(streams as pinoFn.StreamEntry[]);
  shared.root = pino(
    {
      level: shared.levelName,
      base: o.base ?? { pid: process.pid },
      redact: { paths: REDACT_PATHS, censor: '[REDACTED]' },
      formatters: { log: (obj) => sanitise(obj) as Record<string, unknown> },
      timestamp: pino.stdTimeFunctions.epochTime,
    },
    destination,
  );
  return shared.root;
}

/** A logger; nothing is opened or loaded until the first line at an enabled level. */
export function createLog(options: LogOptions = {}): Log {
  return Log.create(options);
}

/** A logger that writes nothing. */
export const SILENT_LOG: Log = createLog({ level: 'silent' });
