/**
 * From what the user typed (`notes.md`, `docs/`, `src/**\/*.ts`) to the files to read. A
 * folder or a glob never leads out of itself: `..` after the first wildcard is refused, and
 * a symbolic link whose target lies outside the folder the user named is refused (`outside`).
 * Folders are walked without following linked folders; hidden entries and `node_modules`
 * are skipped, and in a folder only the files parley reads by name are taken.
 */
import { lstat, readdir, realpath, stat } from 'node:fs/promises';
import path from 'node:path';
import { detectKind } from './detect.js';
import { DocumentRefusedError } from './extract.js';

/** One file to read: where it is, and how to name it. */
export interface FileToRead {
  absPath: string;
  /** The path to show: as typed for a file, relative to the current folder for a match. */
  displayPath: string;
}

export interface ExpandOptions {
  /** The folder relative paths start from (default `process.cwd()`). */
  cwd?: string;
  /** Most files in all; more is refused (`too_large`). */
  maxFiles: number;
  /** Deepest a folder or `**` is walked (default 16). */
  maxDepth?: number;
}

/** A file a walk found, with its real path (files reached twice count once). */
type Found = FileToRead & { real: string };

const GLOB = /[*?[\]{}]/;
const SKIPPED_DIRS = new Set(['node_modules']);

/** True when the spec has a wildcard (`*`, `?`, `[…]`, `{a,b}`). */
export function isGlob(spec: string): boolean {
  return GLOB.test(spec);
}

/**
 * The files a list of specs names, in order, each once.
 *
 * @throws DocumentRefusedError `not_found` (no such file, nothing matches), `outside` (a
 * pattern climbs out with `..`, a link leads out of the folder), `too_large` (more than
 * `maxFiles`), `unsupported` (a folder with no file parley reads)
 */
export async function expandFilePaths(specs: readonly string[], opts: ExpandOptions): Promise<FileToRead[]> {
  const cwd = opts.cwd ?? process.cwd();
  const out: FileToRead[] = [];
  const seen = new Set<string>();
  const push = (f: FileToRead, real: string): void => {
    if (seen.has(real)) return;
    seen.add(real);
    out.push({ absPath: f.absPath, displayPath: f.displayPath });
    if (out.length > opts.maxFiles) {
      throw new DocumentRefusedError(
        'too_large',
        f.displayPath,
        `more than ${opts.maxFiles} files in all; attach fewer (the limit is attachments.max_files)`,
      );
    }
  };
  for (const spec of specs) {
    if (spec.trim() === '') throw new DocumentRefusedError('not_found', '(empty)', 'an empty path');
    if (isGlob(spec)) {
      for (const f of await expandGlob(spec, cwd, opts.maxDepth ?? 16)) push(f, f.real);
      continue;
    }
    const abs = path.resolve(cwd, spec);
    let info;
    try {
      info = await stat(abs);
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      const reason =
        code === 'ENOENT' || code === 'ENOTDIR' ? 'no such file or folder' : `it cannot be read (${code})`;
      throw new DocumentRefusedError(
        code === 'ENOENT' || code === 'ENOTDIR' ? 'not_found' : 'unreadable',
        spec,
        reason,
      );
    }
    if (info.isDirectory()) {
      const root = await realpath(abs);
      const readable = await walk(
        abs,
        root,
        opts.maxDepth ?? 16,
        (rel) => detectKind(rel) !== undefined,
        cwd,
      );
      if (readable.length === 0) {
        throw new DocumentRefusedError('unsupported', spec, 'the folder has no file parley reads');
      }
      for (const f of readable) push(f, f.real);
      continue;
    }
    // A file named outright is what was asked for, wherever a link leads.
    push({ absPath: abs, displayPath: spec }, await realpath(abs).catch(() => abs));
  }
  return out;
}

/** Split a glob into the folder before its first wildcard and the pattern after it. */
export function splitGlob(spec: string): { base: string; pattern: string } {
  const parts = spec.split(/[\\/]/);
  const first = parts.findIndex((p) => GLOB.test(p));
  const baseParts = parts.slice(0, first);
  const base = baseParts.length === 0 ? '.' : baseParts.join('/') || '/';
  return { base, pattern: parts.slice(first).join('/') };
}

async function expandGlob(spec: string, cwd: string, maxDepth: number): Promise<Found[]> {
  const { base, pattern } = splitGlob(spec);
  if (pattern.split('/').some((seg) => seg === '..' || seg === '.')) {
    throw new DocumentRefusedError(
      'outside',
      spec,
      'a pattern must not climb out of its folder with .. after a wildcard; name the folder first (../docs/*.md)',
    );
  }
  const absBase = path.resolve(cwd, base);
  let root: string;
  try {
    root = await realpath(absBase);
  } catch {
    throw new DocumentRefusedError('not_found', spec, `no such folder: ${base}`);
  }
  const re = globToRegExp(pattern);
  const depth = pattern.includes('**') ? maxDepth : pattern.split('/').length;
  const found = await walk(absBase, root, depth, (rel) => re.test(rel), cwd);
  if (found.length === 0) throw new DocumentRefusedError('not_found', spec, 'no file matches');
  return found;
}

/**
 * Files under `dir` (depth-first, sorted by name) whose path relative to `dir` passes `keep`.
 * A linked file must resolve inside `root`; a linked folder is not entered.
 */
async function walk(
  dir: string,
  root: string,
  maxDepth: number,
  keep: (rel: string) => boolean,
  cwd: string,
): Promise<Found[]> {
  const out: Found[] = [];
  const visit = async (folder: string, rel: string, depth: number): Promise<void> => {
    let entries;
    try {
      entries = await readdir(folder, { withFileTypes: true });
    } catch (e) {
      throw new DocumentRefusedError(
        'unreadable',
        display(folder, cwd),
        `the folder cannot be read (${(e as NodeJS.ErrnoException).code})`,
      );
    }
    entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    for (const entry of entries) {
      if (entry.name.startsWith('.')) continue;
      const abs = path.join(folder, entry.name);
      const relPath = rel === '' ? entry.name : `${rel}/${entry.name}`;
      if (entry.isDirectory()) {
        if (depth > 1 && !SKIPPED_DIRS.has(entry.name)) await visit(abs, relPath, depth - 1);
        continue;
      }
      if (entry.isSymbolicLink()) {
        if (!keep(relPath)) continue;
        const target = await realpath(abs).catch(() => undefined);
        // A broken link leads nowhere: nothing to read, nothing to refuse.
        if (target === undefined) continue;
        // A linked folder is not entered (wherever it leads); a linked file must stay inside.
        if ((await lstat(target)).isDirectory()) continue;
        if (!inside(target, root)) {
          throw new DocumentRefusedError(
            'outside',
            display(abs, cwd),
            `it links to ${target}, outside the folder that was asked for (${display(dir, cwd)})`,
          );
        }
        out.push({ absPath: abs, displayPath: display(abs, cwd), real: target });
        continue;
      }
      if (entry.isFile() && keep(relPath)) {
        out.push({ absPath: abs, displayPath: display(abs, cwd), real: path.join(root, relPath) });
      }
    }
  };
  await visit(dir, '', maxDepth);
  return out;
}

function inside(target: string, root: string): boolean {
  const rel = path.relative(root, target);
  return rel === '' || (!rel.startsWith('..') && !path.isAbsolute(rel));
}

function display(abs: string, cwd: string): string {
  const rel = path.relative(cwd, abs);
  return rel !== '' && !rel.startsWith('..') && !path.isAbsolute(rel) ? rel : abs;
}

/**
 * A glob as a regular expression over `/`-separated relative paths: `*` and `?` stay within
 * a segment, `**` spans segments, `[…]` is a character class, `{a,b}` alternatives.
 */
export function globToRegExp(glob: string): RegExp {
  let re = '';
  let braces = 0;
  for (let i = 0; i < glob.length; i++) {
    const c = glob[i] as string;
    if (c === '*') {
      if (glob[i + 1] === '*') {
        const slash = glob[i + 2] === '/';
        re += slash ? '(?:[^/]+/)*' : '.*';
        i += slash ? 2 : 1;
      } else re += '[^/]*';
    } else if (c === '?') re += '[^/]';
    else if (c === '[') {
      const end = glob.indexOf(']', i + 2);
      if (end === -1) re += '\\[';
      else {
        let cls = glob.slice(i + 1, end).replace(/\\/g, '\\\\');
        if (cls.startsWith('!')) cls = `^${cls.slice(1)}`;
        re += `[${cls}]`;
        i = end;
      }
    } else if (c === '{') {
      braces++;
      re += '(?:';
    } else if (c === '}' && braces > 0) {
      braces--;
      re += ')';
    } else if (c === ',' && braces > 0) re += '|';
    else re += c.replace(/[.+^$()|\\/]/g, '\\$&');
  }
  re += ')'.repeat(braces);
  return new RegExp(`^${re}$`);
}
