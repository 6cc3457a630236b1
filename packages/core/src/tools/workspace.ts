/**
 * `read_file`, `write_file` and `list_dir`: confined to the workspace root. Every path is
 * resolved through realpath and must stay inside the root's realpath, so neither `..` nor a
 * symbolic link leads out; writes never follow a link at the last step.
 */
import { constants } from 'node:fs';
import { lstat, mkdir, open, readdir, realpath, stat } from 'node:fs/promises';
import path from 'node:path';
import * as z from 'zod';
import type { Tool, ToolOutput } from './types.js';
import { ToolError } from './types.js';

/** Messages name the path the model gave (cut short), never the real one on this machine. */
function shown(given: string): string {
  return given.length > 120 ? `${given.slice(0, 120)}…` : given;
}

/** A file-system error as the typed tool error the model reads; a ToolError passes through. */
export function fsToolError(e: unknown, given: string): ToolError {
  if (e instanceof ToolError) return e;
  const p = shown(given);
  switch ((e as NodeJS.ErrnoException).code) {
    case 'ENOENT':
      return new ToolError('not_found', `${p}: no such file or folder`);
    case 'ENOTDIR':
      return new ToolError('invalid_args', `${p}: a part of this path is a file, not a folder`);
    case 'EISDIR':
      return new ToolError('invalid_args', `${p} is a folder, not a file`);
    case 'EEXIST':
      return new ToolError('invalid_args', `${p}: a file stands where a folder is needed`);
    case 'ENAMETOOLONG':
      return new ToolError('invalid_args', `${p}: a name in this path is too long`);
    case 'ELOOP':
      return new ToolError('blocked', `${p}: too many symbolic links`);
    case 'EACCES':
    case 'EPERM':
    case 'EROFS':
      return new ToolError('blocked', `${p}: permission denied`);
    case 'ENOSPC':
    case 'EDQUOT':
      return new ToolError('failed', `${p}: the disk is full`);
    default:
      return new ToolError(
        'failed',
        `${p}: ${(e as NodeJS.ErrnoException).code ?? 'the file system refused'}`,
      );
  }
}

function inside(root: string, p: string): boolean {
  const rel = path.relative(root, p);
  return rel === '' || (!rel.startsWith('..') && !path.isAbsolute(rel));
}

/** Resolve a path the model gave to a real path inside the workspace, or refuse it. */
export async function resolveInWorkspace(root: string, given: string, mustExist: boolean): Promise<string> {
  if (given.includes('\0')) throw new ToolError('invalid_args', 'the path contains a NUL byte');
  const realRoot = await realpath(root).catch(() => {
    throw new ToolError('unavailable', `the workspace ${root} does not exist (tools.workspace)`);
  });
  const target = path.resolve(realRoot, given);
  if (!inside(realRoot, target)) {
    throw new ToolError('blocked', `${given} is outside the workspace`);
  }
  // Walk up to the deepest part that exists and resolve its links.
  let existing = target;
  const rest: string[] = [];
  for (;;) {
    try {
      const real = await realpath(existing);
      const full = path.join(real, ...rest);
      if (!inside(realRoot, real) || !inside(realRoot, full)) {
        throw new ToolError('blocked', `${given} leads outside the workspace (through a symbolic link)`);
      }
      if (mustExist && rest.length > 0) throw new ToolError('not_found', `${given}: no such file or folder`);
      return full;
    } catch (e) {
      if (e instanceof ToolError) throw e;
      if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
      // A dangling link is a way out too: refuse it.
      const l = await lstat(existing).catch(() => undefined);
      if (l?.isSymbolicLink()) throw new ToolError('blocked', `${given} is a symbolic link leading nowhere`);
      if (existing === realRoot) throw e;
      rest.unshift(path.basename(existing));
      existing = path.dirname(existing);
    }
  }
}

const ReadInput = z
  .object({ path: z.string().min(1).max(4096).describe('Path inside the workspace') })
  .strict();
const WriteInput = z
  .object({
    path: z.string().min(1).max(4096).describe('Path inside the workspace'),
    content: z.string().max(10_000_000).describe('The whole new content of the file'),
  })
  .strict();
const ListInput = z
  .object({
    path: z.string().max(4096).optional().describe('Folder inside the workspace (default: its root)'),
  })
  .strict();

export function workspaceTools(root: string, maxReadBytes: number): Tool<never>[] {
  const read: Tool<z.infer<typeof ReadInput>> = {
    name: 'read_file',
    description: 'Read a text file in the workspace.',
    input: ReadInput,
    safety: 'safe',
    execute: (a) => typed(a.path, () => readFile(root, a.path, maxReadBytes)),
  };
  const write: Tool<z.infer<typeof WriteInput>> = {
    name: 'write_file',
    description: 'Create or replace a text file in the workspace (asks the user first).',
    input: WriteInput,
    safety: 'confirm',
    execute: (a) => typed(a.path, () => writeFile(root, a.path, a.content)),
  };
  const list: Tool<z.infer<typeof ListInput>> = {
    name: 'list_dir',
    description: 'List a folder in the workspace (folders end with /).',
    input: ListInput,
    safety: 'safe',
    execute: (a) => typed(a.path ?? '.', () => listDir(root, a.path)),
  };
  return [read, write, list] as unknown as Tool<never>[];
}

/** Run a tool's body; whatever the file system throws becomes a typed tool error. */
async function typed<T>(given: string, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (e) {
    throw fsToolError(e, given);
  }
}

async function readFile(root: string, given: string, maxReadBytes: number): Promise<ToolOutput> {
  const p = await resolveInWorkspace(root, given, true);
  const s = await stat(p);
  if (!s.isFile()) throw new ToolError('invalid_args', `${shown(given)} is not a file`);
  const fh = await open(p, constants.O_RDONLY | constants.O_NOFOLLOW);
  try {
    const len = Math.min(s.size, maxReadBytes);
    const buf = Buffer.alloc(len);
    const { bytesRead } = await fh.read(buf, 0, len, 0);
    const text = buf.subarray(0, bytesRead).toString('utf8');
    const cut =
      s.size > maxReadBytes ? `\n[cut: the file has ${s.size} bytes, ${maxReadBytes} were read]` : '';
    return { forModel: text + cut, forUser: `read ${given} (${s.size} bytes)` };
  } finally {
    await fh.close();
  }
}

async function writeFile(root: string, given: string, content: string): Promise<ToolOutput> {
  const p = await resolveInWorkspace(root, given, false);
  await mkdir(path.dirname(p), { recursive: true });
  // Re-check after creating folders, then never follow a link at the last step.
  await resolveInWorkspace(root, given, false);
  const fh = await open(
    p,
    constants.O_WRONLY | constants.O_CREAT | constants.O_TRUNC | constants.O_NOFOLLOW,
    0o644,
  ).catch((e: NodeJS.ErrnoException) => {
    if (e.code === 'ELOOP') throw new ToolError('blocked', `${shown(given)} is a symbolic link`);
    throw e;
  });
  try {
    await fh.writeFile(content, 'utf8');
  } finally {
    await fh.close();
  }
  const bytes = Buffer.byteLength(content);
  return { forModel: `wrote ${bytes} bytes to ${given}`, forUser: `wrote ${given} (${bytes} bytes)` };
}

async function listDir(root: string, given: string | undefined): Promise<ToolOutput> {
  const p = await resolveInWorkspace(root, given ?? '.', true);
  const entries = await readdir(p, { withFileTypes: true }).catch((e: NodeJS.ErrnoException) => {
    if (e.code === 'ENOTDIR') throw new ToolError('invalid_args', `${shown(given ?? '.')} is not a folder`);
    throw e;
  });
  const names = entries
    .map((e) => (e.isDirectory() ? `${e.name}/` : e.isSymbolicLink() ? `${e.name}@` : e.name))
    .sort()
    .slice(0, 1000);
  return { forModel: names.join('\n') || '(empty)', forUser: `${entries.length} entries in ${given ?? '.'}` };
}
