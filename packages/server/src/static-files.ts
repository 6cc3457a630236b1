/**
 * The browser UI's files: `GET /` serves `index.html` from the web folder (a placeholder
 * page until the UI exists), and `GET /<path>` any other file under it. Paths outside the
 * folder, hidden files and folders are never served.
 */
import { readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import type { FastifyInstance, FastifyReply } from 'fastify';
import { HttpError } from './http-errors.js';

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.webp': 'image/webp',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
  '.txt': 'text/plain; charset=utf-8',
};

/** The Content-Security-Policy of HTML pages: nothing but this origin, no inline script. */
export const PAGE_CSP =
  "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data: blob:; " +
  "connect-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'";

/** Served at `/` while `web/index.html` does not exist. */
export const PLACEHOLDER_PAGE = `<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><title>parley</title></head>
<body>
<main>
<h1>parley</h1>
<p>The server is running. The browser UI is not installed yet.</p>
<ul>
<li><a href="/v1/models">/v1/models</a>: the models (OpenAI-compatible API at <code>/v1</code>)</li>
<li><a href="/healthz">/healthz</a>, <a href="/metrics">/metrics</a></li>
<li>WebSocket: <code>/ws</code> (see docs/PROTOCOL.md)</li>
</ul>
</main>
</body>
</html>
`;

/** Resolve a URL path inside `root`, or undefined when it would leave it or names a hidden file. */
export function safeJoin(root: string, urlPath: string): string | undefined {
  let decoded: string;
  try {
    decoded = decodeURIComponent(urlPath);
  } catch {
    return undefined;
  }
  if (decoded.includes('\0') || decoded.includes('\\')) return undefined;
  const parts = decoded.split('/').filter((p) => p !== '');
  if (parts.some((p) => p.startsWith('.'))) return undefined;
  const full = path.resolve(root, ...parts);
  const base = path.resolve(root);
  return full.startsWith(base + path.sep) ? full : undefined;
}

async function sendFile(reply: FastifyReply, file: string): Promise<FastifyReply> {
  const type = TYPES[path.extname(file).toLowerCase()] ?? 'application/octet-stream';
  const body = await readFile(file);
  reply.header('content-type', type).header('cache-control', 'no-cache');
  if (type.startsWith('text/html')) reply.header('content-security-policy', PAGE_CSP);
  return reply.send(body);
}

async function isFile(file: string): Promise<boolean> {
  return (await stat(file).catch(() => undefined))?.isFile() === true;
}

/** Register `GET /` and `GET /*` for the files under `root`. */
export function registerStaticFiles(app: FastifyInstance, root: string): void {
  app.get('/', async (_req, reply) => {
    const index = path.join(root, 'index.html');
    if (await isFile(index)) return sendFile(reply, index);
    return reply
      .header('content-type', 'text/html; charset=utf-8')
      .header('content-security-policy', PAGE_CSP)
      .send(PLACEHOLDER_PAGE);
  });

  app.get<{ Params: { '*': string } }>('/*', async (req, reply) => {
    const file = safeJoin(root, req.params['*']);
    if (!file || !(await isFile(file))) {
      throw new HttpError(404, `nothing at ${req.url.split('?')[0] ?? ''}`, { code: 'not_found' });
    }
    return sendFile(reply, file);
  });
}
