/**
 * One message on screen, as lines: markdown → ANSI → lines wrapped by display width.
 *
 * A finished message is rendered once per width and theme, and kept; the streaming message
 * keeps the markdown blocks that are complete (rendered once) and renders only its last,
 * open block again when a delta arrives.
 */
import { sanitize, wrapLines } from './text.js';
import type { Theme } from './theme.js';

/** Turns markdown into ANSI text, one top-level block at a time. */
export interface MarkdownEngine {
  /** Top-level blocks; `raw` lengths add up to the text's length. `space` blocks are gaps. */
  lex(text: string): { type: string; raw: string }[];
  /** One block (or a whole text) as ANSI text, without trailing newlines. */
  render(raw: string, width: number, theme: Theme): string;
  /** Lines of code, highlighted and indented as in a code block (for an open block). */
  renderCode?(code: string, lang: string | undefined, theme: Theme): string;
  /** The line above a code block naming its language ('' for none). */
  codeLabel?(lang: string | undefined, theme: Theme): string;
}

/** Plain text, before the markdown engine has loaded: every line a block. */
export const plainEngine: MarkdownEngine & { plain: true } = {
  plain: true,
  lex(text) {
    const parts = text.match(/[^\n]*\n|[^\n]+$/g) ?? [];
    return parts.map((raw) => ({ type: 'line', raw }));
  },
  render(raw) {
    return sanitize(raw.replace(/\n$/, ''));
  },
};

/** `reasoning`: a model's thinking before its answer, dimmed, folded once the answer starts. */
export type EntryKind = 'user' | 'assistant' | 'info' | 'error' | 'reasoning';

export interface RenderContext {
  width: number;
  theme: Theme;
  md: MarkdownEngine;
}

/** A read-only window onto an entry's lines, without copying them. */
interface Lines {
  readonly length: number;
  at(i: number): string | undefined;
}

const USER_MARK = '❯ ';
const INDENT = '  ';

function ctxKey(c: RenderContext): string {
  return `${c.width}|${c.theme.name}|${'plain' in c.md ? 'p' : 'm'}`;
}

/** Wrap each line with a hanging indent (two past its own), for help and lists. */
function hanging(text: string, width: number): string[] {
  const out: string[] = [];
  for (const line of text.split('\n')) {
    const rows = wrapLines(line, width);
    out.push(rows[0] ?? '');
    if (rows.length === 1) continue;
    const hang = Math.min(Math.floor(width / 2), (/^ */.exec(line)?.[0].length ?? 0) + 2);
    const rest = rows.slice(1).join(' ');
    for (const r of wrapLines(rest, width - hang)) out.push(' '.repeat(hang) + r);
  }
  return out;
}

let nextId = 1;

/** One message on screen. */
export class Entry {
  readonly id = nextId++;
  private textValue: string;
  /** A line under the text: `[interrupted]`, an error. */
  private suffixValue: string | undefined;
  private streamingValue: boolean;
  /** A reasoning entry shows only its header line while folded. */
  private foldedValue = false;

  // Finished: every line, for one context.
  private key = '';
  private lines: string[] = [];
  // Streaming: the blocks already complete, and the open one.
  private committedChars = 0;
  private committed: string[] = [];
  private tail: string[] = [];
  private renderedLength = -1;
  /** The open code block being streamed: its complete lines, highlighted once. */
  private code: { at: number; lang: string | undefined; consumed: number; lines: string[] } | undefined;

  constructor(
    readonly kind: EntryKind,
    text: string,
    streaming = false,
  ) {
    this.textValue = kind === 'assistant' ? text.replace(/\r\n?/g, '\n') : text;
    this.streamingValue = streaming;
  }

  get text(): string {
    return this.textValue;
  }
  get streaming(): boolean {
    return this.streamingValue;
  }
  get suffix(): string | undefined {
    return this.suffixValue;
  }

  get folded(): boolean {
    return this.foldedValue;
  }

  /** Fold or unfold (reasoning): the header line alone, or the whole text. */
  setFolded(folded: boolean): void {
    if (folded === this.foldedValue) return;
    this.foldedValue = folded;
    this.key = '';
  }

  /** Add streamed text. */
  append(delta: string): void {
    this.textValue += delta.replace(/\r\n?/g, '\n');
    // Reasoning is plain text, rendered whole (it is not markdown and is usually short).
    if (this.kind === 'reasoning') this.key = '';
  }

  /** The stream ended: render once more as a whole, and keep it. */
  finish(suffix?: string): void {
    this.streamingValue = false;
    this.suffixValue = suffix;
    this.key = '';
  }

  setSuffix(suffix: string | undefined): void {
    this.suffixValue = suffix;
    this.key = '';
  }

  /** The entry's lines at this width and theme: a blank separator line, the text, the suffix. */
  view(c: RenderContext): Lines {
    if (this.streamingValue && this.kind !== 'reasoning') return this.streamingView(c);
    const k = ctxKey(c);
    if (k !== this.key) {
      this.lines = this.renderAll(c);
      this.key = k;
    }
    return this.lines;
  }

  private bodyWidth(c: RenderContext): number {
    return Math.max(4, c.width - INDENT.length);
  }

  private renderAll(c: RenderContext): string[] {
    const out: string[] = [''];
    const w = this.bodyWidth(c);
    const t = c.theme;
    switch (this.kind) {
      case 'user': {
        const lines = wrapLines(sanitize(this.textValue), w);
        lines.forEach((l, i) => out.push((i === 0 ? t.user(USER_MARK) : INDENT) + t.user(l)));
        break;
      }
      case 'assistant':
        for (const l of this.renderBlocks(this.textValue, c)) out.push(INDENT + l);
        break;
      case 'info':
        for (const l of hanging(sanitize(this.textValue), w)) out.push(INDENT + t.info(l));
        break;
      case 'reasoning':
        this.renderReasoning(out, c);
        break;
      case 'error': {
        const lines = wrapLines(sanitize(this.textValue), w);
        lines.forEach((l, i) => out.push((i === 0 ? t.error('✗ ') : INDENT) + t.error(l)));
        break;
      }
    }
    if (this.suffixValue) for (const l of wrapLines(this.suffixValue, w)) out.push(INDENT + t.meta(l));
    return out;
  }

  /** A header line (folded: with the length), then the text dimmed, unless folded. */
  private renderReasoning(out: string[], c: RenderContext): void {
    const t = c.theme;
    const w = this.bodyWidth(c);
    const words = this.textValue.trim().split(/\s+/).filter(Boolean).length;
    let head: string;
    if (this.streamingValue) head = '▾ thinking…';
    else if (this.foldedValue) head = `▸ thinking · ${words} word${words === 1 ? '' : 's'} · Ctrl+T shows it`;
    else head = '▾ thinking · Ctrl+T folds it';
    out.push(INDENT + t.meta(head));
    if (this.foldedValue) return;
    for (const l of wrapLines(sanitize(this.textValue.trim()), w - 2))
      out.push(`${INDENT}  ${t.reasoning(l)}`);
  }

  /** Markdown blocks → wrapped lines, a blank line between blocks. */
  private renderBlocks(text: string, c: RenderContext): string[] {
    const out: string[] = [];
    for (const tok of c.md.lex(text)) {
      if (tok.type === 'space') continue;
      this.pushBlock(out, tok.raw, c);
    }
    return out;
  }

  private pushBlock(out: string[], raw: string, c: RenderContext): void {
    const w = this.bodyWidth(c);
    const gap = !('plain' in c.md);
    if (gap && out.length > 0) out.push('');
    for (const l of wrapLines(c.md.render(raw, w, c.theme), w)) out.push(l);
  }

  /**
   * A fenced code block still open at the end of the stream: highlight its complete lines
   * once each and only the last, partial line again, so a long block costs a line a delta,
   * not the whole block. (Each chunk is highlighted on its own; when the block closes it is
   * rendered whole, as any finished block.) Fills `tail`; false when `rest` is not one.
   */
  private openCodeView(rest: string, c: RenderContext): boolean {
    const md = c.md;
    if (!md.renderCode || !md.codeLabel) return false;
    const m = /^ {0,3}(`{3,}|~{3,})([^\n`]*)\n/.exec(rest);
    if (!m) return false;
    const fence = m[1] as string;
    const body = rest.slice(m[0].length);
    const close = new RegExp(`(^|\\n) {0,3}${fence[0] === '`' ? '`' : '~'}{${fence.length},}[ \\t]*(\\n|$)`);
    if (close.test(body)) return false;
    const lang = m[2]?.trim().split(/\s+/)[0] || undefined;
    if (this.code?.at !== this.committedChars) {
      this.code = { at: this.committedChars, lang, consumed: 0, lines: [] };
    }
    const code = this.code;
    const w = this.bodyWidth(c);
    const end = body.lastIndexOf('\n');
    if (end >= code.consumed) {
      const chunk = body.slice(code.consumed, end);
      for (const l of wrapLines(md.renderCode(chunk, lang, c.theme), w)) code.lines.push(l);
      code.consumed = end + 1;
    }
    const label = md.codeLabel(lang, c.theme);
    if (label) this.tail.push(label);
    for (const l of code.lines) this.tail.push(l);
    const partial = body.slice(code.consumed);
    if (partial) for (const l of wrapLines(md.renderCode(partial, lang, c.theme), w)) this.tail.push(l);
    return true;
  }

  private streamingView(c: RenderContext): Lines {
    const k = ctxKey(c);
    if (k !== this.key) {
      this.key = k;
      this.committedChars = 0;
      this.committed = [];
      this.renderedLength = -1;
      this.code = undefined;
    }
    if (this.renderedLength !== this.textValue.length) {
      const open = this.textValue.slice(this.committedChars);
      const tokens = c.md.lex(open);
      let last = tokens.length - 1;
      while (last >= 0 && tokens[last]?.type === 'space') last--;
      // Every block before the last one is complete: render it once, keep it.
      let consumed = 0;
      for (let i = 0; i < last; i++) {
        const tok = tokens[i] as { type: string; raw: string };
        if (!open.startsWith(tok.raw, consumed)) break; // the lexer rewrote something: stop here
        consumed += tok.raw.length;
        if (tok.type !== 'space') this.pushBlock(this.committed, tok.raw, c);
      }
      this.committedChars += consumed;
      this.tail = [];
      const rest = this.textValue.slice(this.committedChars);
      const gap = this.committed.length > 0 && !('plain' in c.md) && rest.trim() !== '';
      if (gap) this.tail.push('');
      if (!this.openCodeView(rest, c) && (rest.trim() !== '' || 'plain' in c.md)) {
        const w = this.bodyWidth(c);
        for (const l of wrapLines(c.md.render(rest, w, c.theme), w)) this.tail.push(l);
      }
      this.renderedLength = this.textValue.length;
    }
    const committed = this.committed;
    const tail = this.tail;
    const n = 1 + committed.length + tail.length;
    return {
      length: n,
      at(i: number): string {
        if (i === 0) return '';
        const j = i - 1;
        return INDENT + ((j < committed.length ? committed[j] : tail[j - committed.length]) ?? '');
      },
    };
  }
}
