/**
 * Generated images on disk: what kind of image some bytes are (by their first bytes, never
 * by what a server says), a PNG's size, and where an image is saved.
 */
import { existsSync, statSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { UsageError } from '../errors.js';
import { newId } from '../store/ids.js';

/** An image type parley saves, by its signature. */
export interface ImageKind {
  mediaType: 'image/png' | 'image/jpeg' | 'image/webp';
  ext: 'png' | 'jpg' | 'webp';
}

const PNG = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

/** The image type of these bytes, or undefined when they are not a PNG, JPEG or WebP image. */
export function imageKind(bytes: Uint8Array): ImageKind | undefined {
  const b = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (b.length >= 24 && b.subarray(0, 8).equals(PNG) && b.toString('latin1', 12, 16) === 'IHDR') {
    return { mediaType: 'image/png', ext: 'png' };
  }
  if (b.length >= 4 && b[0] === 0xff && b[1] === 0xd8 && b[2] === 0xff)
    return { mediaType: 'image/jpeg', ext: 'jpg' };
  if (b.length >= 12 && b.toString('latin1', 0, 4) === 'RIFF' && b.toString('latin1', 8, 12) === 'WEBP') {
    return { mediaType: 'image/webp', ext: 'webp' };
  }
  return undefined;
}

/** A PNG's width and height (from its IHDR chunk), or undefined for other bytes. */
export function pngSize(bytes: Uint8Array): { width: number; height: number } | undefined {
  if (imageKind(bytes)?.ext !== 'png') return undefined;
  const b = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  return { width: b.readUInt32BE(16), height: b.readUInt32BE(20) };
}

/** Sizes parley asks for: `WIDTHxHEIGHT`, each side 64 to 8192 pixels. */
export type ImageSize = `${number}x${number}`;

/** Check `--size` (or `images.size`); throws `UsageError` saying what is wrong. */
export function parseImageSize(raw: string): ImageSize {
  const m = /^(\d{1,5})x(\d{1,5})$/.exec(raw.trim());
  const ok = m !== null && [m[1], m[2]].every((n) => Number(n) >= 64 && Number(n) <= 8192);
  if (!ok) {
    const shown = JSON.stringify(raw.length > 40 ? `${raw.slice(0, 40)}…` : raw);
    throw new UsageError(`bad image size ${shown}: give WIDTHxHEIGHT, each 64-8192 pixels, e.g. 1024x1024`);
  }
  return `${Number(m[1])}x${Number(m[2])}` as ImageSize;
}

/** The folder generated images go to by default: `<data dir>/images`. */
export function imagesDir(dataDir: string): string {
  return path.join(dataDir, 'images');
}

/**
 * Where an image goes: `output` as given (a file, or an existing folder to put it in), or a
 * new name in the images folder. Throws `UsageError` when the folder of `output` is missing.
 */
export function imageTarget(output: string | undefined, dataDir: string, kind: ImageKind): string {
  const name = `${newId()}.${kind.ext}`;
  if (output === undefined) return path.join(imagesDir(dataDir), name);
  const full = path.resolve(output);
  if (existsSync(full) && statSync(full).isDirectory()) return path.join(full, name);
  const dir = path.dirname(full);
  if (!existsSync(dir) || !statSync(dir).isDirectory()) {
    throw new UsageError(`-o ${output}: the folder ${dir} does not exist (create it first)`);
  }
  return full;
}

/** Write the image (private to its owner, as the history is); the images folder is created. */
export async function saveImage(file: string, bytes: Uint8Array, dataDir: string): Promise<void> {
  if (path.dirname(file) === imagesDir(dataDir))
    await mkdir(imagesDir(dataDir), { recursive: true, mode: 0o700 });
  await writeFile(file, bytes, { mode: 0o600 });
}
