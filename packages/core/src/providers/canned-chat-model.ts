/**
 * The `canned:` provider: a benchmarking aid, not a model. It streams a fixed text at full
 * speed, with no network and no inference, so a benchmark of a front end (the server, the
 * terminal UI) measures that front end's own cost and nothing else.
 *
 * - `canned` or `canned:lorem` streams a fixed English passage, one word per token. With
 *   `maxTokens` it streams exactly that many tokens (repeating the passage) and finishes
 *   with `length`; without, it streams the passage once and finishes with `stop`.
 * - `canned:echo` streams the last user message back (image parts as `[image TYPE N bytes]`),
 *   which shows exactly what a front end handed to the model.
 */
import type { ChatModel, ChatRequest, ModelCapabilities } from '../chat-model.js';
import { CHAT_MODEL_SPEC_VERSION, messageText } from '../chat-model.js';
import type { ChatEvent, FinishReason, Usage } from '../events.js';
import { UsageError } from '../errors.js';
import { TurnClock } from '../util/clock.js';

/** The passage `canned:lorem` streams. */
export const CANNED_LOREM =
  'Once upon a time, in a small town by the sea, there lived a girl named Lily who loved to read. ' +
  'Every morning she walked to the library with her dog Max, and every evening she told him the ' +
  'stories she had found. One day the librarian gave her a book with no title. Inside were maps ' +
  'of places nobody in town had ever seen, and Lily decided that she and Max would find them all.';

/** The texts a `canned:NAME` model knows. */
export const CANNED_NAMES = ['lorem', 'echo'] as const;
export type CannedName = (typeof CANNED_NAMES)[number];

/** Tokens between two yields to the event loop, so sockets and aborts are served while streaming. */
const YIELD_EVERY = 32;

const yieldToLoop = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

/** Split text into word tokens, each keeping its trailing whitespace. */
function words(text: string): string[] {
  return text.match(/\s*\S+\s*/g) ?? [];
}

/** The text `canned:echo` answers with: the last user message, images described. */
function echoText(request: ChatRequest): string {
  const last = [...request.messages].reverse().find((m) => m.role === 'user');
  if (!last) return '';
  return last.content
    .map((p) => (p.type === 'text' ? p.text : ` [image ${p.mediaType} ${p.data.byteLength} bytes] `))
    .join('');
}

/** A `ChatModel` that streams a fixed text at full speed (see the file comment). */
export class CannedChatModel implements ChatModel {
  readonly specificationVersion = CHAT_MODEL_SPEC_VERSION;
  readonly provider = 'canned';
  readonly capabilities: ModelCapabilities = { images: true, contextWindow: 1_000_000 };
  readonly modelId: CannedName;

  /** @throws UsageError for a name other than `lorem` or `echo` */
  constructor(name = 'lorem') {
    if (!(CANNED_NAMES as readonly string[]).includes(name)) {
      throw new UsageError(
        `unknown canned text "${name}": use ${CANNED_NAMES.map((n) => `canned:${n}`).join(' or ')}`,
      );
    }
    this.modelId = name as CannedName;
  }

  /** One token per word. */
  countTokens(text: string): Promise<number> {
    return Promise.resolve(words(text).length);
  }

  async *stream(request: ChatRequest, signal?: AbortSignal): AsyncIterable<ChatEvent> {
    const clock = new TurnClock();
    const label = `canned:${this.modelId}`;
    const input = [request.system ?? '', ...request.messages.map(messageText)].join(' ');
    const inputTokens = words(input).length;
    const source = words(this.modelId === 'echo' ? echoText(request) : CANNED_LOREM);
    const limit = request.maxTokens;
    let count = source.length;
    let finishReason: FinishReason = 'stop';
    if (limit !== undefined && (this.modelId === 'lorem' || limit < count)) {
      finishReason = limit === count && this.modelId === 'echo' ? 'stop' : 'length';
      count = limit;
    }
    let text = '';
    let emitted = 0;
    const usage = (): Usage => ({ inputTokens, outputTokens: emitted, totalTokens: inputTokens + emitted });
    for (let i = 0; i < count; i++) {
      if (i % YIELD_EVERY === YIELD_EVERY - 1) await yieldToLoop();
      if (signal?.aborted) break;
      const piece = source[i % source.length] as string;
      clock.token();
      text += piece;
      emitted++;
      yield { type: 'text-delta', text: piece };
    }
    if (signal?.aborted) {
      yield clock.interrupted(label, signal, text, usage());
      return;
    }
    yield { type: 'usage', usage: usage() };
    yield { type: 'done', model: label, finishReason, usage: usage(), timings: clock.timings(emitted) };
  }
}
