/**
 * Terminal safety (Perspt's panic hook, for Node): whatever ends the chat (a quit, an
 * uncaught exception, an unhandled rejection, SIGTERM, SIGHUP or SIGINT), the terminal is given
 * back as it was: raw mode off, cursor shown, bracketed paste off, alternate screen left.
 * A crash also prints a short hint and keeps the stack trace in a log file.
 */
import { appendFileSync, mkdirSync, writeSync } from 'node:fs';
import path from 'node:path';

/** Enter the alternate screen, turn bracketed paste on, hide the cursor (the input draws its own). */
export const ENTER_SCREEN = '\u001b[?1049h\u001b[?2004h\u001b[?25l\u001b[H\u001b[2J';

/** Undo everything the chat may have turned on, in a terminal that never saw it too. */
export function leaveScreenSequence(env: NodeJS.ProcessEnv = process.env): string {
  const kitty =
    'KITTY_WINDOW_ID' in env ||
    env.TERM === 'xterm-kitty' ||
    env.TERM_PROGRAM === 'WezTerm' ||
    env.TERM_PROGRAM === 'ghostty';
  // Kitty keyboard flags popped, SGR reset, bracketed paste off, cursor shown, main screen.
  return `${kitty ? '\u001b[<u' : ''}\u001b[0m\u001b[?2004l\u001b[?25h\u001b[?1049l`;
}

function write(fd: number, s: string): void {
  try {
    writeSync(fd, s);
  } catch {
    // The terminal may be gone (SIGHUP).
  }
}

/** Give the terminal back. Safe to call more than once, and from any state. */
export function restoreTerminal(stdin: NodeJS.ReadStream = process.stdin, fd = 1): void {
  try {
    if (stdin.isTTY && stdin.isRaw) stdin.setRawMode(false);
  } catch {
    // Not a TTY any more.
  }
  write(fd, leaveScreenSequence());
}

export interface CrashGuardOptions {
  stdin?: NodeJS.ReadStream;
  /** Called first (unmount Ink); errors from it are ignored. */
  beforeRestore?: () => void;
  /** Where the crash log goes (`<state dir>`). */
  logDir?: string;
  /** A line for the hint: how to go on with the conversation. */
  resumeHint?: () => string | undefined;
}

export interface CrashGuard {
  /** Restore the terminal now (once). */
  restore(): void;
  uninstall(): void;
}

const ISSUES = 'report it with the log above to the parley issue tracker';

/** Watch for crashes and signals until `uninstall()`; each restores the terminal before exiting. */
export function installCrashGuard(opts: CrashGuardOptions = {}): CrashGuard {
  const stdin = opts.stdin ?? process.stdin;
  let restored = false;
  const restore = (): void => {
    if (restored) return;
    restored = true;
    try {
      opts.beforeRestore?.();
    } catch {
      // Ink may itself be what failed.
    }
    restoreTerminal(stdin);
  };
  const resume = (): string => {
    let line: string | undefined;
    try {
      line = opts.resumeHint?.();
    } catch {
      line = undefined;
    }
    return line ? `${line}\n` : '';
  };
  const crash = (err: unknown): void => {
    restore();
    const e = err instanceof Error ? err : new Error(String(err));
    let logged = '';
    if (opts.logDir) {
      try {
        mkdirSync(opts.logDir, { recursive: true, mode: 0o700 });
        const file = path.join(opts.logDir, 'chat-crash.log');
        appendFileSync(file, `${new Date().toISOString()} ${e.stack ?? e.message}\n\n`, { mode: 0o600 });
        logged = ` (stack trace in ${file})`;
      } catch {
        logged = '';
      }
    }
    write(
      2,
      `\nparley chat crashed: ${e.message}\n` +
        `The terminal has been restored${logged}.\n` +
        resume() +
        `This is a bug in parley: please ${ISSUES}.\n`,
    );
    process.exit(1);
  };
  const signal = (name: NodeJS.Signals, code: number) => (): void => {
    restore();
    write(2, `\nparley chat: stopped by ${name}; the terminal has been restored.\n${resume()}`);
    process.exit(code);
  };
  const onTerm = signal('SIGTERM', 143);
  const onHup = signal('SIGHUP', 129);
  // Ctrl+C is a key in the chat (raw mode); a SIGINT comes from elsewhere (kill -INT).
  const onInt = signal('SIGINT', 130);
  const onExit = (): void => restore();
  process.on('uncaughtException', crash);
  process.on('unhandledRejection', crash);
  process.on('SIGTERM', onTerm);
  process.on('SIGHUP', onHup);
  process.on('SIGINT', onInt);
  process.on('exit', onExit);
  return {
    restore,
    uninstall(): void {
      process.off('uncaughtException', crash);
      process.off('unhandledRejection', crash);
      process.off('SIGTERM', onTerm);
      process.off('SIGHUP', onHup);
      process.off('SIGINT', onInt);
      process.off('exit', onExit);
    },
  };
}
