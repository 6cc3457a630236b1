/**
 * Access control for every HTTP and WebSocket request: the token, the browser's Origin,
 * and (without a token) the Host header, which keeps DNS-rebinding pages out of a
 * loopback server.
 */
import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import { isIP } from 'node:net';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { HttpError } from './http-errors.js';

/** The cookie a browser gets after opening the UI with `?token=`. */
export const TOKEN_COOKIE = 'parley_token';

/** True for addresses only this machine can reach: `localhost`, `127.0.0.0/8`, `::1`. */
export function isLoopbackHost(host: string): boolean {
  const h = host
    .trim()
    .toLowerCase()
    .replace(/^\[|\]$/g, '');
  if (h === 'localhost' || h.endsWith('.localhost')) return true;
  if (h === '::1' || h === '0:0:0:0:0:0:0:1') return true;
  const v4 = h.startsWith('::ffff:') ? h.slice(7) : h;
  return isIP(v4) === 4 && v4.startsWith('127.');
}

/** Compare two tokens in constant time (hashing first, so lengths leak nothing either). */
export function tokensEqual(given: string, expected: string): boolean {
  const a = createHash('sha256').update(given).digest();
  const b = createHash('sha256').update(expected).digest();
  return timingSafeEqual(a, b);
}

/**
 * What the UI's cookie holds: a value derived from the token, never the token itself, so the
 * browser's cookie store does not keep a credential that also works as `Authorization: Bearer`.
 */
export function cookieCredential(token: string): string {
  return createHmac('sha256', token).update('parley browser cookie v1').digest('base64url');
}

function cookieValue(header: string | undefined, name: string): string | undefined {
  if (!header) return undefined;
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq < 0 || part.slice(0, eq).trim() !== name) continue;
    try {
      return decodeURIComponent(part.slice(eq + 1).trim());
    } catch {
      return undefined;
    }
  }
  return undefined;
}

/** Where a request's token came from. */
export type TokenSource = 'header' | 'query' | 'cookie';

/** The token a request carries: `Authorization: Bearer`, `?token=`, or the UI's cookie. */
export function requestToken(req: FastifyRequest): { token: string; source: TokenSource } | undefined {
  const auth = req.headers.authorization;
  if (typeof auth === 'string') {
    const m = /^Bearer\s+(.+)$/i.exec(auth.trim());
    if (m?.[1]) return { token: m[1].trim(), source: 'header' };
  }
  const query = new URL(req.url, 'http://x').searchParams.get('token');
  if (query) return { token: query, source: 'query' };
  const cookie = cookieValue(req.headers.cookie, TOKEN_COOKIE);
  if (cookie) return { token: cookie, source: 'cookie' };
  return undefined;
}

function hostname(hostHeader: string | undefined): string | undefined {
  if (!hostHeader) return undefined;
  try {
    return new URL(`http://${hostHeader}`).hostname;
  } catch {
    return undefined;
  }
}

/** True when a browser's Origin may talk to this server. */
export function originAllowed(
  origin: string,
  hostHeader: string | undefined,
  allowed: readonly string[],
): boolean {
  if (allowed.includes('*')) return true;
  const o = origin.trim().toLowerCase().replace(/\/$/, '');
  if (allowed.some((a) => a.trim().toLowerCase().replace(/\/$/, '') === o)) return true;
  if (!hostHeader) return false;
  const host = hostHeader.toLowerCase();
  return o === `http://${host}` || o === `https://${host}`;
}

/** What the access checks need: the token (if any) and the extra allowed origins. */
export interface AccessOptions {
  token: string | undefined;
  origins: readonly string[];
}

/** Answer a request with an error before routing; a refused WebSocket upgrade also loses its socket. */
export function refuse(req: FastifyRequest, reply: FastifyReply, e: HttpError): FastifyReply {
  if (e.status === 401) reply.header('www-authenticate', 'Bearer');
  if (req.headers.upgrade) {
    // A refused WebSocket upgrade: the socket left the HTTP server's care, so close it here.
    reply.header('connection', 'close');
    reply.raw.once('finish', () => req.raw.socket.destroy());
  }
  return reply.code(e.status).send(e.body());
}

/** Install the checks as the first `onRequest` hook: it runs before routing and before any WebSocket upgrade. */
export function installAccessControl(app: FastifyInstance, opts: AccessOptions): void {
  app.addHook('onRequest', async (req, reply) => {
    const host = req.headers.host;
    if (opts.token === undefined) {
      const name = hostname(host);
      const named = opts.origins.some((o) => hostname(o.replace(/^[a-z]+:\/\//i, '')) === name);
      if (!name || !(isLoopbackHost(name) || named)) {
        return refuse(
          req,
          reply,
          new HttpError(
            403,
            `Host "${host ?? ''}" is not allowed: without a token this server answers only to localhost names`,
            {
              code: 'forbidden_host',
            },
          ),
        );
      }
    }
    const origin = req.headers.origin;
    if (typeof origin === 'string' && !originAllowed(origin, host, opts.origins)) {
      return refuse(
        req,
        reply,
        new HttpError(
          403,
          `Origin "${origin}" is not allowed: add it to server.origins to let that page connect`,
          {
            code: 'forbidden_origin',
          },
        ),
      );
    }
    if (opts.token === undefined) return;
    const given = requestToken(req);
    const expected = given?.source === 'cookie' ? cookieCredential(opts.token) : opts.token;
    if (!given || !tokensEqual(given.token, expected)) {
      return refuse(
        req,
        reply,
        new HttpError(
          401,
          given
            ? 'wrong token'
            : 'this server needs a token: send Authorization: Bearer <token> (or ?token= on the WebSocket URL)',
          { code: 'invalid_api_key' },
        ),
      );
    }
    if (given.source === 'query' && req.method === 'GET' && !req.url.startsWith('/ws')) {
      // The browser UI was opened with ?token=: its later requests carry the cookie instead.
      reply.header(
        'set-cookie',
        `${TOKEN_COOKIE}=${cookieCredential(given.token)}; HttpOnly; SameSite=Strict; Path=/`,
      );
    }
  });
}
