/**
 * A tiny, dependency-free progress bar (downloads, load tests). On a TTY it redraws one line
 * with `\r` (amount, percent, speed, ETA, and any detail) at most ten times a second; on
 * anything else (a pipe, a log file) it writes one line when the work starts and one when
 * it ends.
 */

/** The part of a writable stream the bar needs (`process.stderr` fits). */
export interface ProgressStream {
  write(chunk: string): unknown;
  isTTY?: boolean | undefined;
  columns?: number | undefined;
}

export interface ProgressBarOptions {
  /** Shown before the bar and in the start line, e.g. the file name. Default `downloading`. */
  label?: string;
  /** Milliseconds clock (tests). Default `performance.now`. */
  now?: () => number;
  /** How an amount is written (default: bytes, `1.2 MB`); speeds get `/s` after it. */
  format?: (n: number) => string;
  /** Extra text at the end of the line, asked for at every redraw (e.g. errors so far). */
  detail?: () => string;
}

export interface ProgressBar {
  /** Report `received` of `total` bytes (`total` undefined when unknown). */
  update(received: number, total: number | undefined): void;
  /** Finish the line (or print the end line) with `message`; later calls do nothing. */
  done(message: string): void;
}

const REDRAW_MS = 100;
const BAR_WIDTH = 20;

/** Create a progress bar writing to `stream`. */
export function createProgressBar(stream: ProgressStream, options: ProgressBarOptions = {}): ProgressBar {
  const now = options.now ?? (() => performance.now());
  const label = options.label ?? 'downloading';
  const format = options.format ?? formatBytes;
  const tty = stream.isTTY === true;
  let started: { at: number; bytes: number } | undefined;
  let lastDraw = -Infinity;
  let lastLength = 0;
  let finished = false;

  const draw = (text: string): void => {
    const cols = stream.columns;
    const line = cols !== undefined && cols > 1 && text.length > cols - 1 ? text.slice(0, cols - 1) : text;
    stream.write(`\r${line}${' '.repeat(Math.max(0, lastLength - line.length))}`);
    lastLength = line.length;
  };

  return {
    update(received, total) {
      if (finished) return;
      const t = now();
      if (started === undefined) {
        started = { at: t, bytes: received };
        if (!tty) {
          const size = total === undefined ? 'size unknown' : format(total);
          const resume = received > 0 ? `, resuming at ${format(received)}` : '';
          stream.write(`${label} (${size}${resume})\n`);
          return;
        }
      }
      if (!tty) return;
      const complete = total !== undefined && received >= total;
      if (t - lastDraw < REDRAW_MS && !complete) return;
      lastDraw = t;
      const elapsed = (t - started.at) / 1000;
      const speed = elapsed > 0 ? (received - started.bytes) / elapsed : 0;
      const parts = [label];
      if (total !== undefined && total > 0) {
        const ratio = Math.min(1, received / total);
        const filled = Math.round(ratio * BAR_WIDTH);
        parts.push(`[${'#'.repeat(filled)}${'-'.repeat(BAR_WIDTH - filled)}]`, `${Math.floor(ratio * 100)}%`);
        parts.push(`${format(received)}/${format(total)}`);
      } else {
        parts.push(format(received));
      }
      parts.push(speed > 0 ? `${format(speed)}/s` : `-- ${format(0).replace(/^[\d.]+\s*/, '')}/s`);
      if (total !== undefined) {
        const eta = speed > 0 ? Math.max(0, total - received) / speed : undefined;
        parts.push(`ETA ${formatDuration(eta)}`);
      }
      if (options.detail) parts.push(options.detail());
      draw(parts.join(' '));
    },
    done(message) {
      if (finished) return;
      finished = true;
      if (tty && lastLength > 0) draw(message);
      else stream.write(message);
      stream.write('\n');
    },
  };
}

/** `1.2 MB` style sizes (powers of 1000, like the Hugging Face site). */
export function formatBytes(n: number): string {
  const units = ['B', 'kB', 'MB', 'GB', 'TB'];
  let v = n;
  let i = 0;
  while (v >= 1000 && i < units.length - 1) {
    v /= 1000;
    i++;
  }
  return i === 0 ? `${Math.round(v)} B` : `${v.toFixed(1)} ${units[i]}`;
}

/** `m:ss` or `h:mm:ss`; `--:--` when unknown. */
export function formatDuration(seconds: number | undefined): string {
  if (seconds === undefined || !Number.isFinite(seconds)) return '--:--';
  const s = Math.round(seconds);
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const ss = String(s % 60).padStart(2, '0');
  return h > 0 ? `${h}:${String(m).padStart(2, '0')}:${ss}` : `${m}:${ss}`;
}
