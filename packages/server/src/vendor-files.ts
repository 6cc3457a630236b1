/**
 * The browser UI's third-party modules, served straight from this package's dependencies
 * (no bundler, no copy step) under `/vendor/`:
 *
 * - `/vendor/marked.js`: marked's ES module build;
 * - `/vendor/purify.js`: DOMPurify's ES module build;
 * - `/vendor/highlight/core.js`: highlight.js's core as an ES module (the package ships it as
 *   CommonJS only, so it is wrapped once, in memory, with `export default module.exports`);
 * - `/vendor/highlight/languages/NAME.js`: highlight.js's ES module language definitions;
 * - `/vendor/highlight/styles/NAME.css`: its themes.
 *
 * Paths come from Node's resolver (`createRequire`), never from a fixed location, and only
 * these files are reachable: a name outside the pattern or a missing file is a 404.
 */
import { readFileSync } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import { createRequire } from 'node:module';
import path from 'node:path';
import type { FastifyInstance, FastifyReply } from 'fastify';
import { HttpError } from './http-errors.js';

const require = createRequire(import.meta.url);

/** Where each vendored file lives on this machine, resolved through the packages' own exports. */
export interface VendorPaths {
  marked: string;
  purify: string;
  highlightCore: string;
  highlightLanguages: string;
  highlightStyles: string;
}

/** Resolve the vendored files from `node_modules` (wherever npm put them). */
export function resolveVendorPaths(): VendorPaths {
  const hljsRoot = path.dirname(require.resolve('highlight.js/package.json'));
  return {
    // marked's only export is its ES module build.
    marked: require.resolve('marked'),
    // DOMPurify's "require" entry is dist/purify.cjs.js; its ES module build sits beside it.
    purify: path.join(path.dirname(require.resolve('dompurify')), 'purify.es.mjs'),
    highlightCore: require.resolve('highlight.js/lib/core'),
    highlightLanguages: path.join(hljsRoot, 'es', 'languages'),
    highlightStyles: path.join(hljsRoot, 'styles'),
  };
}

const JS = 'text/javascript; charset=utf-8';
const CSS = 'text/css; charset=utf-8';
/** Versioned by the installed packages, but a restart may change them: revalidate after an hour. */
const CACHE = 'public, max-age=3600';
const NAME = /^[a-z0-9][a-z0-9_-]{0,63}$/;

function send(reply: FastifyReply, type: string, body: string | Buffer): FastifyReply {
  return reply.header('content-type', type).header('cache-control', CACHE).send(body);
}

async function sendNamed(reply: FastifyReply, dir: string, name: string, ext: string, type: string) {
  const file = path.join(dir, `${name}${ext}`);
  if (!NAME.test(name) || (await stat(file).catch(() => undefined))?.isFile() !== true) {
    throw new HttpError(404, `no such vendored file: ${name}${ext}`, { code: 'not_found' });
  }
  return send(reply, type, await readFile(file));
}

/** Register `GET /vendor/...` (see the file comment). */
export function registerVendorFiles(app: FastifyInstance, paths: VendorPaths = resolveVendorPaths()): void {
  let hljsCore: string | undefined;
  app.get('/vendor/marked.js', async (_req, reply) => send(reply, JS, await readFile(paths.marked)));
  app.get('/vendor/purify.js', async (_req, reply) => send(reply, JS, await readFile(paths.purify)));
  app.get('/vendor/highlight/core.js', async (_req, reply) => {
    hljsCore ??=
      'const module = { exports: {} };\n' +
      readFileSync(paths.highlightCore, 'utf8') +
      '\nexport default module.exports;\n';
    return send(reply, JS, hljsCore);
  });
  app.get<{ Params: { name: string } }>('/vendor/highlight/languages/:name', async (req, reply) =>
    sendNamed(reply, paths.highlightLanguages, req.params.name.replace(/\.js$/, ''), '.js', JS),
  );
  app.get<{ Params: { name: string } }>('/vendor/highlight/styles/:name', async (req, reply) =>
    sendNamed(reply, paths.highlightStyles, req.params.name.replace(/\.css$/, ''), '.css', CSS),
  );
}
