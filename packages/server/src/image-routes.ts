/**
 * `GET /api/images/FILE`: a generated image from the data folder (docs/images.md). Like every
 * route it is behind the server's token (header, `?token=` or the browser's cookie). Only
 * names parley gives images are served, from that one folder: no path reaches anything else.
 */
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import path from 'node:path';
import { imagesDir, type Parley } from '@parley/core';
import type { FastifyInstance } from 'fastify';
import { HttpError } from './http-errors.js';

/** The names parley saves images under: an id and the type's extension. */
export const IMAGE_FILE = /^[0-9A-Z]{26}\.(png|jpg|webp)$/;
const TYPES: Record<string, string> = { png: 'image/png', jpg: 'image/jpeg', webp: 'image/webp' };

export function registerImageRoutes(app: FastifyInstance, parley: Parley): void {
  app.get<{ Params: { file: string } }>('/api/images/:file', async (req, reply) => {
    const name = req.params.file;
    const m = IMAGE_FILE.exec(name);
    const notFound = new HttpError(404, `no image ${JSON.stringify(name.slice(0, 60))}`, {
      code: 'not_found',
    });
    if (!m) throw notFound;
    const file = path.join(imagesDir(parley.paths.data), name);
    const info = await stat(file).catch(() => undefined);
    if (!info?.isFile()) throw notFound;
    return reply
      .header('content-type', TYPES[m[1] as string] as string)
      .header('content-length', info.size)
      .header('cache-control', 'private, max-age=31536000, immutable')
      .header('x-content-type-options', 'nosniff')
      .send(createReadStream(file));
  });
}
