/**
 * The chat screen's state and behaviour, without React: keys in, a `Frame` (the lines to
 * show) out. The Ink components only draw frames, so everything here is testable and the
 * benchmark can drive it directly.
 */
import type { ChatEvent } from '@parley/core';
import { runSlash, matchCommands, findCommand, type CommandResult } from './commands.js';
import { InputBuffer } from './input-buffer.js';
import { InputHistory, type SearchHit } from './input-history.js';
import { parseKeys, type KeyEvent } from './keys.js';
import type { ChatSession, Completion } from './session.js';
import { displayWidth, sanitize, truncate } from './text.js';
import { noColorRequested, pickTheme, type Theme } from './theme.js';
import {
  Transcript,
  plainEngine,
  type Entry,
  type MarkdownEngine,
  type RenderContext,
} from './transcript.js';

export type ChatState =
  'ready' | 'waiting' | 'thinking' | 'streaming' | 'cancelling' | 'cancelled' | 'error' | 'working';

export interface TurnStats {
  ttftMs: number | null;
  tokensPerSecond: number | null;
  inputTokens: number | undefined;
  outputTokens: number | undefined;
  cached: boolean;
}

export interface PopupItem {
  label: string;
  hint: string | undefined;
  selected: boolean;
}

/** Everything on screen, top to bottom. */
export interface Frame {
  width: number;
  /** Lines in all: the terminal's rows. */
  height: number;
  messages: string[];
  messageHeight: number;
  popup: PopupItem[] | undefined;
  /** The rule above the input, with a hint in it. */
  rule: string;
  input: string[];
  status: string;
  theme: Theme;
}

export interface ControllerOptions {
  session: ChatSession;
  columns: number;
  rows: number;
  history?: InputHistory;
  highContrast?: boolean;
  noColor?: boolean;
  /** Throw an uncaught exception at the first token (PARLEY_DEBUG_CRASH; the crash test). */
  debugCrash?: boolean;
  onQuit?: () => void;
  /** Ctrl+L: repaint the whole screen. */
  onRepaint?: () => void;
  now?: () => number;
}

const BUSY: ReadonlySet<ChatState> = new Set(['waiting', 'thinking', 'streaming', 'cancelling', 'working']);
const CURSOR_ON = '\u001b[7m';
const CURSOR_OFF = '\u001b[27m';
const PROMPT = '❯ ';
const MAX_POPUP = 6;

interface CompletionState {
  items: { value: string; label: string; hint: string | undefined }[];
  selected: number;
}

interface SearchState {
  query: string;
  hit: SearchHit | undefined;
  /** The input before the search, restored by Esc. */
  saved: string;
}

const emptyStats = (): TurnStats => ({
  ttftMs: null,
  tokensPerSecond: null,
  inputTokens: undefined,
  outputTokens: undefined,
  cached: false,
});

export class ChatController {
  readonly transcript = new Transcript();
  readonly input = new InputBuffer();
  readonly history: InputHistory;
  readonly session: ChatSession;
  private md: MarkdownEngine = plainEngine;
  private columns: number;
  private rows: number;
  private highContrast: boolean;
  private readonly noColor: boolean;
  private stateValue: ChatState = 'ready';
  private stats: TurnStats = emptyStats();
  /** The model of the last answer (`provider:model`), shown until you switch. */
  private answeredBy: string | undefined;
  private sentAt = 0;
  private firstAt: number | undefined;
  private deltas = 0;
  private abort: AbortController | undefined;
  private hint: string | undefined;
  private completion: CompletionState | undefined;
  private completionDismissed = false;
  private readonly choices = new Map<string, Completion[]>();
  private readonly pendingChoices = new Set<string>();
  private search: SearchState | undefined;
  private pasting = false;
  private download: string | undefined;
  private notices: string[] = [];
  private turnPromise: Promise<void> = Promise.resolve();
  private readonly listeners = new Set<() => void>();
  private versionValue = 0;
  private timer: ReturnType<typeof setTimeout> | undefined;
  private quitting = false;
  private readonly now: () => number;

  constructor(private readonly opts: ControllerOptions) {
    this.session = opts.session;
    this.columns = opts.columns;
    this.rows = opts.rows;
    this.history = opts.history ?? new InputHistory();
    this.highContrast = opts.highContrast ?? opts.session.parley.config.tui?.high_contrast ?? false;
    this.noColor = opts.noColor ?? noColorRequested();
    this.now = opts.now ?? (() => performance.now());
  }

  // ---- store for React (useSyncExternalStore) ----

  subscribe = (fn: () => void): (() => void) => {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  };
  getVersion = (): number => this.versionValue;

  private notify = (): void => {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    this.versionValue++;
    for (const l of this.listeners) l();
  };

  /** Something changed: draw now, or (for streamed text) within a frame's time. */
  private changed(soon = false): void {
    if (!soon) return this.notify();
    this.timer ??= setTimeout(this.notify, 16);
  }

  /** Draw what is pending now (the benchmark calls this after a delta). */
  flush(): void {
    if (this.timer) this.notify();
  }

  // ---- state ----

  get state(): ChatState {
    return this.stateValue;
  }
  get busy(): boolean {
    return BUSY.has(this.stateValue);
  }
  get theme(): Theme {
    return pickTheme(this.highContrast, this.noColor);
  }
  get highContrastOn(): boolean {
    return this.highContrast;
  }
  get lastStats(): TurnStats {
    return this.stats;
  }
  /** Resolves when the running turn (if any) has ended. */
  get turn(): Promise<void> {
    return this.turnPromise;
  }

  private get ctx(): RenderContext {
    return { width: this.columns, theme: this.theme, md: this.md };
  }

  setMarkdown(md: MarkdownEngine): void {
    this.md = md;
    this.changed();
  }

  /** The default model downloading on first use: shown in the status bar. */
  setDownload(text: string | undefined): void {
    this.download = text;
    this.changed(true);
  }

  setSize(columns: number, rows: number): void {
    if (columns === this.columns && rows === this.rows) return;
    this.columns = Math.max(10, columns);
    this.rows = Math.max(4, rows);
    this.changed();
  }

  /** Show a line of information in the transcript (start-up notes, the REPL-less hints). */
  addInfo(text: string): void {
    this.transcript.add('info', text);
    this.changed();
  }

  /** Show stored messages (a resumed conversation). */
  showMessages(
    messages: readonly { role: string; content: readonly { type: string; text?: string }[] }[],
  ): void {
    for (const m of messages) {
      const text = m.content.map((p) => (p.type === 'text' ? (p.text ?? '') : `[${p.type}]`)).join('');
      if (m.role === 'user') this.transcript.add('user', text);
      else if (m.role === 'assistant') this.transcript.add('assistant', text);
    }
    this.changed();
  }

  // ---- input ----

  /** Raw terminal input, as Ink emits it. */
  handleInput = (raw: string): void => {
    if (this.pasting && !raw.startsWith('\u001b[201~')) {
      this.insertText(raw.replace(/\r\n?/g, '\n'));
      this.changed();
      return;
    }
    for (const k of parseKeys(raw)) this.handleKey(k);
  };

  private insertText(text: string): void {
    const clean = sanitize(text);
    if (this.search) {
      this.search.query += clean.replace(/\n/g, ' ');
      this.runSearch(this.history.entries.length);
      return;
    }
    this.input.insert(clean);
    this.history.resetNavigation();
    this.afterEdit();
  }

  private afterEdit(): void {
    this.completionDismissed = false;
    this.updateCompletion();
  }

  handleKey(k: KeyEvent): void {
    this.hint = undefined;
    this.dispatch(k);
    this.changed();
  }

  private dispatch(k: KeyEvent): void {
    const c = this.ctx;
    if (k.name === 'paste-start') {
      this.pasting = true;
      return;
    }
    if (k.name === 'paste-end') {
      this.pasting = false;
      return;
    }
    if (k.ctrl && k.name === 'c') return this.ctrlC();
    if (k.ctrl && k.name === 'q') return this.quit();
    if (k.ctrl && k.name === 'd') {
      if (this.input.empty && !this.search) return this.quit();
      this.input.deleteForward();
      return this.afterEdit();
    }
    if (/^f[1-4]$/.test(k.name) && !k.ctrl && !k.meta) return this.favorite(Number(k.name.slice(1)) - 1);
    if (k.name === 'f5') {
      const on = this.transcript.toggleAutoFollow();
      this.hint = on ? 'following the answer (F5)' : 'not following the answer (F5 to follow)';
      return;
    }
    if (k.name === 'f6') {
      this.highContrast = !this.highContrast;
      this.hint = `high contrast ${this.highContrast ? 'on' : 'off'} (F6)`;
      return;
    }
    if (k.ctrl && k.name === 'l') {
      this.transcript.clearScreen();
      this.opts.onRepaint?.();
      return;
    }
    if (k.name === 'pageup' || k.name === 'pagedown') {
      const page = Math.max(1, this.layout().messageHeight - 1);
      this.transcript.scroll(k.name === 'pageup' ? -page : page, c);
      return;
    }
    if (k.name === 'home' && !k.ctrl) return this.transcript.home();
    if (k.name === 'end' && !k.ctrl) return this.transcript.end(c);
    if (this.search) return this.searchKey(k);
    if (k.name === 'escape') {
      if (this.completion) {
        this.completion = undefined;
        this.completionDismissed = true;
      } else if (this.busy) this.cancel();
      return;
    }
    if (k.ctrl && k.name === 'r') return this.startSearch();
    if (k.name === 'up' || k.name === 'down') {
      const dir = k.name === 'up' ? -1 : 1;
      if (this.completion) {
        const n = this.completion.items.length;
        this.completion.selected = (this.completion.selected + dir + n) % n;
        return;
      }
      if (this.input.rows > 1 && this.input.vertical(dir)) return;
      this.transcript.scroll(dir, c);
      return;
    }
    if (k.name === 'tab') return this.complete();
    if (k.name === 'return' && !k.meta && !k.shift && !k.ctrl) {
      const t = this.input.text;
      if (this.input.cursor === t.length && t.endsWith('\\')) {
        this.input.backspace();
        this.input.insert('\n');
        return this.afterEdit();
      }
      return this.submit();
    }
    if (k.name === 'return' || k.name === 'linefeed') {
      this.input.insert('\n');
      return this.afterEdit();
    }
    if (k.name === 'text' && k.text) {
      if (k.meta && !k.ctrl) return this.metaKey(k.text);
      return this.insertText(k.text);
    }
    this.editKey(k);
  }

  private metaKey(ch: string): void {
    if (ch === 'b') this.input.wordLeft();
    else if (ch === 'f') this.input.wordRight();
    else if (ch === 'd') {
      const start = this.input.cursor;
      this.input.wordRight();
      const end = this.input.cursor;
      this.input.set(this.input.text.slice(0, start) + this.input.text.slice(end), start);
      this.afterEdit();
    }
  }

  private editKey(k: KeyEvent): void {
    const b = this.input;
    switch (k.ctrl ? `ctrl+${k.name}` : k.meta ? `alt+${k.name}` : k.name) {
      case 'backspace':
      case 'ctrl+h':
        b.backspace();
        break;
      case 'alt+backspace':
      case 'ctrl+backspace':
      case 'ctrl+w':
        b.deleteWord();
        break;
      case 'delete':
        b.deleteForward();
        break;
      case 'left':
      case 'ctrl+b':
        b.left();
        return;
      case 'right':
      case 'ctrl+f':
        b.right();
        return;
      case 'ctrl+left':
      case 'alt+left':
        b.wordLeft();
        return;
      case 'ctrl+right':
      case 'alt+right':
        b.wordRight();
        return;
      case 'ctrl+a':
        b.home();
        return;
      case 'ctrl+e':
        b.end();
        return;
      case 'ctrl+u':
        b.killToStart();
        break;
      case 'ctrl+k':
        b.killToEnd();
        break;
      case 'ctrl+p': {
        const t = this.history.prev(b.text);
        if (t !== undefined) b.set(t);
        break;
      }
      case 'ctrl+n': {
        const t = this.history.next();
        if (t !== undefined) b.set(t);
        break;
      }
      default:
        return;
    }
    this.afterEdit();
  }

  private ctrlC(): void {
    if (this.stateValue === 'cancelling') return this.quit();
    if (this.busy) return this.cancel();
    if (this.search) {
      this.search = undefined;
      return;
    }
    if (!this.input.empty) {
      this.input.clear();
      this.afterEdit();
      this.hint = 'input cleared: Ctrl+C again to quit';
      return;
    }
    this.quit();
  }

  private favorite(i: number): void {
    const name = this.session.favorites[i];
    if (!name) {
      this.hint = `F${i + 1}: no favourite model; set tui.favorites in config.toml`;
      return;
    }
    try {
      this.session.setModel(name);
      this.answeredBy = undefined;
      this.transcript.add('info', `model: ${name} (F${i + 1})`);
    } catch (e) {
      this.transcript.add('error', `F${i + 1}: ${(e as Error).message}`);
    }
  }

  // ---- Ctrl+R ----

  private startSearch(): void {
    this.completion = undefined;
    this.search = { query: '', hit: undefined, saved: this.input.text };
  }

  private runSearch(before: number): void {
    const s = this.search as SearchState;
    s.hit = s.query ? this.history.search(s.query, before) : undefined;
  }

  private searchKey(k: KeyEvent): void {
    const s = this.search as SearchState;
    if (k.name === 'escape' || (k.ctrl && k.name === 'g')) {
      this.search = undefined;
      this.input.set(s.saved);
      return;
    }
    if (k.ctrl && k.name === 'r') {
      if (s.hit) {
        const next = this.history.search(s.query, s.hit.index);
        if (next) s.hit = next;
        else this.hint = 'no older match';
      }
      return;
    }
    if (k.name === 'backspace') {
      s.query = s.query.slice(0, -1);
      this.runSearch(this.history.entries.length);
      return;
    }
    if (k.name === 'text' && k.text && !k.meta) {
      s.query += k.text;
      this.runSearch(this.history.entries.length);
      return;
    }
    // Any other key takes the match into the input (Enter sends it).
    this.search = undefined;
    this.input.set(s.hit?.text ?? s.saved);
    if (k.name === 'return' && !k.meta && !k.shift) this.submit();
    else this.afterEdit();
  }

  // ---- completion ----

  private updateCompletion(): void {
    const t = this.input.text;
    if (
      this.completionDismissed ||
      !t.startsWith('/') ||
      t.includes('\n') ||
      this.input.cursor !== t.length
    ) {
      this.completion = undefined;
      return;
    }
    const space = t.indexOf(' ');
    let items: CompletionState['items'];
    if (space < 0) {
      items = matchCommands(t.slice(1)).map((c) => ({
        value: `/${c.name}${c.args ? ' ' : ''}`,
        label: `/${c.name} ${c.args}`.trim(),
        hint: c.summary,
      }));
      if (items.length === 1 && items[0]?.value.trim() === t) items = [];
    } else {
      const { command } = findCommand(t.slice(0, space));
      const arg = t.slice(space + 1);
      if (!command?.complete || arg.includes(' ')) {
        this.completion = undefined;
        return;
      }
      const list = this.choices.get(command.name);
      if (!list) {
        this.loadChoices(command.name);
        this.completion = undefined;
        return;
      }
      const q = arg.toLowerCase();
      items = list
        .filter((c) => c.value.toLowerCase().startsWith(q) && c.value !== arg)
        .map((c) => ({ value: `/${command.name} ${c.value}`, label: c.value, hint: c.hint }));
    }
    const prev = this.completion?.items[this.completion.selected]?.value;
    const keep = items.findIndex((i) => i.value === prev);
    this.completion = items.length ? { items, selected: Math.max(0, keep) } : undefined;
  }

  private loadChoices(name: string): void {
    const command = matchCommands(name)[0];
    if (!command?.complete || this.pendingChoices.has(name)) return;
    this.pendingChoices.add(name);
    command
      .complete(this.session)
      .catch(() => [])
      .then((list) => {
        this.pendingChoices.delete(name);
        this.choices.set(name, list);
        this.updateCompletion();
        this.changed();
      });
  }

  private complete(): void {
    if (!this.completion) {
      this.completionDismissed = false;
      this.updateCompletion();
      if (!this.completion) return;
    }
    const item = this.completion.items[this.completion.selected];
    if (!item) return;
    this.input.set(item.value);
    this.updateCompletion();
  }

  // ---- turns and commands ----

  private submit(): void {
    const text = this.input.text;
    if (text.trim() === '') return;
    if (this.busy) {
      this.hint = 'wait for the answer, or Ctrl+C to cancel it';
      return;
    }
    this.history.add(text);
    this.input.clear();
    this.completion = undefined;
    this.completionDismissed = false;
    if (text.startsWith('/') && !text.startsWith('//')) {
      this.turnPromise = this.command(text.trim());
    } else {
      this.turnPromise = this.send(text.startsWith('//') ? text.slice(1) : text);
    }
  }

  private async command(line: string): Promise<void> {
    this.stateValue = 'working';
    this.changed();
    const result = await runSlash(this.session, line, 'tui');
    this.choices.clear();
    this.stateValue = 'ready';
    await this.applyResult(line, result);
    this.changed();
  }

  private async applyResult(line: string, r: CommandResult): Promise<void> {
    const t = this.transcript;
    switch (r.kind) {
      case 'info':
        t.add('info', `${line}\n${r.text}`);
        if (line.startsWith('/mo') && !line.startsWith('/mode')) this.answeredBy = undefined;
        break;
      case 'error':
        t.add('error', r.text);
        break;
      case 'send':
        t.add('info', line.length > 60 ? `${line.slice(0, 59)}…` : line);
        await this.send(r.text);
        break;
      case 'clear':
        t.clear();
        this.stats = emptyStats();
        t.add('info', r.text);
        break;
      case 'load':
        t.clear();
        this.stats = emptyStats();
        this.answeredBy = undefined;
        this.showMessages(r.messages);
        t.add('info', r.text);
        break;
      case 'quit':
        this.quit();
        break;
    }
  }

  /** Send a message and show the answer as it streams. */
  send(text: string): Promise<void> {
    const t = this.transcript;
    t.reveal();
    t.add('user', text);
    const entry = t.add('assistant', '', true);
    this.stateValue = 'waiting';
    this.stats = emptyStats();
    this.sentAt = this.now();
    this.firstAt = undefined;
    this.deltas = 0;
    const ac = new AbortController();
    this.abort = ac;
    this.changed();
    const run = async (): Promise<void> => {
      try {
        for await (const e of this.session.send(text, ac.signal)) this.onEvent(e, entry);
      } catch (e) {
        this.fail(entry, (e as Error).message ?? String(e));
      } finally {
        if (entry.streaming) entry.finish(ac.signal.aborted ? '[interrupted]' : undefined);
        if (this.busy) this.stateValue = ac.signal.aborted ? 'cancelled' : 'ready';
        this.abort = undefined;
        for (const n of this.notices) t.add('info', n);
        this.notices = [];
        this.changed();
      }
    };
    return run();
  }

  /** One event of the stream. */
  onEvent(e: ChatEvent, entry: Entry): void {
    switch (e.type) {
      case 'text-delta':
        if (this.firstAt === undefined) {
          this.download = undefined;
          this.firstAt = this.now();
          this.stats.ttftMs = Math.round(this.firstAt - this.sentAt);
          if (this.opts.debugCrash) {
            setImmediate(() => {
              throw new Error('PARLEY_DEBUG_CRASH is set: a crash forced in the middle of a stream');
            });
          }
        }
        if (this.stateValue !== 'cancelling') this.stateValue = 'streaming';
        this.deltas++;
        entry.append(e.text);
        this.changed(true);
        break;
      case 'reasoning-delta':
        if (this.stateValue === 'waiting') {
          this.stateValue = 'thinking';
          this.changed(true);
        }
        break;
      case 'usage':
        this.stats.inputTokens = e.usage.inputTokens ?? this.stats.inputTokens;
        this.stats.outputTokens = e.usage.outputTokens ?? this.stats.outputTokens;
        break;
      case 'notice':
        this.notices.push(e.message);
        break;
      case 'done':
      case 'interrupted': {
        const interrupted = e.type === 'interrupted';
        entry.finish(interrupted ? '[interrupted]' : entry.text.trim() === '' ? '(no text)' : undefined);
        this.stats = {
          ttftMs: e.timings.ttftMs === null ? this.stats.ttftMs : Math.round(e.timings.ttftMs),
          tokensPerSecond: e.timings.tokensPerSecond,
          inputTokens: e.usage.inputTokens,
          outputTokens: e.usage.outputTokens,
          cached: e.type === 'done' && e.cached === true,
        };
        this.answeredBy = e.model;
        if (interrupted && this.stateValue === 'cancelling') this.hint = 'cancelled: Ctrl+C again to quit';
        this.stateValue = interrupted ? 'cancelled' : 'ready';
        this.changed();
        break;
      }
      case 'error':
        this.fail(entry, e.error.message);
        break;
      default:
        break;
    }
  }

  private fail(entry: Entry, message: string): void {
    const t = this.transcript;
    entry.finish();
    if (entry.text.trim() === '' && t.entries[t.entries.length - 1] === entry) t.entries.pop();
    t.add('error', message);
    this.stateValue = 'error';
    this.changed();
  }

  /** Ctrl+C or Esc while an answer streams. */
  cancel(): void {
    if (!this.abort) return;
    this.stateValue = 'cancelling';
    this.hint = 'cancelling: Ctrl+C again to quit';
    this.abort.abort(new Error('cancelled (Ctrl+C)'));
  }

  quit(): void {
    if (this.quitting) return;
    this.quitting = true;
    this.abort?.abort(new Error('parley chat is closing'));
    this.opts.onQuit?.();
  }

  // ---- the frame ----

  private layout(): {
    input: string[];
    popup: PopupItem[] | undefined;
    messageHeight: number;
    height: number;
  } {
    const height = Math.max(4, this.rows);
    const input = this.renderInput();
    const popup = this.renderPopup();
    const messageHeight = Math.max(1, height - input.length - (popup?.length ?? 0) - 2);
    return { input, popup, messageHeight, height };
  }

  frame(): Frame {
    const { input, popup, messageHeight, height } = this.layout();
    const vp = this.transcript.viewport(messageHeight, this.ctx);
    let hint = this.hint;
    if (!hint && vp.below) hint = this.transcript.following ? undefined : '↓ more below: End to go there';
    if (!hint && this.transcript.visibleEntries === 0 && this.transcript.entries.length === 0) {
      hint = 'Enter sends · Alt+Enter new line · /help · Ctrl+C quits';
    }
    return {
      width: this.columns,
      height,
      messages: vp.lines,
      messageHeight,
      popup,
      rule: this.renderRule(hint),
      input,
      status: this.renderStatus(),
      theme: this.theme,
    };
  }

  private renderRule(hint: string | undefined): string {
    const w = this.columns;
    if (!hint) return '─'.repeat(w);
    const text = ` ${truncate(hint, Math.max(1, w - 4))} `;
    return `──${text}${'─'.repeat(Math.max(0, w - 2 - displayWidth(text)))}`;
  }

  private renderPopup(): PopupItem[] | undefined {
    const c = this.completion;
    if (!c || this.search) return undefined;
    const start = Math.max(0, Math.min(c.selected - MAX_POPUP + 1, c.items.length - MAX_POPUP));
    return c.items.slice(start, start + MAX_POPUP).map((it, i) => ({
      label: it.label,
      hint: it.hint,
      selected: start + i === c.selected,
    }));
  }

  private renderInput(): string[] {
    const w = Math.max(4, this.columns - 2);
    const maxRows = Math.max(1, Math.min(10, Math.floor(this.rows / 3)));
    const mark = this.theme.user(PROMPT);
    if (this.search) {
      const s = this.search;
      const found = s.hit ? s.hit.text.replace(/\n/g, ' ⏎ ') : s.query ? '(no match)' : '';
      const room = Math.max(4, this.columns - 10);
      const query = truncate(s.query, Math.floor(room / 2));
      const rest = truncate(found, Math.max(0, room - displayWidth(query) - 2));
      return [`${this.theme.user('search: ')}${query}${CURSOR_ON} ${CURSOR_OFF} ${rest}`];
    }
    if (this.input.empty) {
      const placeholder = this.busy
        ? 'the answer is streaming: Ctrl+C cancels'
        : 'type a message, or / for commands';
      return [`${mark}${CURSOR_ON} ${CURSOR_OFF}${this.theme.meta(truncate(placeholder, w - 1))}`];
    }
    const text = this.input.text;
    const cursor = this.input.cursor;
    const rows: string[] = [];
    let cursorRow = 0;
    let offset = 0;
    for (const line of text.split('\n')) {
      let row = '';
      let rowWidth = 0;
      let i = offset;
      const flush = (): void => {
        rows.push(row);
        row = '';
        rowWidth = 0;
      };
      for (const ch of line) {
        const cw = displayWidth(ch);
        if (rowWidth + cw > w) flush();
        if (i === cursor) {
          cursorRow = rows.length;
          row += `${CURSOR_ON}${ch}${CURSOR_OFF}`;
        } else row += ch;
        rowWidth += cw;
        i += ch.length;
      }
      if (offset + line.length === cursor) {
        if (rowWidth + 1 > w) flush();
        cursorRow = rows.length;
        row += `${CURSOR_ON} ${CURSOR_OFF}`;
      }
      rows.push(row);
      offset += line.length + 1;
    }
    const start = Math.max(0, Math.min(cursorRow - maxRows + 1, rows.length - maxRows));
    return rows.slice(start, start + maxRows).map((r, i) => (start + i === 0 ? mark : '  ') + r);
  }

  /** The status bar: what matters most first; the rest is dropped when the screen is narrow. */
  renderStatus(): string {
    const s = this.stats;
    const model = this.answeredBy ?? this.session.modelName;
    let tps = s.tokensPerSecond;
    if (this.stateValue === 'streaming' && this.firstAt !== undefined) {
      const secs = (this.now() - this.firstAt) / 1000;
      tps = secs > 0.05 ? this.deltas / secs : null;
    }
    const segs: { text: string; rank: number }[] = [
      { text: model, rank: 0 },
      { text: this.download ?? this.stateValue, rank: 0 },
    ];
    if (s.ttftMs !== null) segs.push({ text: `ttft ${s.ttftMs} ms`, rank: 3 });
    if (tps !== null && tps !== undefined)
      segs.push({ text: `${tps.toFixed(tps >= 100 ? 0 : 1)} tok/s`, rank: 3 });
    if (s.inputTokens !== undefined || s.outputTokens !== undefined) {
      segs.push({ text: `${s.inputTokens ?? '?'} in · ${s.outputTokens ?? '?'} out`, rank: 4 });
    }
    if (s.cached) segs.push({ text: '[cached]', rank: 1 });
    if (!this.transcript.autoFollow) segs.push({ text: 'follow off', rank: 2 });
    else if (!this.transcript.following) segs.push({ text: 'scrolled', rank: 2 });
    if (this.highContrast) segs.push({ text: 'high contrast', rank: 2 });
    const id = this.session.conversationId;
    const idSeg = { text: id ? `#${id}` : 'new conversation', rank: 1 };
    segs.push(idSeg);
    const sep = ' │ ';
    const fits = (list: typeof segs): boolean =>
      displayWidth(list.map((x) => x.text).join(sep)) + 2 <= this.columns;
    let list = segs;
    // Narrow: the id shortened first (the start of it is enough for /load's completion),
    // then the least useful figures dropped.
    if (!fits(list) && id) idSeg.text = `#${id.slice(0, 10)}…`;
    for (let r = 4; r >= 1 && !fits(list); r--) list = list.filter((x) => x.rank < r);
    return truncate(` ${list.map((x) => x.text).join(sep)}`, this.columns);
  }
}
