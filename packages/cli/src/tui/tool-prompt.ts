/**
 * The chat's y/n question before a tool that asks first (`confirm`) or a dangerous one
 * runs: the tool's name and arguments take the input's place until you answer. `y` runs
 * it; `n` or Esc refuses; no answer within `tools.confirm_timeout_ms` (the tool loop's
 * timeout) or a cancelled turn means no.
 */
import type { ConfirmRequest } from '@parley/core';
import type { KeyEvent } from './keys.js';
import { sanitize, truncate, wrapLines } from './text.js';
import type { Theme } from './theme.js';

/** Most rows of arguments shown; the rest is cut with `…`. */
const MAX_ARG_ROWS = 6;

interface Pending {
  request: ConfirmRequest;
  resolve: (yes: boolean) => void;
}

export type PromptOutcome = 'allowed' | 'refused' | 'expired';

export class ToolPrompt {
  private pending: Pending | undefined;

  constructor(
    /** Called when the question opens or closes (redraw), with how it ended. */
    private readonly changed: (request: ConfirmRequest, outcome?: PromptOutcome) => void,
  ) {}

  get open(): boolean {
    return this.pending !== undefined;
  }

  get request(): ConfirmRequest | undefined {
    return this.pending?.request;
  }

  /** The `Confirmer` of the chat's tool session. */
  ask = (request: ConfirmRequest, signal: AbortSignal): Promise<boolean> => {
    // One question at a time: the tool loop runs calls one after another.
    this.close(false, 'refused');
    return new Promise<boolean>((resolve) => {
      if (signal.aborted) return resolve(false);
      const p: Pending = { request, resolve };
      this.pending = p;
      signal.addEventListener(
        'abort',
        () => {
          if (this.pending === p) this.close(false, 'expired');
        },
        { once: true },
      );
      this.changed(request);
    });
  };

  /** A key while the question is open: true when the prompt took it. */
  key(k: KeyEvent): boolean {
    if (!this.pending) return false;
    const letter = k.name === 'text' && !k.ctrl && !k.meta ? (k.text ?? '').trim().toLowerCase() : '';
    if (letter === 'y') this.close(true, 'allowed');
    else if (letter === 'n' || k.name === 'escape') this.close(false, 'refused');
    // Any other key is held back: the question stays until y, n, Esc or the timeout.
    return true;
  }

  /** Refuse the open question (a cancelled turn, quitting). */
  refuse(): void {
    this.close(false, 'refused');
  }

  private close(yes: boolean, outcome: PromptOutcome): void {
    const p = this.pending;
    if (!p) return;
    this.pending = undefined;
    p.resolve(yes);
    this.changed(p.request, outcome);
  }

  /** The rows that stand in for the input: the question, the arguments, the keys. */
  lines(width: number, theme: Theme): string[] {
    const p = this.pending;
    if (!p) return [];
    const q = p.request;
    const w = Math.max(10, width - 2);
    const head = q.safety === 'dangerous' ? theme.error('DANGEROUS ') : '';
    const out = [`${theme.user('? ')}${head}${theme.user(`allow ${sanitize(q.tool)}?`)}`];
    const json = sanitize(JSON.stringify(q.args, null, 1) ?? 'null').replace(/\n\s*/g, ' ');
    const rows = wrapLines(json, w);
    for (const r of rows.slice(0, MAX_ARG_ROWS)) out.push(`  ${r}`);
    if (rows.length > MAX_ARG_ROWS) out.push(`  ${truncate('…', w)}`);
    out.push(`  ${theme.meta('y runs it · n or Esc refuses')}`);
    return out;
  }
}

/** What the transcript says about a question once it is answered. */
export function outcomeText(request: ConfirmRequest, outcome: PromptOutcome): string {
  if (outcome === 'allowed') return `allowed ${request.tool}`;
  if (outcome === 'expired') return `refused ${request.tool}: not confirmed in time`;
  return `refused ${request.tool}`;
}
