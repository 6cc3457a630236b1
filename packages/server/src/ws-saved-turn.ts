/**
 * History for WebSocket turns that are not streamed through a `TurnLog`: a spoken turn (the
 * voice, visual and other pipeline modes) is saved when it ends, as the user's message (its
 * transcript, with any camera frames) and the reply as it stands: `complete`, `partial` when
 * interrupted, `error` with the error kept. Shared by the text turn: a session whose stored
 * conversation was deleted starts a new one.
 */
import { ConversationLog, type ChatEvent, type ChatMessage, type NoticeEvent } from '@parley/core';
import type { WsHub } from './ws-hub.js';
import type { SessionRecord } from './ws-session.js';

/** Forget the session's stored conversation if it was deleted (`DELETE /api/conversations/ID`). */
export async function forgetDeletedConversation(hub: WsHub, session: SessionRecord): Promise<void> {
  if (!hub.options.log || session.conversationId === undefined) return;
  const id = session.conversationId;
  const gone = await Promise.resolve()
    .then(async () => (await hub.parley.store().conversations.get(id)) === undefined)
    .catch(() => false);
  if (gone) session.conversationId = undefined;
}

/** What a finished spoken turn hands over. */
export interface FinishedTurn {
  user: ChatMessage;
  text: string;
  terminal: ChatEvent;
  model?: string | undefined;
}

/**
 * Save a finished turn in the session's conversation (created on its first turn). Never
 * throws: a store that fails is a `notice`, as for text turns. Returns true when the session
 * now points at a new conversation.
 */
export async function saveFinishedTurn(
  hub: WsHub,
  session: SessionRecord,
  turn: FinishedTurn,
  onNotice: (e: NoticeEvent) => void,
): Promise<boolean> {
  if (!hub.options.log) return false;
  await forgetDeletedConversation(hub, session);
  const c = hub.parley.config;
  const log = new ConversationLog(() => hub.parley.store(), {
    conversationId: session.conversationId,
    source: 'server',
  });
  async function* replay(): AsyncGenerator<ChatEvent> {
    if (turn.text) yield { type: 'text-delta', text: turn.text };
    yield turn.terminal;
  }
  try {
    const info = { system: session.settings.system ?? c.system, model: turn.model, defaultModel: c.model };
    for await (const e of log.record(turn.user.content, replay(), info)) if (e.type === 'notice') onNotice(e);
  } catch {
    // record() reports its own failures as notices; nothing else may stop the session.
  }
  const id = log.conversationId;
  if (id === undefined || id === session.conversationId) return false;
  session.conversationId = id;
  return true;
}
