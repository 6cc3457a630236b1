/**
 * Rows as both stores read them (snake_case columns, JSON as text) and the records they map
 * to: one mapping for SQLite and PostgreSQL.
 */
import type {
  AssistantRecord,
  CacheEntry,
  ConversationRecord,
  MessageRecord,
  RequestRecord,
} from './types.js';

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

export interface EntryRow {
  key: string;
  model: string;
  value: string;
  bytes: number;
  created_at: number;
  expires_at: number | null;
}

export function entryFrom(r: EntryRow): CacheEntry {
  return {
    key: r.key,
    model: r.model,
    value: JSON.parse(r.value) as unknown,
    bytes: r.bytes,
    createdAt: r.created_at,
    expiresAt: r.expires_at,
  };
}

export interface RequestRow {
  id: string;
  conversation_id: string | null;
  message_id: string | null;
  model: string;
  source: string | null;
  status: RequestRecord['status'];
  finish_reason: string | null;
  error_code: string | null;
  /** 0 or 1 in SQLite, a boolean in PostgreSQL. */
  cached: number | boolean;
  input_tokens: number | null;
  output_tokens: number | null;
  total_tokens: number | null;
  ttft_ms: number | null;
  total_ms: number;
  tokens_per_second: number | null;
  created_at: number;
}

export function requestFrom(r: RequestRow): RequestRecord {
  const usage: RequestRecord['usage'] = {};
  if (r.input_tokens !== null) usage.inputTokens = r.input_tokens;
  if (r.output_tokens !== null) usage.outputTokens = r.output_tokens;
  if (r.total_tokens !== null) usage.totalTokens = r.total_tokens;
  return {
    id: r.id,
    conversationId: r.conversation_id,
    messageId: r.message_id,
    model: r.model,
    source: r.source,
    status: r.status,
    finishReason: r.finish_reason,
    errorCode: r.error_code,
    cached: r.cached === 1 || r.cached === true,
    usage,
    timings: { ttftMs: r.ttft_ms, totalMs: r.total_ms, tokensPerSecond: r.tokens_per_second },
    createdAt: r.created_at,
  };
}

// ---- assistants ----

export interface AssistantRow {
  name: string;
  instructions: string;
  model: string | null;
  tools: string;
  created_at: number;
  updated_at: number;
}

export function assistantFrom(r: AssistantRow): AssistantRecord {
  return {
    name: r.name,
    instructions: r.instructions,
    model: r.model,
    tools: JSON.parse(r.tools) as string[],
    createdAt: r.created_at,
    updatedAt: r.updated_at,
  };
}
