/**
 * Running an offline speech program (pocketsphinx, espeak-ng) as a child process that an
 * `AbortSignal` kills. Nothing is left running: on abort, on an error and when a consumer
 * stops reading, the child gets SIGKILL and the promise waits for it to exit.
 */
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { abortReason } from '../util/abort.js';
import { SpeechError } from './speech-error.js';

export interface ProgramOptions {
  /** Written to the child's stdin, which is then closed. */
  input?: string | Uint8Array;
  signal?: AbortSignal | undefined;
  /** What to tell the user when the program is not installed. */
  install: string;
}

/** A spawned program whose stdout is read chunk by chunk. */
export interface RunningProgram {
  readonly child: ChildProcessWithoutNullStreams;
  /** stdout, chunk by chunk; throws when the program fails or the signal aborts. */
  stdout(): AsyncGenerator<Buffer>;
}

/** Start `command`; read its output with `stdout()` (which kills it when left early). */
export function startProgram(command: string, args: string[], opts: ProgramOptions): RunningProgram {
  if (opts.signal?.aborted) throw abortReason(opts.signal);
  const child = spawn(command, args, { stdio: ['pipe', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr.setEncoding('utf8').on('data', (d: string) => {
    if (stderr.length < 8192) stderr += d;
  });
  // A child that dies before reading its input must not crash us with EPIPE.
  child.stdin.on('error', () => undefined);
  if (opts.input !== undefined) child.stdin.end(opts.input);
  else child.stdin.end();

  const exited = new Promise<{ code: number | null; error?: Error }>((resolve) => {
    child.once('error', (error) => resolve({ code: null, error }));
    child.once('close', (code) => resolve({ code }));
  });
  const kill = (): void => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  };
  const onAbort = (): void => kill();
  opts.signal?.addEventListener('abort', onAbort, { once: true });

  async function* stdout(): AsyncGenerator<Buffer> {
    let done = false;
    try {
      const iterator = child.stdout[Symbol.asyncIterator]() as AsyncIterator<Buffer>;
      const aborted = new Promise<never>((_, reject) => {
        const fail = (): void => reject(abortReason(opts.signal));
        if (opts.signal?.aborted) fail();
        else opts.signal?.addEventListener('abort', fail, { once: true });
      });
      aborted.catch(() => undefined);
      for (;;) {
        const next = await Promise.race([iterator.next(), aborted]);
        if (next.done) break;
        yield next.value;
      }
      const r = await exited;
      if (opts.signal?.aborted) throw abortReason(opts.signal);
      if (r.error) {
        const missing = (r.error as NodeJS.ErrnoException).code === 'ENOENT';
        throw missing
          ? new SpeechError('engine_missing', `${command} is not installed: ${opts.install}`, {
              cause: r.error,
            })
          : new SpeechError('engine_failed', `${command} could not start: ${r.error.message}`, {
              cause: r.error,
            });
      }
      if (r.code !== 0)
        throw new SpeechError(
          'engine_failed',
          `${command} failed (exit code ${r.code ?? 'none'})${stderr.trim() ? `: ${lastLine(stderr)}` : ''}`,
        );
      done = true;
    } finally {
      opts.signal?.removeEventListener('abort', onAbort);
      if (!done) {
        kill();
        // Unread output would keep the child's 'close' from ever coming.
        child.stdout.destroy();
        child.stderr.destroy();
        await exited;
      }
    }
  }
  return { child, stdout };
}

/** Run a program to the end and return its whole stdout. */
export async function runProgram(command: string, args: string[], opts: ProgramOptions): Promise<Buffer> {
  const parts: Buffer[] = [];
  for await (const b of startProgram(command, args, opts).stdout()) parts.push(b);
  return Buffer.concat(parts);
}

function lastLine(s: string): string {
  const lines = s.trim().split('\n');
  return (lines[lines.length - 1] ?? '').slice(0, 300);
}
