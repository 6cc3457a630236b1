/**
 * Token-aware trimming: drop the oldest turns until the request fits the model's context
 * window, keeping the system prompt and the newest user message. Never silent: the caller
 * turns the result into a `notice` event.
 */
import type { ChatMessage, ChatRequest } from '../chat-model.js';
import { messageText } from '../chat-model.js';

export interface TrimOptions {
  /** The model's context window in tokens; undefined means only `historyLimit` applies. */
  contextWindow: number | undefined;
  /** Tokens kept free for the answer. */
  reserveTokens: number;
  /** Keep at most this many messages. */
  historyLimit: number;
  countTokens: (text: string) => Promise<number> | number;
}

export interface TrimResult {
  request: ChatRequest;
  /** Messages dropped from the start of the history. */
  dropped: number;
  /** Estimated prompt tokens after trimming. */
  promptTokens: number;
  /** True when even the newest message alone does not fit. */
  overflow: boolean;
}

/** Per-message overhead of chat templates (role markers, separators), in tokens. */
const MESSAGE_OVERHEAD = 4;
/** Tokens charged for one image part when estimating. */
const IMAGE_TOKENS = 768;

export async function trimToFit(request: ChatRequest, opts: TrimOptions): Promise<TrimResult> {
  let messages = request.messages;
  let dropped = 0;
  if (messages.length > opts.historyLimit) {
    dropped = messages.length - opts.historyLimit;
    messages = messages.slice(dropped);
  }
  const cost = async (m: ChatMessage): Promise<number> =>
    MESSAGE_OVERHEAD +
    (await opts.countTokens(messageText(m))) +
    m.content.filter((p) => p.type === 'image').length * IMAGE_TOKENS;
  const systemTokens = request.system ? MESSAGE_OVERHEAD + (await opts.countTokens(request.system)) : 0;
  const costs = await Promise.all(messages.map(cost));
  let total = systemTokens + costs.reduce((a, b) => a + b, 0);
  let overflow = false;
  if (opts.contextWindow !== undefined) {
    const budget = opts.contextWindow - opts.reserveTokens;
    let start = 0;
    // Drop whole turns from the front; never drop the newest message.
    while (total > budget && start < messages.length - 1) {
      total -= costs[start] ?? 0;
      start++;
      // Do not leave an assistant message first: a history starts with the user.
      while (start < messages.length - 1 && messages[start]?.role === 'assistant') {
        total -= costs[start] ?? 0;
        start++;
      }
    }
    dropped += start;
    messages = messages.slice(start);
    overflow = total > budget;
  }
  return { request: { ...request, messages }, dropped, promptTokens: total, overflow };
}

/** A rough token count for models that cannot count exactly: about 4 characters a token. */
export function estimateTokens(text: string): number {
  return Math.ceil(text.length / 4);
}
