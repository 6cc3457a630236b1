/**
 * `run_code` and `shell`: a child process in its own process group with a wall-clock
 * timeout, a memory cap (`ulimit -d`, the data segment), an output cap and an environment that holds
 * nothing of parley's (no API keys). JavaScript runs under Node's permission model (files
 * only in its temp folder, no child processes, no workers); Python runs isolated (`-I`) with
 * an audit hook that refuses new processes and native code. This limits honest mistakes and
 * careless model output; it is not a container, which is why both tools ask first.
 */
import { spawn, spawnSync } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import * as z from 'zod';
import { redact } from '../secrets.js';
import type { Tool } from './types.js';
import { ToolError } from './types.js';

export interface RunLimits {
  timeoutMs: number;
  memoryMb: number;
  outputBytes: number;
}

export interface RunOutcome {
  exitCode: number | null;
  signal: string | null;
  stdout: string;
  stderr: string;
  timedOut: boolean;
  truncated: boolean;
}

/** The environment a sandboxed process gets: a PATH, a locale and its own HOME and TMPDIR. */
export function sandboxEnv(dir: string): NodeJS.ProcessEnv {
  return {
    PATH: process.env.PATH ?? '/usr/local/bin:/usr/bin:/bin',
    HOME: dir,
    TMPDIR: dir,
    LANG: 'C.UTF-8',
    PYTHONDONTWRITEBYTECODE: '1',
  };
}

/** Run a command under the limits. Never rejects for the child's own failures. */
export function runLimited(
  argv: string[],
  cwd: string,
  env: NodeJS.ProcessEnv,
  limits: RunLimits,
  signal: AbortSignal,
): Promise<RunOutcome> {
  return new Promise((resolve, reject) => {
    const kb = limits.memoryMb * 1024;
    const child = spawn('/bin/sh', ['-c', `ulimit -d ${kb} 2>/dev/null; exec "$@"`, 'sh', ...argv], {
      cwd,
      env,
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    let total = 0;
    let truncated = false;
    let timedOut = false;
    const killGroup = (): void => {
      try {
        if (child.pid) process.kill(-child.pid, 'SIGKILL');
      } catch {
        // already gone
      }
    };
    const take = (into: Buffer[]) => (c: Buffer) => {
      if (truncated) return;
      const room = limits.outputBytes - total;
      if (c.length > room) {
        into.push(c.subarray(0, room));
        total = limits.outputBytes;
        truncated = true;
        killGroup();
        return;
      }
      into.push(c);
      total += c.length;
    };
    child.stdout.on('data', take(out));
    child.stderr.on('data', take(err));
    const timer = setTimeout(() => {
      timedOut = true;
      killGroup();
    }, limits.timeoutMs);
    const onAbort = (): void => killGroup();
    signal.addEventListener('abort', onAbort, { once: true });
    child.on('error', (e) => {
      clearTimeout(timer);
      signal.removeEventListener('abort', onAbort);
      reject(e);
    });
    child.on('close', (exitCode, sig) => {
      clearTimeout(timer);
      signal.removeEventListener('abort', onAbort);
      // Whatever the program left running in its group goes with it.
      killGroup();
      resolve({
        exitCode,
        signal: sig,
        stdout: Buffer.concat(out).toString('utf8'),
        stderr: Buffer.concat(err).toString('utf8'),
        timedOut,
        truncated,
      });
    });
  });
}

/** The text a model reads about a finished run. */
export function describeRun(r: RunOutcome, limits: RunLimits): string {
  const notes: string[] = [];
  if (r.timedOut) notes.push(`killed: it ran past the ${limits.timeoutMs} ms limit`);
  if (r.truncated) notes.push(`killed: it printed more than ${limits.outputBytes} bytes`);
  if (
    !r.timedOut &&
    !r.truncated &&
    /out of memory|MemoryError|Cannot allocate|allocation failed/i.test(r.stderr)
  ) {
    notes.push(`it ran out of memory (limit ${limits.memoryMb} MB)`);
  }
  const status = r.exitCode !== null ? `exit code ${r.exitCode}` : `killed by ${r.signal ?? 'a signal'}`;
  const parts = [`[${status}${notes.length ? `; ${notes.join('; ')}` : ''}]`];
  if (r.stdout) parts.push(`stdout:\n${r.stdout}`);
  if (r.stderr) parts.push(`stderr:\n${r.stderr}`);
  return redact(parts.join('\n'));
}

/** Python's prelude: no new processes, no native code, then the program. */
const PY_PRELUDE = `import sys
def _guard(event, args):
    if event in ('os.fork', 'os.forkpty', 'os.system', 'os.exec', 'os.posix_spawn', 'os.spawn', 'subprocess.Popen', 'pty.spawn', 'ctypes.dlopen', 'ctypes.cdata', 'os.kill', 'os.killpg'):
        raise PermissionError('run_code: ' + event + ' is not allowed in the sandbox')
sys.addaudithook(_guard)
del _guard
_src = open('main.py', encoding='utf-8').read()
exec(compile(_src, 'main.py', 'exec'), {'__name__': '__main__'})
`;

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
    description: `Run a short program and return its output (javascript${python ? ' or python' : ''}). It runs in a temp folder with no network guarantees, a ${limits.timeoutMs} ms limit and no access to the user's files.`,
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
