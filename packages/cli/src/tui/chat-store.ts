/**
 * The chat screen's state, and the store React subscribes to: what the controller's keys
 * and turns change, and the getters and setters the rest of the CLI uses.
 */
import { renderStatus, type TurnStats } from './frame.js';
import type { InputHistory } from './input-history.js';
import type { ChatSession } from './session.js';
import { noColorRequested, pickTheme, type Theme } from './theme.js';
import { Transcript, plainEngine, type MarkdownEngine, type RenderContext } from './transcript.js';

export type ChatState =
  'ready' | 'waiting' | 'thinking' | 'streaming' | 'cancelling' | 'cancelled' | 'error' | 'working';

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

export const emptyStats = (): TurnStats => ({
  ttftMs: null,
  tokensPerSecond: null,
  inputTokens: undefined,
  outputTokens: undefined,
  cached: false,
});

export class ChatStore {
  readonly transcript = new Transcript();
  readonly session: ChatSession;
  protected md: MarkdownEngine = plainEngine;
  protected columns: number;
  protected rows: number;
  protected highContrast: boolean;
  protected readonly noColor: boolean;
  protected stateValue: ChatState = 'ready';
  protected stats: TurnStats = emptyStats();
  /** The model of the last answer (`provider:model`), shown until you switch. */
  protected answeredBy: string | undefined;
  /** The hint in the rule above the input, until the next key. */
  protected hint: string | undefined;
  protected download: string | undefined;
  protected turnPromise: Promise<void> = Promise.resolve();
  protected sentAt = 0;
  protected firstAt: number | undefined;
  protected deltas = 0;
  private readonly listeners = new Set<() => void>();
  private versionValue = 0;
  private timer: ReturnType<typeof setTimeout> | undefined;
  protected readonly now: () => number;

  constructor(protected readonly opts: ControllerOptions) {
    this.session = opts.session;
    this.columns = opts.columns;
    this.rows = opts.rows;
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
  protected changed(soon = false): void {
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
  /** A tool's y/n question is open (the controller's). */
  protected get asking(): boolean {
    return false;
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

  protected get ctx(): RenderContext {
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
    messages: readonly {
      role: string;
      content: readonly { type: string; text?: string; attachment?: { path: string } | undefined }[];
    }[],
  ): void {
    for (const m of messages) {
      const files = m.content.flatMap((p) => (p.attachment ? [p.attachment.path] : []));
      const text =
        m.content
          .filter((p) => !p.attachment)
          .map((p) => (p.type === 'text' ? (p.text ?? '') : `[${p.type}]`))
          .join('') + (files.length > 0 ? `\n[attached: ${files.join(', ')}]` : '');
      if (m.role === 'user') this.transcript.add('user', text);
      else if (m.role === 'assistant') this.transcript.add('assistant', text);
    }
    this.changed();
  }

  /** F1–F4: switch to a favourite model. */
  protected favorite(i: number): void {
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

  /** The status bar: what matters most first; the rest is dropped when the screen is narrow. */
  renderStatus(): string {
    let tps = this.stats.tokensPerSecond;
    if (this.stateValue === 'streaming' && this.firstAt !== undefined) {
      const secs = (this.now() - this.firstAt) / 1000;
      tps = secs > 0.05 ? this.deltas / secs : null;
    }
    const info = {
      model: this.answeredBy ?? this.session.modelName,
      activity: this.download ?? (this.asking ? 'y/n?' : this.stateValue),
      stats: this.stats,
      tokensPerSecond: tps,
      autoFollow: this.transcript.autoFollow,
      following: this.transcript.following,
      highContrast: this.highContrast,
      conversationId: this.session.conversationId,
    };
    return renderStatus(info, this.columns);
  }
}
