/**
 * What one connection may cost the server: how long it may take to send a request
 * (slow-loris), how big a request head may be, how long an idle keep-alive connection
 * stays, and how many requests a second one HTTP connection may make (a token bucket per
 * socket, kept in a WeakMap so it goes with the socket). The WebSocket's own limits are in
 * ws-rate-limit.ts. Config `[server]`; documented in docs/server.md.
 *
 * A bucket per socket rather than @fastify/rate-limit: that plugin keys by address, and on
 * a loopback server every client (the browser UI, every SDK) is 127.0.0.1 and would share
 * one budget; a bucket per socket needs no store that grows with addresses and no new
 * dependency, and is the same bucket the WebSocket uses.
 */
import type { Socket } from 'node:net';
import type { Server } from 'node:http';
import type { FastifyHttpOptions, FastifyInstance } from 'fastify';
import { refuse } from './auth.js';
import { HttpError } from './http-errors.js';
import { TokenBucket } from './token-bucket.js';

/** The limits of one connection; a rate of 0 is no limit. */
export interface ConnectionLimits {
  /** Time to send the request line and headers (ms). */
  headersTimeoutMs: number;
  /** Time to send the whole request, body included (ms). */
  requestTimeoutMs: number;
  /** How long an idle keep-alive connection stays open (ms). */
  keepAliveTimeoutMs: number;
  /** Largest request head in bytes; over it, Node answers 431 and closes. */
  maxHeaderBytes: number;
  /** Requests per second on one HTTP connection, a burst of as many. */
  httpRequestsPerSecond: number;
}

/** The defaults, exported for the docs and tests. */
export const CONNECTION_DEFAULTS: ConnectionLimits = {
  headersTimeoutMs: 10_000,
  requestTimeoutMs: 60_000,
  keepAliveTimeoutMs: 5_000,
  maxHeaderBytes: 16 * 1024,
  httpRequestsPerSecond: 200,
};

/**
 * The options Fastify hands to `http.createServer`. Node checks the timeouts every
 * `connectionsCheckingInterval` ms; a quarter of the headers timeout (at most 1 s) cuts a
 * slow client soon after its time is up.
 */
export function fastifyConnectionOptions(l: ConnectionLimits): Partial<FastifyHttpOptions<Server>> {
  const requestTimeout = Math.max(l.requestTimeoutMs, l.headersTimeoutMs);
  return {
    keepAliveTimeout: l.keepAliveTimeoutMs,
    requestTimeout,
    http: {
      maxHeaderSize: l.maxHeaderBytes,
      headersTimeout: l.headersTimeoutMs,
      requestTimeout,
      keepAliveTimeout: l.keepAliveTimeoutMs,
      connectionsCheckingInterval: Math.min(1_000, Math.max(50, Math.floor(l.headersTimeoutMs / 4))),
    },
  };
}

/**
 * Rate-limit each HTTP connection: over the limit, 429 `rate_limited` with `Retry-After`.
 * Install it before the access checks, so guessing tokens is limited too.
 */
export function installHttpRateLimit(
  app: FastifyInstance,
  limits: ConnectionLimits,
  onLimited: () => void,
): void {
  const rate = limits.httpRequestsPerSecond;
  if (rate <= 0) return;
  const buckets = new WeakMap<Socket, TokenBucket>();
  app.addHook('onRequest', async (req, reply) => {
    const socket = req.raw.socket as Socket | null;
    if (!socket) return;
    let bucket = buckets.get(socket);
    if (!bucket) buckets.set(socket, (bucket = new TokenBucket(rate, rate)));
    const wait = bucket.take();
    if (wait === 0) return;
    onLimited();
    reply.header('retry-after', String(Math.ceil(wait / 1000)));
    return refuse(
      req,
      reply,
      new HttpError(
        429,
        `over ${rate} requests per second on this connection (server.http_requests_per_second): retry in ${wait} ms`,
        { code: 'rate_limited' },
      ),
    );
  });
}
