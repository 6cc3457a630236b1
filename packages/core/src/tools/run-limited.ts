/**
 * Running an untrusted program for `run_code` and `shell`: a child process in its own process
 * group with a wall-clock timeout, a memory cap (`ulimit -d`, the data segment), an output cap
 * and an environment that holds nothing of parley's (no API keys).
 *
 * Where Linux lets an ordinary user make namespaces (`unshare`, found once), the program also
 * runs in its own user, PID, mount and (unless `run_network` is on) network namespaces:
 * - it sees only its own processes (`/proc` is its own: not parley's command line or
 *   environment);
 * - every process it starts dies with it, even one that left the process group (`setsid`),
 *   because the namespace's first process takes them all down;
 * - it has no network at all, not even loopback, so it cannot reach `parley serve`, a
 *   local model server or a cloud metadata address;
 * - the number of its processes is capped (`ulimit -u` inside the namespace; a root user
 *   is exempt from that cap).
 * Where namespaces are not available, the limits above the list still hold and `isolation()`
 * says `none`; docs/tools.md tells the user what that leaves open.
 */
import { spawn, spawnSync } from 'node:child_process';
import { redact } from '../secrets.js';

export interface RunLimits {
  timeoutMs: number;
  memoryMb: number;
  outputBytes: number;
  /** Processes the program may have at once (inside its namespace). Default 64. */
  processes?: number | undefined;
  /** Let the program use the network. Default false. */
  network?: boolean | undefined;
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

/** How a program is kept apart: in its own namespaces, or only by the limits. */
export type Isolation = 'namespaces' | 'none';

const NS_FLAGS = ['--user', '--map-root-user', '--pid', '--fork', '--kill-child', '--mount-proc'];
let probed: Isolation | undefined;

/**
 * Can this machine run a program in its own namespaces? Asked once: `unshare` must exist
 * and the kernel must let this user make a user namespace (some distributions turn that
 * off). `PARLEY_SANDBOX_NAMESPACES=0` turns it off.
 */
export function isolation(): Isolation {
  if (probed === undefined) {
    if (process.platform !== 'linux' || process.env.PARLEY_SANDBOX_NAMESPACES === '0') probed = 'none';
    else {
      const r = spawnSync('unshare', [...NS_FLAGS, '--net', '/bin/sh', '-c', 'exit 0'], {
        stdio: 'ignore',
        timeout: 5000,
      });
      probed = r.status === 0 ? 'namespaces' : 'none';
    }
  }
  return probed;
}

/** The command line that runs `argv` under the limits (exported for its test). */
export function limitedArgv(argv: string[], limits: RunLimits, how: Isolation = isolation()): string[] {
  const kb = limits.memoryMb * 1024;
  const nproc = limits.processes ?? 64;
  // `ulimit -u` in bash, `-p` in dash: whichever this /bin/sh knows.
  const script =
    how === 'namespaces'
      ? `ulimit -d ${kb} 2>/dev/null; ulimit -u ${nproc} 2>/dev/null || ulimit -p ${nproc} 2>/dev/null; exec "$@"`
      : `ulimit -d ${kb} 2>/dev/null; exec "$@"`;
  const sh = ['/bin/sh', '-c', script, 'sh', ...argv];
  if (how === 'none') return sh;
  return ['unshare', ...NS_FLAGS, ...(limits.network ? [] : ['--net']), ...sh];
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
    const [cmd, ...args] = limitedArgv(argv, limits);
    const child = spawn(cmd as string, args, {
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
