/**
 * What you typed before: Ctrl+P / Ctrl+N step through it, Ctrl+R searches it. Kept in
 * `<state dir>/chat-history.jsonl` (one JSON string a line, mode 0600) unless history is
 * off (`store.log = false`, `--no-log`).
 */
import { appendFileSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';

export interface SearchHit {
  index: number;
  text: string;
}

export class InputHistory {
  readonly entries: string[] = [];
  private nav: number | undefined;
  private draft = '';

  /** @param file where to keep it; undefined keeps it in memory only */
  constructor(
    private readonly file?: string,
    private readonly max = 1000,
  ) {
    if (!file) return;
    try {
      const lines = readFileSync(file, 'utf8').split('\n');
      for (const l of lines) {
        if (!l) continue;
        try {
          const v = JSON.parse(l) as unknown;
          if (typeof v === 'string' && v) this.entries.push(v);
        } catch {
          // A damaged line: skip it.
        }
      }
      if (this.entries.length > max) {
        this.entries.splice(0, this.entries.length - max);
        this.rewrite();
      }
    } catch {
      // No history yet.
    }
  }

  private rewrite(): void {
    if (!this.file) return;
    try {
      writeFileSync(this.file, this.entries.map((e) => `${JSON.stringify(e)}\n`).join(''), { mode: 0o600 });
    } catch {
      // History is a convenience: never fail the chat over it.
    }
  }

  add(text: string): void {
    this.nav = undefined;
    if (!text.trim() || this.entries[this.entries.length - 1] === text) return;
    this.entries.push(text);
    if (this.entries.length > this.max * 1.5) {
      this.entries.splice(0, this.entries.length - this.max);
      this.rewrite();
      return;
    }
    if (!this.file) return;
    try {
      mkdirSync(path.dirname(this.file), { recursive: true, mode: 0o700 });
      appendFileSync(this.file, `${JSON.stringify(text)}\n`, { mode: 0o600 });
    } catch {
      // As above.
    }
  }

  /** Ctrl+P: the entry before; `current` is kept as the draft to come back to. */
  prev(current: string): string | undefined {
    if (this.entries.length === 0) return undefined;
    if (this.nav === undefined) {
      this.draft = current;
      this.nav = this.entries.length;
    }
    if (this.nav === 0) return undefined;
    this.nav--;
    return this.entries[this.nav];
  }

  /** Ctrl+N: the entry after, and the draft after the newest. */
  next(): string | undefined {
    if (this.nav === undefined) return undefined;
    this.nav++;
    if (this.nav >= this.entries.length) {
      this.nav = undefined;
      return this.draft;
    }
    return this.entries[this.nav];
  }

  resetNavigation(): void {
    this.nav = undefined;
  }

  /** The newest entry before `before` that contains `query` (case-insensitive). */
  search(query: string, before = this.entries.length): SearchHit | undefined {
    const q = query.toLowerCase();
    for (let i = Math.min(before, this.entries.length) - 1; i >= 0; i--) {
      const t = this.entries[i] as string;
      if (t.toLowerCase().includes(q)) return { index: i, text: t };
    }
    return undefined;
  }
}
