/**
 * The input line: the editing keys, Ctrl+R's search of the history, and the completion of
 * slash commands (and of their arguments) shown in a popup above it.
 */
import { matchCommands, findCommand } from './commands.js';
import { InputBuffer } from './input-buffer.js';
import { InputHistory, type SearchHit } from './input-history.js';
import type { KeyEvent } from './keys.js';
import type { ChatSession, Completion } from './session.js';
import { sanitize } from './text.js';

export interface CompletionState {
  items: { value: string; label: string; hint: string | undefined }[];
  selected: number;
}

export interface SearchState {
  query: string;
  hit: SearchHit | undefined;
  /** The input before the search, restored by Esc. */
  saved: string;
}

/** What the line editor needs from the chat around it. */
export interface EditorHost {
  readonly session: ChatSession;
  /** Show a hint in the rule above the input. */
  hint(text: string): void;
  /** Enter on a search's match: send the input. */
  submit(): void;
  /** Something changed outside a key press (a command's choices arrived). */
  changed(): void;
}

export class LineEditor {
  readonly input = new InputBuffer();
  readonly history: InputHistory;
  private completionValue: CompletionState | undefined;
  private completionDismissed = false;
  private readonly choices = new Map<string, Completion[]>();
  private readonly pendingChoices = new Set<string>();
  private searchValue: SearchState | undefined;

  constructor(
    private readonly host: EditorHost,
    history?: InputHistory,
  ) {
    this.history = history ?? new InputHistory();
  }

  /** The completions on offer, if any. */
  get completion(): Readonly<CompletionState> | undefined {
    return this.completionValue;
  }
  /** Ctrl+R's search, while it runs. */
  get search(): Readonly<SearchState> | undefined {
    return this.searchValue;
  }

  /** Typed or pasted text. */
  insertText(text: string): void {
    const clean = sanitize(text);
    if (this.searchValue) {
      this.searchValue.query += clean.replace(/\n/g, ' ');
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

  /** Ctrl+D on a line that is not empty. */
  deleteForward(): void {
    this.input.deleteForward();
    this.afterEdit();
  }

  /** Ctrl+C with text typed: clear it. */
  clear(): void {
    this.input.clear();
    this.afterEdit();
  }

  /** The input is being sent: keep it in the history and start a new line. */
  commit(): void {
    this.history.add(this.input.text);
    this.input.clear();
    this.completionValue = undefined;
    this.completionDismissed = false;
  }

  /** Esc: close the popup. False when there was none. */
  dismissCompletion(): boolean {
    if (!this.completionValue) return false;
    this.completionValue = undefined;
    this.completionDismissed = true;
    return true;
  }

  /** Up or down: through the popup, or between the input's rows. False when neither moved. */
  vertical(dir: -1 | 1): boolean {
    const c = this.completionValue;
    if (c) {
      const n = c.items.length;
      c.selected = (c.selected + dir + n) % n;
      return true;
    }
    return this.input.rows > 1 && this.input.vertical(dir);
  }

  /** Enter after a backslash at the end: a new line instead. False when it should send. */
  continueLine(): boolean {
    const t = this.input.text;
    if (this.input.cursor !== t.length || !t.endsWith('\\')) return false;
    this.input.backspace();
    this.input.insert('\n');
    this.afterEdit();
    return true;
  }

  /** A command has run: the choices it completes may have changed. */
  forgetChoices(): void {
    this.choices.clear();
  }

  /** Any other key for the input: Tab, Alt+Enter, text, the editing keys. */
  key(k: KeyEvent): void {
    if (k.name === 'tab') return this.complete();
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

  // ---- Ctrl+R ----

  startSearch(): void {
    this.completionValue = undefined;
    this.searchValue = { query: '', hit: undefined, saved: this.input.text };
  }

  /** Ctrl+C in a search: leave it, the input as it is. */
  endSearch(): void {
    this.searchValue = undefined;
  }

  private runSearch(before: number): void {
    const s = this.searchValue as SearchState;
    s.hit = s.query ? this.history.search(s.query, before) : undefined;
  }

  searchKey(k: KeyEvent): void {
    const s = this.searchValue as SearchState;
    if (k.name === 'escape' || (k.ctrl && k.name === 'g')) {
      this.searchValue = undefined;
      this.input.set(s.saved);
      return;
    }
    if (k.ctrl && k.name === 'r') {
      if (s.hit) {
        const next = this.history.search(s.query, s.hit.index);
        if (next) s.hit = next;
        else this.host.hint('no older match');
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
    this.searchValue = undefined;
    this.input.set(s.hit?.text ?? s.saved);
    if (k.name === 'return' && !k.meta && !k.shift) this.host.submit();
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
      this.completionValue = undefined;
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
        this.completionValue = undefined;
        return;
      }
      const list = this.choices.get(command.name);
      if (!list) {
        this.loadChoices(command.name);
        this.completionValue = undefined;
        return;
      }
      const q = arg.toLowerCase();
      items = list
        .filter((c) => c.value.toLowerCase().startsWith(q) && c.value !== arg)
        .map((c) => ({ value: `/${command.name} ${c.value}`, label: c.value, hint: c.hint }));
    }
    const prev = this.completionValue?.items[this.completionValue.selected]?.value;
    const keep = items.findIndex((i) => i.value === prev);
    this.completionValue = items.length ? { items, selected: Math.max(0, keep) } : undefined;
  }

  private loadChoices(name: string): void {
    const command = matchCommands(name)[0];
    if (!command?.complete || this.pendingChoices.has(name)) return;
    this.pendingChoices.add(name);
    command
      .complete(this.host.session)
      .catch(() => [])
      .then((list) => {
        this.pendingChoices.delete(name);
        this.choices.set(name, list);
        this.updateCompletion();
        this.host.changed();
      });
  }

  private complete(): void {
    if (!this.completionValue) {
      this.completionDismissed = false;
      this.updateCompletion();
      if (!this.completionValue) return;
    }
    const item = this.completionValue.items[this.completionValue.selected];
    if (!item) return;
    this.input.set(item.value);
    this.updateCompletion();
  }
}
