/**
 * Reasoning models served locally (Qwen3, QwQ, DeepSeek-R1 and its distills, through the
 * local engine or Ollama, LM Studio, llama.cpp server, vLLM) often write their reasoning in
 * the answer itself, as a `<think>…</think>` block before it. This splits such a block out of
 * streamed text into `reasoning-delta` events, whatever the chunk boundaries.
 *
 * Only a block that opens the answer counts (after optional whitespace): a `<think>` later
 * on is text the model wrote, and is left alone. Text is held back only while it could still
 * be the start of `<think>` or of `</think>`, so streaming stays streaming.
 */
import type { ReasoningDeltaEvent, TextDeltaEvent } from '../events.js';

const OPEN = '<think>';
const CLOSE = '</think>';

type Out = TextDeltaEvent | ReasoningDeltaEvent;

export class ThinkTagSplitter {
  private state: 'start' | 'opened' | 'thinking' | 'after' | 'answer' = 'start';
  private held = '';

  /** The events for the next chunk of model text. */
  push(chunk: string): Out[] {
    this.held += chunk;
    const out: Out[] = [];
    for (;;) {
      if (this.state === 'start') {
        const t = this.held.trimStart();
        if (t.length < OPEN.length && OPEN.startsWith(t)) return out; // maybe `<think>`: wait
        if (t.startsWith(OPEN)) {
          this.held = t.slice(OPEN.length);
          this.state = 'opened';
          continue;
        }
        this.state = 'answer';
        continue;
      }
      if (this.state === 'opened') {
        // The line breaks that open the block are not reasoning either.
        this.held = this.held.trimStart();
        if (this.held === '') return out;
        this.state = 'thinking';
        continue;
      }
      if (this.state === 'thinking') {
        const end = this.held.indexOf(CLOSE);
        if (end < 0) {
          // Hold back what could start `</think>`, and the whitespace before it.
          const tag = partialSuffix(this.held, CLOSE);
          const keep = this.held.length - this.held.slice(0, this.held.length - tag).trimEnd().length;
          reasoning(out, this.held.slice(0, this.held.length - keep));
          this.held = this.held.slice(this.held.length - keep);
          return out;
        }
        reasoning(out, this.held.slice(0, end).trimEnd());
        this.held = this.held.slice(end + CLOSE.length);
        this.state = 'after';
        continue;
      }
      if (this.state === 'after') {
        // The blank lines between the block and the answer belong to neither.
        this.held = this.held.trimStart();
        if (this.held === '') return out;
        this.state = 'answer';
        continue;
      }
      text(out, this.held);
      this.held = '';
      return out;
    }
  }

  /** What is still held when the stream ends (an unfinished block is reasoning). */
  flush(): Out[] {
    const out: Out[] = [];
    if (this.state === 'thinking') reasoning(out, this.held);
    else if (this.state === 'start' || this.state === 'answer') text(out, this.held);
    this.held = '';
    return out;
  }
}

function reasoning(out: Out[], s: string): void {
  if (s) out.push({ type: 'reasoning-delta', text: s });
}

function text(out: Out[], s: string): void {
  if (s) out.push({ type: 'text-delta', text: s });
}

/** Length of the longest end of `s` that is a proper start of `tag`. */
function partialSuffix(s: string, tag: string): number {
  for (let n = Math.min(s.length, tag.length - 1); n > 0; n--) {
    if (tag.startsWith(s.slice(s.length - n))) return n;
  }
  return 0;
}
