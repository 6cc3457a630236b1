/**
 * The messages on screen, as lines, and the window onto them.
 *
 * Cost model (the benchmark in bench/tui.bench.js holds it to account):
 * - a finished message is rendered (markdown → ANSI → lines wrapped by display width) once
 *   per width and theme, and kept;
 * - the streaming message keeps the markdown blocks that are complete (rendered once) and
 *   renders only its last, open block again when a delta arrives;
 * - the window is found by walking from its top (or, when it follows the stream, from the
 *   end) over at most a screenful of lines.
 * So the work for one delta depends on the screen and the open block, never on how many
 * messages came before.
 */
import { Entry, type EntryKind, type RenderContext } from './entry.js';

export { Entry, plainEngine, type EntryKind, type MarkdownEngine, type RenderContext } from './entry.js';

/** A line in the transcript: an entry and a line of it. */
export interface Position {
  entry: number;
  line: number;
}

export interface Viewport {
  lines: string[];
  /** Lines above the window. */
  above: boolean;
  /** Lines below the window. */
  below: boolean;
  following: boolean;
}

/** Every message, and the window onto them. */
export class Transcript {
  readonly entries: Entry[] = [];
  /** Entries before this index are off screen (Ctrl+L). */
  private first = 0;
  /** The window follows the end (the stream) unless you scroll up. */
  private followValue = true;
  /** F5: whether the window goes back to following when you reach the end. */
  private autoFollowValue = true;
  /** The window's top line when it does not follow. */
  private anchor: Position = { entry: 0, line: 0 };
  /** The window's top line at the last `viewport()`. */
  private lastTop: Position = { entry: 0, line: 0 };
  private lastHeight = 1;

  get following(): boolean {
    return this.followValue;
  }
  get autoFollow(): boolean {
    return this.autoFollowValue;
  }

  add(kind: EntryKind, text: string, streaming = false): Entry {
    const e = new Entry(kind, text, streaming);
    this.entries.push(e);
    return e;
  }

  /** Add an entry just before `before` (reasoning above its answer); at the end when it is gone. */
  insertBefore(before: Entry, kind: EntryKind, text: string, streaming = false): Entry {
    const e = new Entry(kind, text, streaming);
    const i = this.entries.indexOf(before);
    if (i < this.first) this.entries.push(e);
    else this.entries.splice(i, 0, e);
    return e;
  }

  /** Forget every message (a new conversation). */
  clear(): void {
    this.entries.length = 0;
    this.first = 0;
    this.followValue = true;
    this.anchor = { entry: 0, line: 0 };
  }

  /** Ctrl+L: take what is on screen off it (the conversation goes on). */
  clearScreen(): void {
    this.first = this.entries.length;
    this.followValue = true;
  }

  /** The entries on screen (after Ctrl+L, the ones after it). */
  get visibleEntries(): number {
    return this.entries.length - this.first;
  }

  private len(i: number, c: RenderContext): number {
    return (this.entries[i] as Entry).view(c).length;
  }

  /** The top line of the last screenful. */
  private bottomTop(height: number, c: RenderContext): Position {
    let need = height;
    for (let i = this.entries.length - 1; i >= this.first; i--) {
      const n = this.len(i, c);
      if (n >= need) return { entry: i, line: n - need };
      need -= n;
    }
    return { entry: this.first, line: 0 };
  }

  private static before(a: Position, b: Position): boolean {
    return a.entry < b.entry || (a.entry === b.entry && a.line < b.line);
  }

  /** The lines in the window of `height` lines. */
  viewport(height: number, c: RenderContext): Viewport {
    const h = Math.max(1, height);
    this.lastHeight = h;
    if (this.entries.length <= this.first) {
      this.lastTop = { entry: this.first, line: 0 };
      return { lines: [], above: false, below: false, following: this.followValue };
    }
    const bottom = this.bottomTop(h, c);
    let top: Position;
    if (this.followValue) {
      top = bottom;
    } else {
      top = this.clamp(this.anchor, c);
      if (Transcript.before(bottom, top)) top = bottom;
      this.anchor = top;
    }
    this.lastTop = top;
    const lines: string[] = [];
    let { entry, line } = top;
    while (lines.length < h && entry < this.entries.length) {
      const v = (this.entries[entry] as Entry).view(c);
      for (; line < v.length && lines.length < h; line++) lines.push(v.at(line) ?? '');
      if (line >= v.length) {
        entry++;
        line = 0;
      }
    }
    const below = entry < this.entries.length;
    const above = top.entry > this.first || top.line > 0;
    return { lines, above, below, following: this.followValue };
  }

  private clamp(p: Position, c: RenderContext): Position {
    if (p.entry < this.first) return { entry: this.first, line: 0 };
    if (p.entry >= this.entries.length) return { entry: this.entries.length - 1, line: 0 };
    const n = this.len(p.entry, c);
    return p.line >= n ? { entry: p.entry, line: Math.max(0, n - 1) } : p;
  }

  /** Scroll by `n` lines (negative: up). Scrolling up stops following; reaching the end follows again. */
  scroll(n: number, c: RenderContext): void {
    if (n === 0 || this.entries.length <= this.first) return;
    let { entry, line } = this.clamp(this.followValue ? this.lastTop : this.anchor, c);
    if (n < 0) {
      let k = -n;
      while (k > 0) {
        if (line > 0) {
          const d = Math.min(line, k);
          line -= d;
          k -= d;
        } else if (entry > this.first) {
          entry--;
          line = this.len(entry, c) - 1;
          k--;
        } else break;
      }
      this.anchor = { entry, line };
      this.followValue = false;
      return;
    }
    let k = n;
    while (k > 0) {
      const len = this.len(entry, c);
      if (line + k < len) {
        line += k;
        k = 0;
      } else if (entry < this.entries.length - 1) {
        k -= len - line;
        entry++;
        line = 0;
      } else {
        line = len - 1;
        break;
      }
    }
    const bottom = this.bottomTop(this.lastHeight, c);
    if (!Transcript.before({ entry, line }, bottom)) {
      if (this.autoFollowValue) this.followValue = true;
      this.anchor = bottom;
    } else {
      this.anchor = { entry, line };
    }
  }

  /** Home: the first line. */
  home(): void {
    this.followValue = false;
    this.anchor = { entry: this.first, line: 0 };
  }

  /** End: the last line (and follow the stream, unless F5 turned that off). */
  end(c: RenderContext): void {
    if (this.autoFollowValue) this.followValue = true;
    else this.anchor = this.bottomTop(this.lastHeight, c);
  }

  /** F5: toggle following the stream. Returns the new setting. */
  toggleAutoFollow(): boolean {
    this.autoFollowValue = !this.autoFollowValue;
    if (this.autoFollowValue) {
      this.followValue = true;
    } else {
      this.anchor = this.lastTop;
      this.followValue = false;
    }
    return this.autoFollowValue;
  }

  /** A new turn starts: show it, unless F5 turned following off. */
  reveal(): void {
    if (this.autoFollowValue) this.followValue = true;
  }
}
