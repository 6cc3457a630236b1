/**
 * WebSocket sessions that survive a restart: kept in memory as before, and written to the
 * history store (`sessions` table: mode, settings and the session's conversation). A `hello`
 * with an id that is not in memory is looked up in the store: a stored session, or a stored
 * conversation id (the browser UI opens a listed conversation that way). Its history is
 * rebuilt from the conversation's saved messages.
 *
 * The store never breaks a session: when it fails, the session lives in memory only.
 */
import { ID_PATTERN, loadConversation, type ChatMessage, type ConversationStore } from '@parley/core';
import { MODES, type Mode } from './ws-protocol.js';
import {
  MemorySessionStore,
  newSession,
  type SessionRecord,
  type SessionSettings,
  type SessionStore,
} from './ws-session.js';

/** Sessions in memory, written through to the history store. */
export class StoredSessionStore implements SessionStore {
  private readonly memory: MemorySessionStore;

  /**
   * @param store the history store, or a function that opens it on first use
   * @param historyLimit most messages a resumed session keeps (config `history_limit`)
   */
  constructor(
    private readonly store: () => ConversationStore,
    private readonly historyLimit: number,
    maxSessions?: number,
  ) {
    this.memory = new MemorySessionStore(maxSessions);
  }

  async get(id: string): Promise<SessionRecord | undefined> {
    const live = await this.memory.get(id);
    if (live) return live;
    if (!ID_PATTERN.test(id)) return undefined;
    const s = await this.load(id).catch(() => undefined);
    if (s) await this.memory.save(s);
    return s;
  }

  async create(): Promise<SessionRecord> {
    // Written to the store on its first save (a turn, a setting), not before: a page load
    // that never talks leaves no row.
    const s = newSession();
    await this.memory.save(s);
    return s;
  }

  async save(session: SessionRecord): Promise<void> {
    await this.memory.save(session);
    await this.write(session);
  }

  /** A stored session, or a session on a stored conversation (whose id it takes). */
  private async load(id: string): Promise<SessionRecord | undefined> {
    const store = this.store();
    const stored = await store.sessions.get(id);
    const conversationId = stored ? (stored.conversationId ?? undefined) : id;
    const saved =
      conversationId === undefined
        ? undefined
        : await loadConversation(store, conversationId).catch(() => undefined);
    if (!stored && !saved) return undefined;
    const s = newSession(id);
    if (stored) {
      s.createdAt = stored.createdAt;
      s.mode = (MODES as readonly string[]).includes(stored.mode) ? (stored.mode as Mode) : 'text';
      s.settings = settingsFrom(stored.settings);
    }
    if (saved) {
      s.conversationId = saved.record.id;
      s.messages = trim(saved.history, this.historyLimit);
      if (!stored && saved.record.system) s.settings.system = saved.record.system;
    }
    return s;
  }

  private async write(s: SessionRecord): Promise<void> {
    try {
      await this.store().sessions.put({
        id: s.id,
        mode: s.mode,
        settings: { ...s.settings },
        conversationId: s.conversationId ?? null,
        createdAt: s.createdAt,
        updatedAt: s.updatedAt,
      });
    } catch {
      // Not saved: the session still works, it just will not survive a restart.
    }
  }
}

function trim(messages: ChatMessage[], limit: number): ChatMessage[] {
  return messages.length > limit ? messages.slice(messages.length - limit) : messages;
}

/** The settings of a stored session, keeping only fields of the right type. */
function settingsFrom(raw: Record<string, unknown>): SessionSettings {
  const out: SessionSettings = {};
  if (typeof raw.model === 'string') out.model = raw.model;
  if (typeof raw.system === 'string') out.system = raw.system;
  if (typeof raw.temperature === 'number') out.temperature = raw.temperature;
  if (typeof raw.maxTokens === 'number') out.maxTokens = raw.maxTokens;
  return out;
}
