/**
 * What Ink writes goes through here, not straight to the terminal. Ink runs in debug mode,
 * so each of its writes is one whole frame; this compares it with the frame on screen and
 * rewrites only the lines that changed, each at its absolute row, inside one synchronized
 * update (`CSI ? 2026 h … l`, which terminals that know it paint at once). So:
 *
 * - no flicker: nothing is erased first, and an unchanged line is never rewritten;
 * - no drift: nothing depends on where the cursor was left, unlike Ink's relative
 *   `eraseLines` (Ink 6.8's incremental mode drifts by a line a frame in a full screen);
 * - the frame can use every row, since nothing is ever written below it.
 */
import { EventEmitter } from 'node:events';
import { displayWidth } from './text.js';

const BSU = '\u001b[?2026h';
const ESU = '\u001b[?2026l';

/** Escape sequences Ink writes that are not frames (the kitty keyboard protocol). */
// eslint-disable-next-line no-control-regex
const PASSTHROUGH = /^\u001b\[[<>?=][\d;]*u$/;

export class ScreenWriter extends EventEmitter {
  readonly isTTY = true;
  readonly writable = true;
  readonly destroyed = false;
  readonly writableEnded = false;
  private previous: string[] = [];
  /** Bytes written to the terminal, for tests and the benchmark. */
  bytesWritten = 0;
  frames = 0;

  constructor(private readonly out: NodeJS.WriteStream) {
    super();
    out.on('resize', this.onResize);
  }

  get columns(): number {
    return this.out.columns || 80;
  }
  get rows(): number {
    return this.out.rows || 24;
  }

  private onResize = (): void => {
    this.invalidate();
    this.emit('resize');
  };

  /** Forget what is on screen: the next frame is drawn whole, on a cleared screen. */
  invalidate(): void {
    this.previous = [];
    this.raw(`\u001b[H\u001b[2J`);
  }

  private raw(s: string): void {
    this.bytesWritten += Buffer.byteLength(s);
    this.out.write(s);
  }

  write(chunk: string | Uint8Array, ...rest: unknown[]): boolean {
    const s = typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8');
    if (PASSTHROUGH.test(s)) this.raw(s);
    else this.frame(s);
    const cb = rest.find((r): r is () => void => typeof r === 'function');
    cb?.();
    return true;
  }

  /** Draw one frame: only the lines that differ from the last one. */
  frame(s: string): void {
    const lines = s.replace(/\n$/, '').split('\n');
    const rows = this.rows;
    const cols = this.columns;
    let out = '';
    const n = Math.min(rows, Math.max(lines.length, this.previous.length));
    for (let i = 0; i < n; i++) {
      const line = lines[i] ?? '';
      if (line === this.previous[i]) continue;
      // Erase to the end of the line only when the line does not fill it: at the last
      // column the cursor waits to wrap, and an erase there would eat the last character.
      const erase = displayWidth(line) < cols ? '\u001b[K' : '';
      out += `\u001b[${i + 1};1H\u001b[0m${line}\u001b[0m${erase}`;
    }
    this.previous = lines.slice(0, rows);
    this.frames++;
    if (out) this.raw(`${BSU}${out}${ESU}`);
  }

  dispose(): void {
    this.out.off('resize', this.onResize);
  }
}
