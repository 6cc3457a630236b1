/**
 * Saving turns as they happen. `ConversationLog.record()` wraps a turn's event stream:
 *
 * 1. before the first event is asked for (so before the request goes out), the user's
 *    message is committed (and the conversation created on its first turn);
 * 2. the reply is saved as `partial` when its first token arrives and its text is saved
 *    again at most every `checkpointMs` while it streams, so a killed process leaves a
 *    `partial` reply with text that did arrive, never garbage;
 * 3. at the end the reply becomes `complete`, `partial` (interrupted or abandoned) or `error`
 *    (with the text that arrived and the error), and the request's timings are recorded.
 *
 * Saving never breaks a turn: when the store fails, a `notice` says so and the answer goes on.
 */
import type { ChatMessage, MessagePart } from '../chat-model.js';
import { describeError } from '../errors.js';
import type { ChatEvent, ErrorInfo, FinishReason, NoticeEvent, Timings, Usage } from '../events.js';
import type { ConversationStore } from './conversation-store.js';
import { partsAttachments, toChatHistory, toStoredParts, typedText } from './parts.js';
import { NotFoundError } from './store-errors.js';
import type { ConversationRecord, MessageStatus, StoredPart } from './types.js';

/** Options of a `ConversationLog`. */
export interface ConversationLogOptions {
  /** Append to this stored conversation; by default one is created on the first turn. */
  conversationId?: string | undefined;
  /** Which front end is talking (`cli`, `tui`, `server`, `api`), saved with the conversation. */
  source?: string | undefined;
  /** Least milliseconds between two saves of a streaming reply's text (default 250). */
  checkpointMs?: number;
  /** The assistant whose thread a new conversation is (docs/assistants.md): bound when created. */
  assistant?: string | undefined;
}

/** What one turn is sent with, saved beside it. */
export interface TurnInfo {
  system?: string | undefined;
  /** The model name asked for, if any (saved with the conversation). */
  model?: string | undefined;
  /** The configured default model, named in the request log when a failed reply names none. */
  defaultModel?: string | undefined;
  /**
   * Earlier messages to save before the user's, when this turn creates the conversation: a
   * stateless API request (`/v1/chat/completions`) carries its whole history.
   */
  history?: readonly ChatMessage[] | undefined;
}

/** A stored conversation ready to go on: its record and the history to send a model. */
export interface SavedConversation {
  record: ConversationRecord;
  history: ChatMessage[];
}

/**
 * Load a stored conversation: by id (throws `NotFoundError` when unknown), or the most
 * recently updated one when `id` is undefined (undefined when there is none).
 */
export async function loadConversation(
  store: ConversationStore,
  id?: string,
): Promise<SavedConversation | undefined> {
  const record = id === undefined ? await store.conversations.latest() : await store.conversations.get(id);
  if (!record) {
    if (id !== undefined) throw new NotFoundError('conversation', id);
    return undefined;
  }
  return { record, history: toChatHistory(await store.messages.list(record.id)) };
}

/** A title from the first prompt: its first line, at most 80 characters. */
export function titleFrom(text: string): string | null {
  const line = text.trim().split('\n')[0]?.replace(/\s+/g, ' ').trim() ?? '';
  if (!line) return null;
  return line.length > 80 ? `${line.slice(0, 79)}…` : line;
}

/** A title from a first message: what was typed, else the names of the files attached. */
function titleOf(parts: StoredPart[]): string | null {
  return (
    titleFrom(typedText(parts)) ??
    titleFrom(
      partsAttachments(parts)
        .map((a) => a.path)
        .join(', '),
    )
  );
}

/** Saves the turns of one conversation in a store. */
export class ConversationLog {
  private id: string | undefined;
  private failure: unknown;
  private readonly checkpointMs: number;

  /** @param store the store, or a function that opens it on first use */
  constructor(
    private readonly store: ConversationStore | (() => ConversationStore),
    private readonly opts: ConversationLogOptions = {},
  ) {
    this.id = opts.conversationId;
    this.checkpointMs = opts.checkpointMs ?? 250;
  }

  /** The stored conversation's id, once there is one. */
  get conversationId(): string | undefined {
    return this.id;
  }

  /** Wrap one turn's events, saving the user's message first and the reply as it comes. */
  async *record(
    userParts: readonly MessagePart[],
    events: AsyncIterable<ChatEvent>,
    turn: TurnInfo = {},
  ): AsyncGenerator<ChatEvent> {
    const store = await this.attempt(() => (typeof this.store === 'function' ? this.store() : this.store));
    const notice = (): NoticeEvent => ({
      type: 'notice',
      level: 'warn',
      code: 'history-not-saved',
      message: `history: ${describeError(this.failure)}; this conversation is not being saved`,
    });
    let announced = false;
    if (!store) {
      yield notice();
      yield* events;
      return;
    }
    const started = performance.now();
    const conversationId = await this.attempt(() => this.begin(store, userParts, turn));
    if (conversationId === undefined) {
      announced = true;
      yield notice();
    }

    let replyId: string | undefined;
    let text = '';
    let reasoning = '';
    const tools: StoredPart[] = [];
    let firstTokenAt: number | undefined;
    let lastSave = 0;
    let ended = false;
    const parts = (): StoredPart[] => [
      ...(reasoning ? [{ type: 'reasoning' as const, text: reasoning }] : []),
      ...tools,
      ...(text ? [{ type: 'text' as const, text }] : []),
    ];
    const save = async (status: MessageStatus, end?: Partial<EndFields>): Promise<void> => {
      if (conversationId === undefined || this.failure !== undefined) return;
      const fields = {
        parts: parts(),
        status,
        model: end?.model,
        finishReason: end?.finishReason,
        error: end?.error,
        usage: end?.usage,
        timings: end?.timings,
      };
      await this.attempt(async () => {
        if (replyId === undefined) {
          replyId = (await store.messages.append(conversationId, { role: 'assistant', ...fields })).id;
        } else {
          await store.messages.update(replyId, fields);
        }
      });
      lastSave = performance.now();
    };
    const finish = async (status: MessageStatus, end: Partial<EndFields>): Promise<void> => {
      ended = true;
      await save(status, end);
      if (conversationId === undefined || this.failure !== undefined) return;
      await this.attempt(() =>
        store.requests.record({
          conversationId,
          messageId: replyId ?? null,
          model: end.model ?? turn.model ?? turn.defaultModel ?? 'unknown',
          source: this.opts.source ?? null,
          status,
          finishReason: end.finishReason ?? null,
          errorCode: end.error?.code ?? null,
          cached: end.cached === true,
          usage: end.usage ?? {},
          timings: end.timings ?? ownTimings(started, firstTokenAt),
        }),
      );
    };

    try {
      for await (const e of events) {
        switch (e.type) {
          case 'text-delta':
          case 'reasoning-delta':
            firstTokenAt ??= performance.now();
            if (e.type === 'text-delta') text += e.text;
            else reasoning += e.text;
            if (replyId === undefined || performance.now() - lastSave >= this.checkpointMs)
              await save('partial');
            break;
          case 'tool-call':
            tools.push({ type: 'tool-call', id: e.id, name: e.name, args: e.args });
            break;
          case 'tool-result':
            tools.push({
              type: 'tool-result',
              id: e.id,
              name: e.name,
              result: e.result,
              isError: e.isError === true,
            });
            break;
          case 'done':
            await finish('complete', {
              cached: e.cached === true,
              model: e.model,
              finishReason: e.finishReason,
              usage: e.usage,
              timings: e.timings,
            });
            break;
          case 'interrupted':
            if (!text) text = e.partialText;
            await finish('partial', {
              model: e.model,
              finishReason: 'interrupted',
              usage: e.usage,
              timings: e.timings,
            });
            break;
          case 'error':
            await finish('error', { finishReason: 'error', error: e.error });
            break;
          default:
            break;
        }
        if (this.failure !== undefined && !announced) {
          // The store failed mid-turn: say so once, and keep streaming.
          announced = true;
          yield notice();
        }
        yield e;
      }
    } finally {
      // The consumer stopped early (or the stream ended without a terminal event).
      if (!ended && replyId !== undefined) await save('partial', { finishReason: 'interrupted' });
    }
  }

  /** Create the conversation on the first turn, and commit the user's message. */
  private async begin(
    store: ConversationStore,
    userParts: readonly MessagePart[],
    turn: TurnInfo,
  ): Promise<string> {
    const stored = toStoredParts(userParts);
    if (this.id === undefined) {
      const c = await store.conversations.create({
        title: titleOf(toStoredParts(turn.history?.find((m) => m.role === 'user')?.content ?? userParts)),
        model: turn.model ?? null,
        system: turn.system ?? null,
        metadata: {
          ...(this.opts.source ? { source: this.opts.source } : {}),
          ...(this.opts.assistant ? { assistant: this.opts.assistant } : {}),
        },
      });
      this.id = c.id;
      if (this.opts.assistant) await store.assistants.bindThread(this.opts.assistant, c.id);
      for (const m of turn.history ?? []) {
        await store.messages.append(c.id, { role: m.role, parts: toStoredParts(m.content) });
      }
    } else if (turn.model !== undefined) {
      const c = await store.conversations.get(this.id);
      if (c && c.model !== turn.model) await store.conversations.update(this.id, { model: turn.model });
    }
    await store.messages.append(this.id, { role: 'user', parts: stored });
    return this.id;
  }

  private async attempt<T>(fn: () => T | Promise<T>): Promise<T | undefined> {
    if (this.failure !== undefined) return undefined;
    try {
      return await fn();
    } catch (e) {
      this.failure = e;
      return undefined;
    }
  }
}

interface EndFields {
  model: string;
  finishReason: FinishReason | 'interrupted' | 'error';
  usage: Usage;
  timings: Timings;
  error: ErrorInfo;
  /** The response cache answered. */
  cached: boolean;
}

function ownTimings(started: number, firstTokenAt: number | undefined): Timings {
  const round = (n: number): number => Math.round(n * 10) / 10;
  return {
    ttftMs: firstTokenAt === undefined ? null : round(firstTokenAt - started),
    totalMs: round(performance.now() - started),
    tokensPerSecond: null,
  };
}
