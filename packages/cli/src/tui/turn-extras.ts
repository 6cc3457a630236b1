/**
 * What a turn shows besides its answer: the model's reasoning (dimmed, folded once the
 * answer starts; Ctrl+T shows or folds every block) and its tool calls and their results,
 * each placed just above the answer they belong to.
 */
import type { ChatEvent, ConfirmRequest } from '@parley/core';
import { outcomeText, type PromptOutcome } from './tool-prompt.js';
import type { Entry, Transcript } from './transcript.js';

const shorten = (s: string, n = 200): string => {
  const line = s.replace(/\s+/g, ' ');
  return line.length > n ? `${line.slice(0, n)}…` : line;
};

export class TurnExtras {
  private reasoningEntry: Entry | undefined;
  /** Ctrl+T: reasoning shown in full, not folded. */
  private showAll = false;

  constructor(private readonly transcript: Transcript) {}

  get reasoningShown(): boolean {
    return this.showAll;
  }

  /** A new turn: its reasoning gets a block of its own. */
  start(): void {
    this.reasoningEntry = undefined;
  }

  /** Reasoning streams into a block above the answer. */
  reasoning(text: string, answer: Entry): void {
    if (!this.reasoningEntry || !this.reasoningEntry.streaming) {
      this.reasoningEntry = this.transcript.insertBefore(answer, 'reasoning', '', true);
    }
    this.reasoningEntry.append(text);
  }

  /** The answer's text started, or the turn ended: the reasoning block is done (and folded). */
  endReasoning(): void {
    const r = this.reasoningEntry;
    if (!r?.streaming) return;
    r.finish();
    r.setFolded(!this.showAll);
  }

  /** Ctrl+T: show or fold every reasoning block. Returns the hint to show. */
  toggle(): string {
    this.showAll = !this.showAll;
    let any = false;
    for (const e of this.transcript.entries) {
      if (e.kind !== 'reasoning' || e.streaming) continue;
      e.setFolded(!this.showAll);
      any = true;
    }
    const what = this.showAll ? 'reasoning shown (Ctrl+T folds it)' : 'reasoning folded (Ctrl+T shows it)';
    return any ? what : `${what}; no reasoning yet`;
  }

  /** `tool-call` and `tool-result`: a line each above the answer, like the one-shot's. */
  tool(e: Extract<ChatEvent, { type: 'tool-call' | 'tool-result' }>, answer: Entry): void {
    this.endReasoning();
    let text: string;
    if (e.type === 'tool-call') text = `→ ${e.name} ${shorten(JSON.stringify(e.args) ?? '')}`;
    else if (e.isError) {
      const r = e.result as { code?: unknown; message?: unknown } | null;
      const msg = typeof r === 'object' && r !== null ? `${String(r.code)}: ${String(r.message)}` : String(r);
      text = `${e.name}: ${shorten(msg)}`; // an error entry is marked ✗
    } else text = `✓ ${e.name}: ${shorten(String(e.result))}`;
    this.transcript.insertBefore(answer, e.type === 'tool-result' && e.isError ? 'error' : 'info', text);
  }

  /** A y/n question was answered (or not): say so above the answer. */
  outcome(request: ConfirmRequest, outcome: PromptOutcome, answer: Entry | undefined): void {
    const text = outcomeText(request, outcome);
    if (answer) this.transcript.insertBefore(answer, 'info', text);
    else this.transcript.add('info', text);
  }
}
