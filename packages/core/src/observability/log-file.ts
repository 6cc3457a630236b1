/**
 * A log file that rotates by size: `parley.log` is written until the next line would take it
 * over `maxBytes`, then it becomes `parley.log.1` (`.1` becomes `.2`, …; the oldest past
 * `files` is removed) and a fresh `parley.log` starts. Lines are appended with synchronous
 * writes (pino's own default), so a crash loses nothing already logged. A failing disk turns
 * the file off: logging never breaks parley.
 */
import { closeSync, fstatSync, mkdirSync, openSync, renameSync, rmSync, writeSync } from 'node:fs';
import path from 'node:path';

/** Options of {@link RotatingFile}. */
export interface RotatingFileOptions {
  /** Largest size of one file in bytes. Default 10 MiB. */
  maxBytes?: number;
  /** Rotated files kept besides the current one. Default 5. */
  files?: number;
}

export const DEFAULT_LOG_MAX_BYTES = 10 * 1024 * 1024;
export const DEFAULT_LOG_FILES = 5;

/** A size-rotated, append-only log file (a pino destination: it has `write`). */
export class RotatingFile {
  readonly maxBytes: number;
  readonly files: number;
  private fd: number | undefined;
  private size = 0;
  private failed = false;

  constructor(
    readonly file: string,
    options: RotatingFileOptions = {},
  ) {
    this.maxBytes = Math.max(1024, options.maxBytes ?? DEFAULT_LOG_MAX_BYTES);
    this.files = Math.max(0, Math.floor(options.files ?? DEFAULT_LOG_FILES));
  }

  /** Append one chunk (one or more whole lines). */
  write(chunk: string): boolean {
    if (this.failed) return false;
    try {
      const bytes = Buffer.byteLength(chunk);
      if (this.fd === undefined) this.open();
      else if (this.size > 0 && this.size + bytes > this.maxBytes) this.rotate();
      writeSync(this.fd as number, chunk);
      this.size += bytes;
      return true;
    } catch {
      this.failed = true;
      this.close();
      return false;
    }
  }

  /** Close the file (the next write opens it again). */
  close(): void {
    if (this.fd === undefined) return;
    try {
      closeSync(this.fd);
    } catch {
      // already closed
    }
    this.fd = undefined;
  }

  private open(): void {
    mkdirSync(path.dirname(this.file), { recursive: true });
    this.fd = openSync(this.file, 'a', 0o600);
    this.size = fstatSync(this.fd).size;
    if (this.size >= this.maxBytes) this.rotate();
  }

  private rotate(): void {
    this.close();
    if (this.files === 0) {
      rmSync(this.file, { force: true });
    } else {
      rmSync(`${this.file}.${this.files}`, { force: true });
      for (let i = this.files - 1; i >= 1; i--) {
        try {
          renameSync(`${this.file}.${i}`, `${this.file}.${i + 1}`);
        } catch {
          // no such file yet
        }
      }
      try {
        renameSync(this.file, `${this.file}.1`);
      } catch {
        // another process rotated it first
      }
    }
    this.fd = openSync(this.file, 'a', 0o600);
    this.size = fstatSync(this.fd).size;
  }
}
