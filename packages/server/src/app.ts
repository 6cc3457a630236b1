/**
 * `createServer()`: the Fastify app with the OpenAI-compatible API, the WebSocket, the
 * metrics and the browser UI's files, all backed by one `Parley` instance.
 */
import websocket from '@fastify/websocket';
import {
  SnapshotFiles,
  newId,
  redact,
  registerSecret,
  speechFromConfig,
  type ConversationStore,
  type Parley,
  type ParleyMetrics,
} from '@parley/core';
import { createMetrics } from '@parley/core/observability';
import Fastify, { type FastifyError, type FastifyInstance } from 'fastify';
import { installAccessControl, refuse } from './auth.js';
import { fastifyConnectionOptions, installHttpRateLimit } from './connection-limits.js';
import { HttpError } from './http-errors.js';
import { ModelCatalog } from './model-catalog.js';
import { registerConversationRoutes } from './conversation-routes.js';
import { registerImageRoutes } from './image-routes.js';
import { registerImageGeneration } from './openai-images.js';
import { registerOpenAIRoutes } from './openai-routes.js';
import { resolveServerOptions, type ResolvedServerOptions, type ServerOptions } from './options.js';
import { registerStaticFiles } from './static-files.js';
import { SnapshottingSessionStore, snapshotSettings } from './session-snapshots.js';
import { StoredSessionStore } from './stored-sessions.js';
import { TurnRegistry } from './turns.js';
import { registerVendorFiles } from './vendor-files.js';
import { WsHub } from './ws-hub.js';
import { PipelineHost } from './ws-pipelines.js';
import { MemorySessionStore, type SessionStore } from './ws-session.js';

/** A server built by {@link createServer}. */
export interface ParleyServer {
  /** The Fastify app (routes registered, not listening yet). */
  readonly app: FastifyInstance;
  readonly options: ResolvedServerOptions;
  /** The metrics `GET /metrics` serves (attached to the `Parley`, so its turns feed it too). */
  readonly metrics: ParleyMetrics;
  readonly sessions: SessionStore;
  /** What the user should know from start-up (a snapshot that could not be restored, …). */
  readonly notices: string[];
  /** `http://host:port` once listening. */
  readonly url: string | undefined;
  /** Start listening on the configured host and port; resolves with the base URL. */
  listen(): Promise<string>;
  /**
   * Shut down gracefully: refuse new turns, interrupt the running ones (each stream ends
   * with `interrupted`), wait for them to send their last event, close every socket with
   * 1001, then close the HTTP server. Safe to call twice. Does not dispose the `Parley`.
   */
  close(reason?: string): Promise<void>;
}

/** How long a shutdown waits for interrupted turns to send their last event. */
const DRAIN_MS = 5_000;

const FASTIFY_CODES: Record<string, string> = {
  FST_ERR_CTP_BODY_TOO_LARGE: 'too_large',
  FST_ERR_CTP_INVALID_MEDIA_TYPE: 'unsupported_media_type',
  FST_ERR_CTP_EMPTY_JSON_BODY: 'invalid_json',
  FST_ERR_CTP_INVALID_JSON_BODY: 'invalid_json',
};

/** The OpenAI-shaped error for anything a route or Fastify throws. */
function toHttpError(err: FastifyError): HttpError {
  if (err instanceof HttpError) return err;
  const status = typeof err.statusCode === 'number' ? err.statusCode : 500;
  if (status >= 500) return new HttpError(status, 'internal server error', { code: 'internal' });
  const code = FASTIFY_CODES[err.code] ?? (err instanceof SyntaxError ? 'invalid_json' : 'invalid_request');
  const message = code === 'invalid_json' ? `the body is not valid JSON: ${err.message}` : err.message;
  return new HttpError(status, message, { code });
}

function formatUrl(host: string, port: number): string {
  const h = host.includes(':') ? `[${host}]` : host === '0.0.0.0' ? '127.0.0.1' : host;
  return `http://${h}:${port}`;
}

/**
 * Build the server. It does not listen until `listen()`.
 *
 * @throws UsageError when asked to listen on a non-loopback address without a token
 */
export async function createServer(options: ServerOptions): Promise<ParleyServer> {
  const o = resolveServerOptions(options);
  // The token never reaches a log line, an error or a page.
  registerSecret(o.token);
  // While closing, requests get our own 503 (in OpenAI's shape), not Fastify's.
  const app = Fastify({
    logger: o.logger
      ? {
          level: 'info',
          stream: process.stderr,
          // A WebSocket URL may carry ?token=: never log it.
          serializers: { req: (req) => ({ method: req.method, url: redact(req.url ?? ''), remote: req.ip }) },
        }
      : false,
    bodyLimit: o.maxBody,
    // One id per request: the `req` of every log line it causes, its turn's lines included.
    genReqId: () => newId(),
    return503OnClosing: false,
    // Slow-loris, oversized heads and idle keep-alive connections (docs/server.md).
    ...fastifyConnectionOptions(o.connection),
  });
  // JSON only: a text/plain POST is what a cross-site form could send.
  app.removeContentTypeParser('text/plain');
  const log = o.parley.log;
  const metrics = o.metrics ?? (await createMetrics({ engine: o.parley.engine }));
  const detachMetrics = o.parley.attachMetrics(metrics);
  const turns = new TurnRegistry(metrics);
  const catalog = new ModelCatalog(o.parley);
  const notices: string[] = [];
  let snapshotter: SnapshottingSessionStore | undefined;
  if (!o.sessions && o.log)
    snapshotter = await openSnapshots(o.parley, notices, o.onWarning ?? ((m) => app.log.warn(m)));
  const sessions = o.sessions ?? snapshotter ?? new MemorySessionStore();
  const pipelines = new PipelineHost(o.parley, metrics, o.speech ?? speechFromConfig(o.parley.config));
  const hub = new WsHub(o.parley, o, catalog, turns, metrics, sessions, pipelines);

  app.setErrorHandler((err: FastifyError, req, reply) => {
    const e = toHttpError(err);
    if (e.status >= 500) req.log.error(err);
    metrics.error('http', e.code ?? String(e.status));
    return reply.code(e.status).send(e.body());
  });
  app.setNotFoundHandler((req, reply) => {
    const e = new HttpError(404, `no route for ${req.method} ${req.url.split('?')[0] ?? ''}`, {
      code: 'not_found',
    });
    metrics.error('http', 'not_found');
    return reply.code(404).send(e.body());
  });
  installHttpRateLimit(app, o.connection, () => metrics.error('http', 'rate_limited'));
  installAccessControl(app, { token: o.token, origins: o.origins });
  app.addHook('onRequest', async (req, reply) => {
    if (!turns.closing) return;
    metrics.error('http', 'shutting_down');
    reply.header('connection', 'close');
    return refuse(req, reply, new HttpError(503, 'the server is shutting down', { code: 'shutting_down' }));
  });
  app.addHook('onSend', async (_req, reply) => {
    reply.header('x-content-type-options', 'nosniff');
  });
  app.addHook('onResponse', async (req, reply) => {
    const route = req.routeOptions.url ?? 'unmatched';
    const labels = { method: req.method, route, status: String(reply.statusCode) };
    metrics.httpRequests.inc(labels);
    metrics.httpDuration.observe(labels, reply.elapsedTime / 1000);
    if (log.enabled('debug')) {
      log.debug(
        {
          req: req.id,
          method: req.method,
          route,
          status: reply.statusCode,
          ms: Math.round(reply.elapsedTime * 10) / 10,
        },
        'http',
      );
    }
  });

  await app.register(websocket, {
    options: { maxPayload: hub.hardFrameLimit, skipUTF8Validation: true },
    errorHandler: (_error, socket) => socket.terminate(),
  });
  app.get('/healthz', async () => ({ status: 'ok' }));
  app.get('/metrics', async (_req, reply) =>
    reply.header('content-type', metrics.contentType).send(await metrics.text()),
  );
  registerOpenAIRoutes(app, { parley: o.parley, catalog, turns, metrics, log: o.log });
  registerConversationRoutes(app, o.parley);
  registerImageRoutes(app, o.parley);
  registerImageGeneration(app, { parley: o.parley, turns });
  hub.register(app);
  registerVendorFiles(app);
  registerStaticFiles(app, o.webRoot);

  let url: string | undefined;
  let closing: Promise<void> | undefined;
  return {
    app,
    options: o,
    metrics,
    sessions,
    notices,
    get url() {
      return url;
    },
    async listen() {
      await app.listen({ host: o.host, port: o.port });
      const addr = app.server.address();
      const port = typeof addr === 'object' && addr ? addr.port : o.port;
      url = formatUrl(o.host, port);
      log.info({ url, auth: o.token === undefined ? 'none' : 'bearer', store: o.log }, 'server listening');
      return url;
    },
    close(reason = 'the server is shutting down') {
      closing ??= (async () => {
        log.info({ reason, turns: turns.size, sockets: hub.connections.size }, 'server closing');
        turns.interruptAll(reason);
        await turns.idle(DRAIN_MS);
        await hub.close(reason);
        await app.close();
        await snapshotter?.close();
        detachMetrics();
        log.info('server closed');
      })();
      return closing;
    },
  };
}

/** Build the server and start listening: what `parley serve` runs. */
export async function startServer(options: ServerOptions): Promise<ParleyServer> {
  const server = await createServer(options);
  await server.listen();
  return server;
}

/**
 * Sessions written through to the store and snapshotted to JSON files (config `[sessions]`).
 * With `restore = "last"`, the newest snapshot is restored into the store when the store
 * lacks it, and becomes the session a `hello` without an id goes on with. Nothing here stops
 * the server from starting: what fails becomes a notice.
 */
async function openSnapshots(
  parley: Parley,
  notices: string[],
  warn: (message: string) => void,
): Promise<SnapshottingSessionStore> {
  const settings = snapshotSettings(parley);
  const store = (): ConversationStore => parley.store();
  let last: string | undefined;
  if (settings.restore === 'last') {
    try {
      const r = await new SnapshotFiles(settings.dir).restoreLatest(store());
      for (const s of r.skipped) notices.push(`snapshot skipped: ${s}`);
      last = r.session?.id;
      if (r.from === 'file') notices.push(`session ${last} restored from its snapshot in ${settings.dir}`);
    } catch (e) {
      notices.push(`sessions: could not restore the last session: ${(e as Error).message}`);
    }
  }
  const inner = new StoredSessionStore(store, parley.config.history_limit);
  return new SnapshottingSessionStore(inner, store, settings, last, warn);
}
