/** What `createServer()` takes, and how it is completed from the `[server]` config section. */
import { fileURLToPath } from 'node:url';
import type { Parley, ParleyMetrics } from '@parley/core';
import { UsageError } from '@parley/core';
import { isLoopbackHost } from './auth.js';
import { CONNECTION_DEFAULTS, type ConnectionLimits } from './connection-limits.js';
import type { WsRateLimits } from './ws-rate-limit.js';
import type { SessionStore } from './ws-session.js';
import type { PipelineSpeech } from './ws-pipelines.js';

/** Options of {@link createServer}; anything left out comes from `parley.config.server`. */
export interface ServerOptions {
  /** The core instance every request runs on (its config, its local engine). */
  parley: Parley;
  /** Address to listen on (default `127.0.0.1`). Anything but loopback needs `token`. */
  host?: string | undefined;
  /** Port (default 8787; 0 picks a free one). */
  port?: number | undefined;
  /** Bearer token every HTTP and WebSocket request must carry. */
  token?: string | undefined;
  /** Browser origins allowed besides the server's own; `*` allows any. */
  origins?: string[] | undefined;
  /** Largest WebSocket text frame in bytes (default 1 MiB). */
  maxTextFrame?: number | undefined;
  /** Largest WebSocket binary frame in bytes (default 8 MiB). */
  maxBinaryFrame?: number | undefined;
  /** Largest HTTP request body in bytes (default 8 MiB). */
  maxBody?: number | undefined;
  /** WebSocket ping interval in ms; a peer that misses one pong is dropped (default 30 s). */
  heartbeatMs?: number | undefined;
  /** Time a client has to send a request's headers, in ms (default 10 s): slow-loris. */
  headersTimeoutMs?: number | undefined;
  /** Time a client has to send a whole request, in ms (default 60 s). */
  requestTimeoutMs?: number | undefined;
  /** Idle keep-alive connections close after this, in ms (default 5 s). */
  keepAliveTimeoutMs?: number | undefined;
  /** Largest request head in bytes (default 16 KiB); over it: 431. */
  maxHeaderBytes?: number | undefined;
  /** Requests per second on one HTTP connection (default 200; 0: no limit). */
  httpRequestsPerSecond?: number | undefined;
  /** Frames per second on one WebSocket (default 200; 0: no limit). */
  wsFramesPerSecond?: number | undefined;
  /** Turns per minute on one WebSocket (default 60; 0: no limit). */
  wsTurnsPerMinute?: number | undefined;
  /** After an interrupt, how long to wait for the model's own `interrupted` before sending one (default 30 ms). */
  interruptGraceMs?: number | undefined;
  /** Folder of the browser UI's static files (default `packages/server/web`). */
  webRoot?: string | undefined;
  /**
   * Where WebSocket sessions live (default: in memory, written through to the history store
   * when `log` is on, so a `hello` after a restart resumes them).
   */
  sessions?: SessionStore | undefined;
  /**
   * Save every turn (HTTP and WebSocket) in the history store (default: config `store.log`,
   * which defaults to true; `parley serve --no-log` turns it off).
   */
  log?: boolean | undefined;
  /** Fastify's own request log, JSON on stderr (default off; parley's log is `parley.log`). */
  logger?: boolean | undefined;
  /** Told what went wrong while serving that the user should know (a snapshot not written). */
  onWarning?: ((message: string) => void) | undefined;
  /** The metrics registry to serve and feed (default: a new one from `createMetrics()`). */
  metrics?: ParleyMetrics | undefined;
  /** The speech engines of the voice modes (default: the ones `[voice]` configures). */
  speech?: PipelineSpeech | undefined;
}

/** {@link ServerOptions} with every default filled in. */
export interface ResolvedServerOptions {
  parley: Parley;
  host: string;
  port: number;
  token: string | undefined;
  origins: string[];
  maxTextFrame: number;
  maxBinaryFrame: number;
  maxBody: number;
  heartbeatMs: number;
  connection: ConnectionLimits;
  wsRateLimits: WsRateLimits;
  interruptGraceMs: number;
  webRoot: string;
  sessions: SessionStore | undefined;
  log: boolean;
  logger: boolean;
  onWarning: ((message: string) => void) | undefined;
  metrics: ParleyMetrics | undefined;
  speech: PipelineSpeech | undefined;
}

const MiB = 1024 * 1024;

/** The defaults, exported for the docs and tests. */
export const SERVER_DEFAULTS = {
  host: '127.0.0.1',
  port: 8787,
  maxTextFrame: 1 * MiB,
  maxBinaryFrame: 8 * MiB,
  maxBody: 8 * MiB,
  heartbeatMs: 30_000,
  interruptGraceMs: 30,
  wsFramesPerSecond: 200,
  wsTurnsPerMinute: 60,
} as const;

/** The browser UI's folder in this package. */
export const DEFAULT_WEB_ROOT = fileURLToPath(new URL('../web/', import.meta.url));

/**
 * Complete the options from config and defaults, and refuse what is unsafe.
 *
 * @throws UsageError when binding to a non-loopback address without a token
 */
export function resolveServerOptions(o: ServerOptions): ResolvedServerOptions {
  const c = o.parley.config.server ?? {};
  const host = o.host ?? c.host ?? SERVER_DEFAULTS.host;
  const token = o.token ?? c.token;
  if (token !== undefined && token.length < 8) {
    throw new UsageError('the server token is too short: use at least 8 characters');
  }
  if (!isLoopbackHost(host) && token === undefined) {
    throw new UsageError(
      `refusing to listen on ${host} without a token: anyone who can reach this machine could use its models and API keys. ` +
        'Set one with --token (or server.token in config.toml, or PARLEY_SERVER_TOKEN), or listen on 127.0.0.1.',
    );
  }
  return {
    parley: o.parley,
    host,
    port: o.port ?? c.port ?? SERVER_DEFAULTS.port,
    token,
    origins: o.origins ?? c.origins ?? [],
    maxTextFrame: o.maxTextFrame ?? c.max_text_frame ?? SERVER_DEFAULTS.maxTextFrame,
    maxBinaryFrame: o.maxBinaryFrame ?? c.max_binary_frame ?? SERVER_DEFAULTS.maxBinaryFrame,
    maxBody: o.maxBody ?? c.max_body ?? SERVER_DEFAULTS.maxBody,
    heartbeatMs: o.heartbeatMs ?? c.heartbeat_ms ?? SERVER_DEFAULTS.heartbeatMs,
    connection: {
      headersTimeoutMs: o.headersTimeoutMs ?? c.headers_timeout_ms ?? CONNECTION_DEFAULTS.headersTimeoutMs,
      requestTimeoutMs: o.requestTimeoutMs ?? c.request_timeout_ms ?? CONNECTION_DEFAULTS.requestTimeoutMs,
      keepAliveTimeoutMs:
        o.keepAliveTimeoutMs ?? c.keep_alive_timeout_ms ?? CONNECTION_DEFAULTS.keepAliveTimeoutMs,
      maxHeaderBytes: o.maxHeaderBytes ?? c.max_header_bytes ?? CONNECTION_DEFAULTS.maxHeaderBytes,
      httpRequestsPerSecond:
        o.httpRequestsPerSecond ?? c.http_requests_per_second ?? CONNECTION_DEFAULTS.httpRequestsPerSecond,
    },
    wsRateLimits: {
      framesPerSecond: o.wsFramesPerSecond ?? c.ws_frames_per_second ?? SERVER_DEFAULTS.wsFramesPerSecond,
      turnsPerMinute: o.wsTurnsPerMinute ?? c.ws_turns_per_minute ?? SERVER_DEFAULTS.wsTurnsPerMinute,
    },
    interruptGraceMs: o.interruptGraceMs ?? SERVER_DEFAULTS.interruptGraceMs,
    webRoot: o.webRoot ?? DEFAULT_WEB_ROOT,
    sessions: o.sessions,
    log: o.log ?? o.parley.config.store?.log ?? true,
    logger: o.logger ?? false,
    onWarning: o.onWarning,
    metrics: o.metrics,
    speech: o.speech,
  };
}
