/**
 * Shared parts of the hostile MCP tests: the hostile server (a real child process), configs
 * that start it in one mode, and the check that every server started is gone.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ConfigLayer, ParleyConfig, ToolResult, ToolSession } from '@parley/core';
import { DEFAULTS } from '@parley/core';

export const HOSTILE = fileURLToPath(new URL('../fixtures/mcp-hostile-server.mjs', import.meta.url));
export const DEMO = fileURLToPath(new URL('../fixtures/mcp-demo-server.mjs', import.meta.url));
export const yes = async (): Promise<boolean> => true;

/** A folder where each hostile server leaves a file named after its pid. */
export function pidDir(): {
  dir: string;
  pids: () => number[];
  mode: (pid: number) => string;
  cleanup: () => void;
} {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'parley-mcp-pids-'));
  return {
    dir,
    pids: () => readdirSync(dir).map(Number),
    mode: (pid) => `${pid} (${readFileSync(path.join(dir, String(pid)), 'utf8')})`,
    cleanup: () => rmSync(dir, { recursive: true, force: true }),
  };
}

/** The pids of `pids` that are still running (a zombie, dead but not yet reaped, is not). */
export function alive(pids: number[]): number[] {
  return pids.filter((pid) => {
    try {
      process.kill(pid, 0);
    } catch {
      return false;
    }
    try {
      // /proc/PID/stat: "PID (name) STATE …"
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
    } catch {
      return false;
    }
  });
}

/** A stdio server entry running the hostile server in `mode`. */
export function hostile(
  mode: string,
  dir: string,
  extra: { arg?: string; timeout_ms?: number } = {},
): NonNullable<NonNullable<ConfigLayer['mcp']>['servers']>[string] {
  return {
    command: process.execPath,
    args: [HOSTILE, mode, ...(extra.arg !== undefined ? [extra.arg] : [])],
    env: { PID_DIR: dir },
    safety: 'safe',
    timeout_ms: extra.timeout_ms ?? 5000,
  };
}

export function config(servers: NonNullable<ConfigLayer['mcp']>['servers']): ParleyConfig {
  return { ...DEFAULTS, mcp: { servers } } as ParleyConfig;
}

/** Call a tool of the session with a fresh (or the given) signal. */
export function call(
  s: ToolSession,
  name: string,
  args: unknown,
  signal = new AbortController().signal,
): Promise<ToolResult> {
  return s.registry.call(name, 'c', args, { confirm: yes, signal, maxOutputChars: s.maxOutputChars });
}

/** Control and escape characters that must never reach a terminal. */
// eslint-disable-next-line no-control-regex
export const RAW_CONTROL = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/;
