/**
 * `parley serve` as a user runs it: the built bin in a child process on a free port, in the
 * given PARLEY_HOME, with an optional config file. Resolves once it prints its URL.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { cleanEnv, PARLEY_BIN } from './cli.js';

export interface ServeProcess {
  child: ChildProcess;
  /** `http://127.0.0.1:PORT` */
  url: string;
  /** `ws://127.0.0.1:PORT/ws` */
  wsUrl: string;
  stderr(): string;
  /** Resolves with the exit code, or the signal's name. */
  exited: Promise<number | NodeJS.Signals | null>;
  /** The server's resident memory in bytes (Linux: /proc/PID/status). */
  rss(): number;
  /** SIGTERM, and wait for the exit (SIGKILL after 10 s). */
  stop(): Promise<void>;
}

/** Start `parley serve --port 0 ARGS`; `config` (TOML) is written to HOME/serve.toml. */
export async function startServe(
  home: string,
  opts: { args?: string[]; config?: string; env?: Record<string, string> } = {},
): Promise<ServeProcess> {
  const args = ['serve', '--port', '0', ...(opts.args ?? [])];
  if (opts.config !== undefined) {
    const file = path.join(home, 'serve.toml');
    writeFileSync(file, opts.config);
    args.push('--config', file);
  }
  const child = spawn(process.execPath, [PARLEY_BIN, ...args], {
    env: cleanEnv({ PARLEY_HOME: home, PARLEY_GPU: 'false', ...opts.env }),
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let err = '';
  const exited = new Promise<number | NodeJS.Signals | null>((resolve) =>
    child.on('exit', (code, signal) => resolve(signal ?? code)),
  );
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`parley serve did not start: ${err}`)), 30_000);
    child.stderr!.setEncoding('utf8').on('data', (d: string) => {
      err += d;
      const m = /listening on (http:\/\/\S+)/.exec(err);
      if (m?.[1]) {
        clearTimeout(timer);
        resolve(m[1]);
      }
    });
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`parley serve exited (${String(code)}): ${err}`));
    });
  });
  return {
    child,
    url,
    wsUrl: `${url.replace(/^http/, 'ws')}/ws`,
    stderr: () => err,
    exited,
    rss() {
      const status = readFileSync(`/proc/${child.pid}/status`, 'utf8');
      const kb = /^VmRSS:\s+(\d+) kB/m.exec(status)?.[1];
      if (kb === undefined) throw new Error('no VmRSS in /proc/PID/status');
      return Number(kb) * 1024;
    },
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
      child.kill('SIGTERM');
      await exited;
      clearTimeout(timer);
    },
  };
}
