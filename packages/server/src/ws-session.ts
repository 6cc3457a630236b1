/**
 * WebSocket sessions: the conversation and settings a `hello {session}` resumes. The store
 * is an interface: `StoredSessionStore` (stored-sessions.ts) writes sessions through to the
 * history store, so they survive a restart.
 */
import { randomUUID } from 'node:crypto';
import type { ChatMessage } from '@parley/core';
import type { HistoryItem, Mode } from './ws-protocol.js';

/** Settings of one session; unset ones come from the server's config. */
export interface SessionSettings {
  model?: string | undefined;
  system?: string | undefined;
  temperature?: number | undefined;
  maxTokens?: number | undefined;
}

/** One session: its id, conversation and settings. */
export interface SessionRecord {
  id: string;
  messages: ChatMessage[];
  settings: SessionSettings;
  mode: Mode;
  /** The stored conversation the session's turns are saved in, once there is one. */
  conversationId?: string | undefined;
  createdAt: number;
  updatedAt: number;
}

/** Where sessions live. Implementations may be asynchronous (a database). */
export interface SessionStore {
  /** The session with this id, or undefined. */
  get(id: string): Promise<SessionRecord | undefined>;
  /** Create and keep a new session with a fresh id. */
  create(): Promise<SessionRecord>;
  /** Keep the session's current state. */
  save(session: SessionRecord): Promise<void>;
  /** The session a `hello` without an id goes on with, if any (config `sessions.restore = "last"`). */
  latest?(): Promise<SessionRecord | undefined>;
}

/** A new, empty session record. */
export function newSession(id: string = randomUUID()): SessionRecord {
  const now = Date.now();
  return { id, messages: [], settings: {}, mode: 'text', createdAt: now, updatedAt: now };
}

/**
 * Sessions in this process's memory, least recently used dropped past `maxSessions`.
 * They do not survive a restart.
 */
export class MemorySessionStore implements SessionStore {
  private readonly sessions = new Map<string, SessionRecord>();

  constructor(private readonly maxSessions = 1000) {}

  get size(): number {
    return this.sessions.size;
  }

  get(id: string): Promise<SessionRecord | undefined> {
    const s = this.sessions.get(id);
    if (s) {
      this.sessions.delete(id);
      this.sessions.set(id, s);
    }
    return Promise.resolve(s);
  }

  create(): Promise<SessionRecord> {
    const s = newSession();
    this.keep(s);
    return Promise.resolve(s);
  }

  save(session: SessionRecord): Promise<void> {
    session.updatedAt = Date.now();
    this.keep(session);
    return Promise.resolve();
  }

  private keep(s: SessionRecord): void {
    this.sessions.delete(s.id);
    this.sessions.set(s.id, s);
    while (this.sessions.size > this.maxSessions) {
      const oldest = this.sessions.keys().next().value;
      if (oldest === undefined) break;
      this.sessions.delete(oldest);
    }
  }
}

/** The history as `ready` sends it: typed text, a count of images and the files attached, per message. */
export function historyItems(messages: readonly ChatMessage[]): HistoryItem[] {
  return messages.map((m) => {
    const item: HistoryItem = {
      role: m.role,
      text: m.content.map((p) => (p.type === 'text' && !p.attachment ? p.text : '')).join(''),
      images: m.content.filter((p) => p.type === 'image').length,
    };
    const files = m.content.flatMap((p) => (p.type === 'text' && p.attachment ? [p.attachment] : []));
    if (files.length > 0) {
      item.attachments = files.map((f) => ({ path: f.path, kind: f.kind, bytes: f.bytes, mode: f.mode }));
    }
    return item;
  });
}
