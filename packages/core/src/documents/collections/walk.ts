/**
 * The files under a collection's roots: folders walked recursively in name order, `.git`
 * folders and what `.gitignore` files exclude left out (each `.gitignore` applies to its own
 * folder and below, as git reads them), symbolic links to folders not followed.
 */
import { lstat, readdir, readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import ignoreModule, { type Ignore } from 'ignore';
import { UsageError } from '../../errors.js';
import { abortReason } from '../../util/abort.js';

/** A file found under a root: its absolute path, and the path citations show. */
export interface FoundFile {
  absPath: string;
  /** The root folder's name, then the path inside it (`/` separators); a file root's own name. */
  path: string;
}

/** What a walk found. */
export interface WalkResult {
  files: FoundFile[];
  /** Files and folders a `.gitignore` left out. */
  ignored: number;
}

// `ignore` is CommonJS with `module.exports.default` set to itself; its types say `export default`.
const ignore = (ignoreModule as unknown as { default: (o?: object) => Ignore }).default;

interface Rules {
  dir: string;
  ig: Ignore;
}

/**
 * Walk the roots (absolute paths).
 *
 * @throws UsageError naming a root that does not exist or is neither a file nor a folder
 */
export async function walkRoots(roots: readonly string[], signal?: AbortSignal): Promise<WalkResult> {
  const out: WalkResult = { files: [], ignored: 0 };
  const seen = new Set<string>();
  for (const root of roots) {
    const info = await stat(root).catch(() => undefined);
    if (!info) throw new UsageError(`${root}: no such file or folder`);
    if (info.isFile()) {
      if (!seen.has(root)) out.files.push({ absPath: root, path: path.basename(root) });
      seen.add(root);
    } else if (info.isDirectory()) {
      await walkDir(root, path.basename(root) || root, [], out, seen, signal);
    } else {
      throw new UsageError(`${root}: not a file or a folder`);
    }
  }
  return out;
}

async function walkDir(
  dir: string,
  shown: string,
  parentRules: Rules[],
  out: WalkResult,
  seen: Set<string>,
  signal: AbortSignal | undefined,
): Promise<void> {
  if (signal?.aborted) throw abortReason(signal);
  const rules = [...parentRules];
  const gitignore = await readFile(path.join(dir, '.gitignore'), 'utf8').catch(() => undefined);
  if (gitignore !== undefined) rules.push({ dir, ig: ignore().add(gitignore) });
  const entries = await readdir(dir, { withFileTypes: true }).catch(() => []);
  entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  for (const e of entries) {
    const abs = path.join(dir, e.name);
    let isDir = e.isDirectory();
    let isFile = e.isFile();
    if (e.isSymbolicLink()) {
      // A link to a file is read; a link to a folder is not followed (no loops).
      const target = await stat(abs).catch(() => undefined);
      isFile = target?.isFile() ?? false;
      isDir = false;
    }
    if (isDir && e.name === '.git') continue;
    if (!isDir && !isFile) continue;
    if (rules.some((r) => r.ig.ignores(relative(r.dir, abs) + (isDir ? '/' : '')))) {
      out.ignored++;
      continue;
    }
    if (isDir) {
      const l = await lstat(abs).catch(() => undefined);
      if (l?.isDirectory()) await walkDir(abs, `${shown}/${e.name}`, rules, out, seen, signal);
    } else if (!seen.has(abs)) {
      seen.add(abs);
      out.files.push({ absPath: abs, path: `${shown}/${e.name}` });
    }
  }
}

function relative(from: string, to: string): string {
  return path.relative(from, to).split(path.sep).join('/');
}
