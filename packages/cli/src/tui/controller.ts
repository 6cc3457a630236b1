/**
 * The chat screen's behaviour, without React: keys in, a `Frame` (the lines to show) out. The Ink components only draw frames, so everything here is testable and the
 * benchmark can drive it directly.
 */
import type { ChatEvent } from '@parley/core';
import { ChatStore, emptyStats, type ControllerOptions } from './chat-store.js';
import { runSlash, type CommandResult } from './commands.js';
import { renderInput, renderPopup, renderRule, type Frame, type PopupItem } from './frame.js';
import type { InputBuffer } from './input-buffer.js';
import type { InputHistory } from './input-history.js';
import { parseKeys, type KeyEvent } from './keys.js';
import { LineEditor } from './line-editor.js';
import { ToolPrompt } from './tool-prompt.js';
import type { Entry } from './transcript.js';
import { TurnExtras } from './turn-extras.js';

export type { ChatState, ControllerOptions } from './chat-store.js';
export type { Frame, PopupItem, TurnStats } from './frame.js';

export class ChatController extends ChatStore {
  readonly input: InputBuffer;
  readonly history: InputHistory;
  private readonly editor: LineEditor;
  private abort: AbortController | undefined;
  private pasting = false;
  private notices: string[] = [];
  private quitting = false;
  /** The answer of the running turn: reasoning and tool lines go just above it. */
  private answer: Entry | undefined;
  private readonly extras = new TurnExtras(this.transcript);
  /** The y/n question before a tool runs; the session's tools ask through it. */
  readonly toolPrompt = new ToolPrompt((request, outcome) => {
    if (outcome) this.extras.outcome(request, outcome, this.answer);
    else this.hint = `${request.tool} asks first: y runs it, n or Esc refuses`;
    this.changed();
  });

  protected override get asking(): boolean {
    return this.toolPrompt.open;
  }

  constructor(opts: ControllerOptions) {
    super(opts);
    opts.session.confirmer = this.toolPrompt.ask;
    this.editor = new LineEditor(
      {
        session: opts.session,
        hint: (text) => (this.hint = text),
        submit: () => this.submit(),
        changed: () => this.changed(),
      },
      opts.history,
    );
    this.input = this.editor.input;
    this.history = this.editor.history;
  }

  // ---- input ----

  /** Raw terminal input, as Ink emits it. */
  handleInput = (raw: string): void => {
    if (this.pasting && !raw.startsWith('\u001b[201~')) {
      this.editor.insertText(raw.replace(/\r\n?/g, '\n'));
      this.changed();
      return;
    }
    for (const k of parseKeys(raw)) this.handleKey(k);
  };

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
    if (this.toolPrompt.key(k)) return;
    if (k.ctrl && k.name === 't') {
      this.hint = this.extras.toggle();
      return;
    }
    if (k.ctrl && k.name === 'd') {
      if (this.input.empty && !this.editor.search) return this.quit();
      return this.editor.deleteForward();
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
    if (this.editor.search) return this.editor.searchKey(k);
    if (k.name === 'escape') {
      if (!this.editor.dismissCompletion() && this.busy) this.cancel();
      return;
    }
    if (k.ctrl && k.name === 'r') return this.editor.startSearch();
    if (k.name === 'up' || k.name === 'down') {
      const dir = k.name === 'up' ? -1 : 1;
      if (!this.editor.vertical(dir)) this.transcript.scroll(dir, c);
      return;
    }
    if (k.name === 'return' && !k.meta && !k.shift && !k.ctrl) {
      if (!this.editor.continueLine()) this.submit();
      return;
    }
    this.editor.key(k);
  }

  private ctrlC(): void {
    if (this.stateValue === 'cancelling') return this.quit();
    if (this.busy) return this.cancel();
    if (this.editor.search) return this.editor.endSearch();
    if (!this.input.empty) {
      this.editor.clear();
      this.hint = 'input cleared: Ctrl+C again to quit';
      return;
    }
    this.quit();
  }

  // ---- turns and commands ----

  private submit(): void {
    const text = this.input.text;
    if (text.trim() === '') return;
    if (this.busy) {
      this.hint = 'wait for the answer, or Ctrl+C to cancel it';
      return;
    }
    this.editor.commit();
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
    this.editor.forgetChoices();
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
        if (r.after) t.add('info', r.after);
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
    const files = this.session.attachments.map((d) => d.path);
    t.add('user', files.length > 0 ? `${text}\n[attached: ${files.join(', ')}]` : text);
    const entry = t.add('assistant', '', true);
    this.answer = entry;
    this.extras.start();
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
        this.extras.endReasoning();
        if (entry.streaming) entry.finish(ac.signal.aborted ? '[interrupted]' : undefined);
        this.answer = undefined;
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
        this.extras.endReasoning();
        this.deltas++;
        entry.append(e.text);
        this.changed(true);
        break;
      case 'reasoning-delta':
        if (this.stateValue === 'waiting') this.stateValue = 'thinking';
        this.extras.reasoning(e.text, entry);
        this.changed(true);
        break;
      case 'tool-call':
      case 'tool-result':
        this.extras.tool(e, entry);
        this.changed();
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
        this.extras.endReasoning();
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
    this.toolPrompt.refuse();
    this.stateValue = 'cancelling';
    this.hint = 'cancelling: Ctrl+C again to quit';
    this.abort.abort(new Error('cancelled (Ctrl+C)'));
  }

  quit(): void {
    if (this.quitting) return;
    this.quitting = true;
    this.toolPrompt.refuse();
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
    const { input: buffer, search, completion } = this.editor;
    const { busy, theme, columns, rows } = this;
    const asking = this.toolPrompt.open;
    const input = asking
      ? this.toolPrompt.lines(columns, theme)
      : renderInput({ input: buffer, search, busy, theme, columns, rows });
    const popup = asking ? undefined : renderPopup(completion, search !== undefined);
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
      rule: renderRule(hint, this.columns),
      input,
      status: this.renderStatus(),
      theme: this.theme,
    };
  }
}
