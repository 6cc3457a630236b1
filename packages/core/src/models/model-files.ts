/**
 * The model files on disk: what `parley models list` shows, and how a `--model` value
 * (a path, a file name in the models folder, or a name without `.gguf`) becomes a path.
 */
import type { Dirent } from 'node:fs';
import { readdir, stat } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';

/** A complete model file in the models folder. */
export interface ModelFileInfo {
  /** The file name without the `.gguf` suffix: what `--model` accepts. */
  name: string;
  /** The file name, with its suffix. */
  file: string;
  /** Absolute path. */
  path: string;
  bytes: number;
  modifiedAt: Date;
}

const GGUF = /\.gguf$/i;

/**
 * The complete `.gguf` files in `modelsDir` (not `.part` downloads, not folders), sorted
 * by name; an empty list when the folder does not exist.
 */
export async function listModels(modelsDir: string): Promise<ModelFileInfo[]> {
  let entries: Dirent[];
  try {
    entries = await readdir(modelsDir, { withFileTypes: true });
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw e;
  }
  const out: ModelFileInfo[] = [];
  for (const entry of entries) {
    if (!GGUF.test(entry.name)) continue;
    const full = path.resolve(modelsDir, entry.name);
    const info = await stat(full).catch(() => undefined); // follows symlinks; skips dangling ones
    if (!info?.isFile()) continue;
    out.push({
      name: entry.name.replace(GGUF, ''),
      file: entry.name,
      path: full,
      bytes: info.size,
      modifiedAt: info.mtime,
    });
  }
  return out.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}

/**
 * Turn a `--model` value into the absolute path of an existing file, or undefined.
 * Accepts an absolute or relative path (`~/` expanded), a file name in `modelsDir`, or a
 * name without `.gguf`; names in `modelsDir` also match case-insensitively when unique.
 * A bare `x.gguf` not in `modelsDir` is tried relative to the working directory.
 */
export async function resolveModelFile(nameOrPath: string, modelsDir: string): Promise<string | undefined> {
  const value = nameOrPath.trim();
  if (value === '') return undefined;
  const withSuffix = (p: string): string[] => (GGUF.test(p) ? [p] : [p, `${p}.gguf`]);
  const looksLikePath =
    path.isAbsolute(value) || value.startsWith('~') || /[/\\]/.test(value) || value === '.' || value === '..';
  if (looksLikePath) {
    const expanded = value === '~' || /^~[/\\]/.test(value) ? path.join(os.homedir(), value.slice(1)) : value;
    return firstFile(withSuffix(path.resolve(expanded)));
  }
  const inDir = await firstFile(withSuffix(path.resolve(modelsDir, value)).filter((p) => GGUF.test(p)));
  if (inDir !== undefined) return inDir;
  const wanted = value.toLowerCase().replace(GGUF, '');
  const matches = (await listModels(modelsDir)).filter((m) => m.name.toLowerCase() === wanted);
  if (matches.length === 1) return matches[0]?.path;
  return GGUF.test(value) ? firstFile([path.resolve(value)]) : undefined;
}

async function firstFile(candidates: string[]): Promise<string | undefined> {
  for (const c of candidates) {
    const info = await stat(c).catch(() => undefined);
    if (info?.isFile()) return c;
  }
  return undefined;
}
