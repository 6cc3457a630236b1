/**
 * The records parley keeps: conversations and their messages, sessions, memory facts,
 * response-cache entries and per-request timings. Every field is plain JSON (times are
 * milliseconds since the epoch), so any backing store can hold them and a front end can send
 * them as they are.
 */
import type { AttachmentInfo } from '../documents/attach.js';
import type { ErrorInfo, Timings, Usage } from '../events.js';

/** Who wrote a message. */
export type MessageRole = 'user' | 'assistant' | 'system';

/**
 * How a message ended: `complete`, `partial` (interrupted, or still being written when the
 * process died) or `error` (the model failed; the part that arrived is kept).
 */
export type MessageStatus = 'complete' | 'partial' | 'error';

/** A message part as stored: like `MessagePart`, with image bytes in base64. */
export type StoredPart =
  | {
      type: 'text';
      text: string;
      /** An attached file's text, and what was given of it. */ attachment?: AttachmentInfo;
    }
  | { type: 'image'; mediaType: string; /** base64 */ data: string }
  | { type: 'reasoning'; text: string }
  | { type: 'tool-call'; id: string; name: string; args: unknown }
  | { type: 'tool-result'; id: string; name: string; result: unknown; isError?: boolean };

/** A conversation: its messages are read with `store.messages.list(id)`. */
export interface ConversationRecord {
  id: string;
  /** A short title (the start of the first prompt, unless set). */
  title: string | null;
  /** The model name asked for (an alias, `provider:model` or a path); null for the default. */
  model: string | null;
  system: string | null;
  /** Free-form JSON, e.g. `{ source: 'cli' }`. */
  metadata: Record<string, unknown>;
  createdAt: number;
  updatedAt: number;
}

/** A conversation as listed: with its message count. */
export interface ConversationSummary extends ConversationRecord {
  messageCount: number;
}

/** One message of a conversation. */
export interface MessageRecord {
  id: string;
  conversationId: string;
  /** Position in the conversation, from 0. */
  seq: number;
  role: MessageRole;
  parts: StoredPart[];
  /** `provider:model` that wrote an assistant message. */
  model: string | null;
  status: MessageStatus;
  finishReason: string | null;
  error: ErrorInfo | null;
  usage: Usage | null;
  timings: Timings | null;
  createdAt: number;
  updatedAt: number;
}

/** What `conversations.create` needs; the rest is filled in. */
export interface NewConversation {
  id?: string;
  title?: string | null;
  model?: string | null;
  system?: string | null;
  metadata?: Record<string, unknown>;
}

/** Fields of a conversation that can change. */
export type ConversationPatch = Partial<Pick<ConversationRecord, 'title' | 'model' | 'system' | 'metadata'>>;

/** What `messages.append` needs; `status` defaults to `complete`. */
export interface NewMessage {
  role: MessageRole;
  parts: StoredPart[];
  model?: string | null;
  status?: MessageStatus;
  finishReason?: string | null;
  error?: ErrorInfo | null;
  usage?: Usage | null;
  timings?: Timings | null;
}

/** Fields of a message that can change while its reply streams in and when it ends. */
export type MessagePatch = Partial<
  Pick<MessageRecord, 'parts' | 'model' | 'status' | 'finishReason' | 'error' | 'usage' | 'timings'>
>;

/** A message found by `store.search`. */
export interface SearchHit {
  conversationId: string;
  messageId: string;
  seq: number;
  role: MessageRole;
  /** The conversation's title. */
  title: string | null;
  /** The matching text around the hit, with matches wrapped in the highlight marks. */
  snippet: string;
  createdAt: number;
}

/** Options of `store.search`. */
export interface SearchOptions {
  /**
   * `words` (default): every word must appear; no character is special, so any text is a
   * valid query. `advanced`: the engine's own query syntax (FTS5 in SQLite: `"phrase"`,
   * `OR`, `NOT`, `prefix*`); a syntax error is a `UsageError`.
   */
  syntax?: 'words' | 'advanced';
  /** Most hits returned (default 20). */
  limit?: number;
  /** Only search this conversation. */
  conversationId?: string;
  /** Marks around each match in the snippet (default `[` and `]`). */
  highlight?: { open: string; close: string };
}

/** A session: a front end's state that survives mode switches and restarts. */
export interface SessionRecord {
  id: string;
  /** The active mode, e.g. `text`, `voice`, `monitor`. */
  mode: string;
  /** Free-form JSON settings of the session. */
  settings: Record<string, unknown>;
  /** The conversation the session is in, if any. */
  conversationId: string | null;
  createdAt: number;
  updatedAt: number;
}

/** A remembered fact: a JSON value under a key, in a scope (`global` or a session id). */
export interface MemoryFact {
  scope: string;
  key: string;
  value: unknown;
  createdAt: number;
  updatedAt: number;
}

/** One response-cache entry, as the response cache persists it. */
export interface CacheEntry {
  /** The cache key (a hash of the request). */
  key: string;
  /** `provider:model` the entry belongs to (for per-model stats and invalidation). */
  model: string;
  value: unknown;
  /** Size of the value in bytes, as the cache counts it. */
  bytes: number;
  createdAt: number;
  /** When the entry stops being served; null for never. */
  expiresAt: number | null;
}

/** Per-model totals of the persisted cache entries. */
export interface CacheSummary {
  model: string;
  entries: number;
  bytes: number;
}

/** Hit and miss counts of the response cache for one model. */
export interface CacheCounts {
  model: string;
  hits: number;
  misses: number;
}

/** One request to a model, for stats: who answered, how it ended, how fast. */
export interface RequestRecord {
  id: string;
  conversationId: string | null;
  messageId: string | null;
  model: string;
  /** Which front end sent it: `cli`, `tui`, `server`, `api`, `library`. */
  source: string | null;
  status: MessageStatus;
  finishReason: string | null;
  errorCode: string | null;
  cached: boolean;
  usage: Usage;
  timings: Timings;
  createdAt: number;
}

/** What `requests.record` needs. */
export type NewRequest = Omit<RequestRecord, 'id' | 'createdAt' | 'cached' | 'conversationId' | 'messageId'> &
  Partial<Pick<RequestRecord, 'cached' | 'conversationId' | 'messageId'>>;

/** Per-model request stats. Averages are null when no request had the figure. */
export interface RequestStats {
  model: string;
  requests: number;
  errors: number;
  partial: number;
  cached: number;
  inputTokens: number;
  outputTokens: number;
  avgTtftMs: number | null;
  avgTokensPerSecond: number | null;
}

// ---- assistants (docs/assistants.md) ----

/** A saved assistant: instructions (its system prompt), a model and tools, under a name. */
export interface AssistantRecord {
  /** 1–64 lowercase letters, digits, `-` and `_`, starting with a letter or digit. */
  name: string;
  instructions: string;
  /** The model it answers with (an alias, `provider:model`, a path); null for the default. */
  model: string | null;
  /** The tools it may call (names as `--tools` takes them). */
  tools: string[];
  createdAt: number;
  updatedAt: number;
}

/** What `assistants.create` takes. */
export type NewAssistant = Pick<AssistantRecord, 'name' | 'instructions'> &
  Partial<Pick<AssistantRecord, 'model' | 'tools'>>;

/** What `assistants.update` changes. */
export type AssistantPatch = Partial<Pick<AssistantRecord, 'instructions' | 'model' | 'tools'>>;
