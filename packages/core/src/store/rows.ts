/**
 * Rows as both stores read them (snake_case columns, JSON as text) and the records they map
 * to: one mapping for SQLite and PostgreSQL.
 */
import type { ConversationRecord, MessageRecord } from './types.js';

/** A JSON column's text; undefined and null both store NULL. */
export function toJson(value: unknown): string | null {
  return value === undefined || value === null ? null : JSON.stringify(value);
}

/** Parse a JSON column (NULL stays null). */
export function fromJson<T>(text: string | null): T | null {
  return text === null ? null : (JSON.parse(text) as T);
}

/** A patch without its `undefined` fields, so they leave stored values alone. */
export function defined<T extends object>(patch: T): Partial<T> {
  return Object.fromEntries(Object.entries(patch).filter(([, v]) => v !== undefined)) as Partial<T>;
}

export interface ConversationRow {
  id: string;
  title: string | null;
  model: string | null;
  system: string | null;
  metadata: string;
  created_at: number;
  updated_at: number;
  message_count?: number;
}

export interface MessageRow {
  id: string;
  conversation_id: string;
  seq: number;
  role: MessageRecord['role'];
  parts: string;
  model: string | null;
  status: MessageRecord['status'];
  finish_reason: string | null;
  error: string | null;
  usage: string | null;
  timings: string | null;
  created_at: number;
  updated_at: number;
}

export function conversationFrom(r: ConversationRow): ConversationRecord {
  return {
    id: r.id,
    title: r.title,
    model: r.model,
    system: r.system,
    metadata: JSON.parse(r.metadata) as Record<string, unknown>,
    createdAt: r.created_at,
    updatedAt: r.updated_at,
  };
}

export function messageFrom(r: MessageRow): MessageRecord {
  return {
    id: r.id,
    conversationId: r.conversation_id,
    seq: r.seq,
    role: r.role,
    parts: JSON.parse(r.parts) as MessageRecord['parts'],
    model: r.model,
    status: r.status,
    finishReason: r.finish_reason,
    error: fromJson(r.error),
    usage: fromJson(r.usage),
    timings: fromJson(r.timings),
    createdAt: r.created_at,
    updatedAt: r.updated_at,
  };
}
