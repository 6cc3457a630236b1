/** The text being typed: several lines, a cursor, and the editing keys of a shell. */
import { displayWidth } from './text.js';

export class InputBuffer {
  private value = '';
  /** Cursor, as an index into `value` (UTF-16 units, always on a code point boundary). */
  private pos = 0;

  get text(): string {
    return this.value;
  }
  get cursor(): number {
    return this.pos;
  }
  get empty(): boolean {
    return this.value === '';
  }

  set(text: string, cursor = text.length): void {
    this.value = text;
    this.pos = Math.max(0, Math.min(cursor, text.length));
  }

  clear(): void {
    this.set('');
  }

  insert(s: string): void {
    this.value = this.value.slice(0, this.pos) + s + this.value.slice(this.pos);
    this.pos += s.length;
  }

  private prevBoundary(i: number): number {
    if (i <= 0) return 0;
    const c = this.value.charCodeAt(i - 1);
    return c >= 0xdc00 && c <= 0xdfff && i >= 2 ? i - 2 : i - 1;
  }
  private nextBoundary(i: number): number {
    if (i >= this.value.length) return this.value.length;
    const c = this.value.charCodeAt(i);
    return c >= 0xd800 && c <= 0xdbff ? i + 2 : i + 1;
  }

  backspace(): void {
    if (this.pos === 0) return;
    const p = this.prevBoundary(this.pos);
    this.value = this.value.slice(0, p) + this.value.slice(this.pos);
    this.pos = p;
  }

  deleteForward(): void {
    if (this.pos >= this.value.length) return;
    this.value = this.value.slice(0, this.pos) + this.value.slice(this.nextBoundary(this.pos));
  }

  left(): void {
    this.pos = this.prevBoundary(this.pos);
  }
  right(): void {
    this.pos = this.nextBoundary(this.pos);
  }

  private lineStart(i = this.pos): number {
    return this.value.lastIndexOf('\n', i - 1) + 1;
  }
  private lineEnd(i = this.pos): number {
    const e = this.value.indexOf('\n', i);
    return e < 0 ? this.value.length : e;
  }

  /** Ctrl+A / Ctrl+E. */
  home(): void {
    this.pos = this.lineStart();
  }
  end(): void {
    this.pos = this.lineEnd();
  }

  /** Ctrl+U: delete to the start of the line. */
  killToStart(): void {
    const s = this.lineStart();
    this.value = this.value.slice(0, s) + this.value.slice(this.pos);
    this.pos = s;
  }
  /** Ctrl+K: delete to the end of the line. */
  killToEnd(): void {
    const e = this.lineEnd();
    this.value =
      this.value.slice(0, this.pos) + this.value.slice(e === this.pos && e < this.value.length ? e + 1 : e);
  }
  /** Ctrl+W: delete the word before the cursor. */
  deleteWord(): void {
    let p = this.pos;
    while (p > 0 && /\s/.test(this.value[p - 1] ?? '')) p--;
    while (p > 0 && !/\s/.test(this.value[p - 1] ?? '')) p--;
    this.value = this.value.slice(0, p) + this.value.slice(this.pos);
    this.pos = p;
  }
  wordLeft(): void {
    let p = this.pos;
    while (p > 0 && /\s/.test(this.value[p - 1] ?? '')) p--;
    while (p > 0 && !/\s/.test(this.value[p - 1] ?? '')) p--;
    this.pos = p;
  }
  wordRight(): void {
    let p = this.pos;
    const n = this.value.length;
    while (p < n && /\s/.test(this.value[p] ?? '')) p++;
    while (p < n && !/\s/.test(this.value[p] ?? '')) p++;
    this.pos = p;
  }

  /** The line the cursor is on, counting from 0, and how many lines there are. */
  get row(): number {
    let n = 0;
    for (let i = this.value.indexOf('\n'); i >= 0 && i < this.pos; i = this.value.indexOf('\n', i + 1)) n++;
    return n;
  }
  get rows(): number {
    return this.value.split('\n').length;
  }

  /** Move to the line above or below, keeping the column; false when there is none. */
  vertical(dir: -1 | 1): boolean {
    const start = this.lineStart();
    const col = displayWidth(this.value.slice(start, this.pos));
    let target: number;
    if (dir < 0) {
      if (start === 0) return false;
      target = this.lineStart(start - 1);
    } else {
      const end = this.lineEnd();
      if (end >= this.value.length) return false;
      target = end + 1;
    }
    const targetEnd = this.lineEnd(target);
    let p = target;
    let w = 0;
    while (p < targetEnd) {
      const next = this.nextBoundary(p);
      const cw = displayWidth(this.value.slice(p, next));
      if (w + cw > col) break;
      w += cw;
      p = next;
    }
    this.pos = p;
    return true;
  }
}
