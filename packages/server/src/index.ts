/**
 * parley server: the OpenAI-compatible HTTP API, the WebSocket protocol (docs/PROTOCOL.md),
 * Prometheus metrics and the browser UI's files, on one `Parley` instance.
 *
 * @example
 * ```ts
 * import { createParley } from '@parley/core';
 * import { startServer } from '@parley/server';
 * const server = await startServer({ parley: createParley(), port: 8787 });
 * console.log(server.url); // http://127.0.0.1:8787
 * await server.close();
 * ```
 *
 * @packageDocumentation
 */
export { createServer, startServer } from './app.js';
export type { ParleyServer } from './app.js';
export { resolveServerOptions, SERVER_DEFAULTS, DEFAULT_WEB_ROOT } from './options.js';
export type { ServerOptions, ResolvedServerOptions } from './options.js';
export { isLoopbackHost, tokensEqual, TOKEN_COOKIE } from './auth.js';
export { HttpError, statusForCode } from './http-errors.js';
export type { OpenAIErrorBody } from './http-errors.js';
export { ModelCatalog } from './model-catalog.js';
export type { ModelEntry } from './model-catalog.js';
export { MemorySessionStore, newSession } from './ws-session.js';
export { StoredSessionStore } from './stored-sessions.js';
export { registerConversationRoutes } from './conversation-routes.js';
export type { SessionRecord, SessionSettings, SessionStore } from './ws-session.js';
export {
  PROTOCOL_VERSION,
  UPSTREAM_TYPES,
  MODES,
  WS_ERROR_CODES,
  BINARY_KINDS,
  BINARY_HEADER_BYTES,
  encodeBinary,
  parseBinary,
  parseUpstream,
} from './ws-protocol.js';
export type { DownstreamEnvelope, UpstreamMessage, ReadyEnvelope, WsErrorCode, Mode } from './ws-protocol.js';
