/**
 * `run_code` and `shell`: programs run by `runLimited` (run-limited.ts: a process group, time,
 * memory, output and process limits, a bare environment, and namespaces where Linux allows).
 * JavaScript runs under Node's permission model (files only in its temp folder, no child
 * processes, no workers); Python runs isolated (`-I`) behind the audit hook of
 * sandbox-python.ts. This limits honest mistakes, careless model output and programs that
 * try to get out; it is not a virtual machine, which is why both tools ask first.
 */
import { spawnSync } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import * as z from 'zod';
import { describeRun, isolation, runLimited, sandboxEnv, type RunLimits } from './run-limited.js';
import { PY_PRELUDE } from './sandbox-python.js';
import type { Tool } from './types.js';
import { ToolError } from './types.js';

export type { RunLimits, RunOutcome } from './run-limited.js';

/** What the model is told about the network, honestly. */
function networkNote(limits: RunLimits): string {
  if (limits.network) return ' with the network';
  return isolation() === 'namespaces' ? ' without network access' : '';
}

export function hasPython(): boolean {
  for (const dir of (process.env.PATH ?? '').split(path.delimiter)) {
    if (!dir) continue;
    try {
      accessSync(path.join(dir, 'python3'), constants.X_OK);
      return true;
    } catch {
      // next
    }
  }
  return false;
}

let pythonPath: string | undefined;
/**
 * The real python3 executable: version managers put a shell-script shim first on PATH, which
 * is slow to start and needs variables the sandbox does not pass on. Found once.
 */
function realPython(): string {
  if (pythonPath === undefined) {
    const r = spawnSync('python3', ['-c', 'import sys; print(sys.executable)'], {
      encoding: 'utf8',
      timeout: 10_000,
    });
    const found = r.status === 0 ? r.stdout.trim() : '';
    pythonPath = found || 'python3';
  }
  return pythonPath;
}

const CodeInput = z
  .object({
    language: z.enum(['javascript', 'python']).describe('javascript (Node) or python'),
    code: z.string().min(1).max(200_000).describe('The program; print what you want to see'),
  })
  .strict();

export function runCodeTool(limits: RunLimits, python = hasPython()): Tool<z.infer<typeof CodeInput>> {
  return {
    name: 'run_code',
    // A getter: whether there is a network is probed (once, ~20 ms) only when a model is
    // told about this tool, not for every tool session that never offers it.
    get description() {
      return `Run a short program and return its output (javascript${python ? ' or python' : ''}). It runs in a temp folder${networkNote(limits)}, a ${limits.timeoutMs} ms limit and no access to the user's files.`;
    },
    input: CodeInput,
    safety: 'confirm',
    async execute(a, ctx) {
      if (a.language === 'python' && !python) {
        throw new ToolError('unavailable', 'run_code: python3 is not installed here; use javascript');
      }
      const dir = await mkdtemp(path.join(tmpdir(), 'parley-run-'));
      try {
        let argv: string[];
        if (a.language === 'javascript') {
          await writeFile(path.join(dir, 'main.mjs'), a.code);
          argv = [
            process.execPath,
            '--experimental-permission',
            `--allow-fs-read=${dir}/`,
            `--allow-fs-write=${dir}/`,
            `--max-old-space-size=${Math.max(16, Math.floor(limits.memoryMb / 2))}`,
            '--no-warnings',
            path.join(dir, 'main.mjs'),
          ];
        } else {
          await writeFile(path.join(dir, 'main.py'), a.code);
          await writeFile(path.join(dir, 'prelude.py'), PY_PRELUDE);
          argv = [realPython(), '-I', 'prelude.py'];
        }
        const r = await runLimited(argv, dir, sandboxEnv(dir), limits, ctx.signal);
        const text = describeRun(r, limits);
        return { forModel: text, forUser: text.length > 500 ? `${text.slice(0, 500)}…` : text };
      } finally {
        await rm(dir, { recursive: true, force: true }).catch(() => undefined);
      }
    },
  };
}

const ShellInput = z
  .object({ command: z.string().min(1).max(20_000).describe('A shell command line, run in the workspace') })
  .strict();

export function shellTool(workspace: string, limits: RunLimits): Tool<z.infer<typeof ShellInput>> {
  return {
    name: 'shell',
    description: 'Run a shell command in the workspace folder (always asks the user first).',
    input: ShellInput,
    safety: 'dangerous',
    async execute(a, ctx) {
      const home = await mkdtemp(path.join(tmpdir(), 'parley-shell-'));
      try {
        const r = await runLimited(
          ['/bin/sh', '-c', a.command],
          workspace,
          sandboxEnv(home),
          limits,
          ctx.signal,
        ).catch((e: NodeJS.ErrnoException) => {
          throw new ToolError('unavailable', `shell: cannot run in ${workspace} (${e.code ?? e.message})`);
        });
        const text = describeRun(r, limits);
        return { forModel: text, forUser: text.length > 500 ? `${text.slice(0, 500)}…` : text };
      } finally {
        await rm(home, { recursive: true, force: true }).catch(() => undefined);
      }
    },
  };
}
