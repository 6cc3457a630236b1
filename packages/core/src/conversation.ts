/** Conversations: a system prompt and a history kept between turns, saved as they happen. */
import type { ChatMessage, MessagePart } from './chat-model.js';
import { messageText } from './chat-model.js';
import { ParleyError, describeError } from './errors.js';
import type { ChatEvent } from './events.js';
import type { Parley, StreamOptions } from './parley.js';
import { ConversationLog, type SavedConversation } from './store/conversation-log.js';

/** Options of `parley.conversation()` and `parley.resumeConversation()`. */
export interface ConversationOptions {
  system?: string;
  model?: string;
  /** Save every turn in the store (default: the `store.log` setting, which defaults to true). */
  log?: boolean;
  /** Which front end is talking (`cli`, `tui`, `server`), saved with the conversation. */
  source?: string;
  /** A new conversation is a thread of this assistant (docs/assistants.md) once it is saved. */
  assistant?: string;
}

/** A conversation: the system prompt and history, kept between turns (and saved, see `log`). */
export class Conversation {
  readonly messages: ChatMessage[] = [];
  system: string | undefined;
  model: string | undefined;
  /** Saves the turns; undefined when this conversation is not saved. */
  readonly log: ConversationLog | undefined;
  private readonly savedId: string | undefined;
  private readonly source: string | undefined;
  /** The assistant a new conversation becomes a thread of (docs/assistants.md). */
  readonly assistant: string | undefined;

  constructor(
    private readonly parley: Parley,
    opts: ConversationOptions,
    saved?: SavedConversation,
  ) {
    this.system = opts.system ?? saved?.record.system ?? undefined;
    this.model = opts.model ?? saved?.record.model ?? undefined;
    this.savedId = saved?.record.id;
    this.source = opts.source;
    this.assistant = opts.assistant;
    if (saved) this.messages.push(...saved.history);
    if (opts.log ?? parley.config.store?.log ?? true) {
      this.log = new ConversationLog(() => parley.store(), {
        conversationId: this.savedId,
        source: opts.source,
        assistant: opts.assistant,
      });
    }
  }

  /** The stored conversation's id: once the first turn is saved, or when resumed. */
  get id(): string | undefined {
    return this.log?.conversationId ?? this.savedId;
  }

  /** Send a message and stream the answer; the answer (or its partial text) joins the history. */
  async *send(
    content: string | MessagePart[],
    opts: Omit<StreamOptions, 'system'> = {},
  ): AsyncIterable<ChatEvent> {
    let parts: MessagePart[] = typeof content === 'string' ? [{ type: 'text', text: content }] : content;
    const { attachments, ...rest } = opts;
    if (attachments?.length) {
      // The files join the user's message before it is saved: history holds what the model saw.
      try {
        const attached = await this.parley.attach(attachments, {
          question: messageText({ role: 'user', content: parts }),
          model: opts.model ?? this.model ?? opts.race?.[0],
          signal: opts.signal,
        });
        parts = [...attached.parts, ...parts];
        yield* attached.notices;
      } catch (e) {
        yield {
          type: 'error',
          error: ParleyError.is(e)
            ? e.toInfo()
            : { code: 'runtime', message: describeError(e), retryable: false },
        };
        return;
      }
    }
    this.messages.push({ role: 'user', content: parts });
    let text = '';
    const streamOpts: StreamOptions = { ...rest };
    if (this.source !== undefined) streamOpts.source ??= this.source;
    if (this.system !== undefined) streamOpts.system = this.system;
    if (opts.model ?? this.model) streamOpts.model = (opts.model ?? this.model) as string;
    const stream = this.parley.stream({ messages: [...this.messages] }, streamOpts);
    const c = this.parley.config;
    const turn = { system: streamOpts.system ?? c.system, model: streamOpts.model, defaultModel: c.model };
    for await (const e of this.log ? this.log.record(parts, stream, turn) : stream) {
      if (e.type === 'text-delta') text += e.text;
      if ((e.type === 'done' || e.type === 'interrupted') && text) {
        this.messages.push({ role: 'assistant', content: [{ type: 'text', text }] });
      }
      yield e;
    }
  }

  clear(): void {
    this.messages.length = 0;
  }
}
