/**
 * The `ConversationStore` contract. SQLite implements it (`SqliteConversationStore`); a
 * PostgreSQL implementation can follow, and every implementation must pass the one shared
 * conformance suite (`test/store/store.conformance.case.ts`).
 *
 * Rules for implementations:
 * - Every method is async and every write is committed (durable against a crash of the
 *   process) when its promise resolves.
 * - Unknown ids are `undefined` from getters and `false` from deletes; methods that need an
 *   existing record throw `NotFoundError`. An id that exists already throws `ConflictError`.
 * - Lists are newest first unless said otherwise; messages are in conversation order.
 */
import type { CollectionRepository } from './collections.js';
import type {
  AssistantPatch,
  AssistantRecord,
  NewAssistant,
  CacheEntry,
  CacheCounts,
  CacheSummary,
  ConversationPatch,
  ConversationRecord,
  ConversationSummary,
  MemoryFact,
  MessagePatch,
  MessageRecord,
  NewConversation,
  NewMessage,
  NewRequest,
  RequestRecord,
  RequestStats,
  SearchHit,
  SearchOptions,
  SessionRecord,
} from './types.js';

/** Conversations. */
export interface ConversationRepository {
  create(c?: NewConversation): Promise<ConversationRecord>;
  get(id: string): Promise<ConversationRecord | undefined>;
  /** Most recently updated first. */
  list(opts?: { limit?: number; offset?: number }): Promise<ConversationSummary[]>;
  /** The most recently updated conversation (the one `parley -c` continues). */
  latest(): Promise<ConversationRecord | undefined>;
  /** Throws `NotFoundError`. Bumps `updatedAt`. */
  update(id: string, patch: ConversationPatch): Promise<ConversationRecord>;
  /** Deletes the conversation and its messages; false when there was none. */
  delete(id: string): Promise<boolean>;
  /**
   * Insert a whole conversation with its messages exactly as given (ids, times, statuses),
   * in one transaction: all of it or nothing. Throws `ConflictError` when the conversation
   * or a message id exists. Used by import and session restore.
   */
  insert(conversation: ConversationRecord, messages: MessageRecord[]): Promise<void>;
}

/** Messages of conversations. */
export interface MessageRepository {
  /** Append at the end of a conversation (throws `NotFoundError` for an unknown one). */
  append(conversationId: string, m: NewMessage): Promise<MessageRecord>;
  /** Change a message, e.g. a streaming reply's text and, at the end, its status. */
  update(id: string, patch: MessagePatch): Promise<MessageRecord>;
  get(id: string): Promise<MessageRecord | undefined>;
  /** A conversation's messages in order (empty for an unknown conversation). */
  list(conversationId: string): Promise<MessageRecord[]>;
}

/** Sessions (mode and settings of a front end's session). */
export interface SessionRepository {
  create(s: {
    id?: string;
    mode: string;
    settings?: Record<string, unknown>;
    conversationId?: string | null;
  }): Promise<SessionRecord>;
  get(id: string): Promise<SessionRecord | undefined>;
  /** Insert or replace a whole record as given (session restore). */
  put(s: SessionRecord): Promise<void>;
  /** Throws `NotFoundError`. */
  update(
    id: string,
    patch: Partial<Pick<SessionRecord, 'mode' | 'settings' | 'conversationId'>>,
  ): Promise<SessionRecord>;
  /** Deletes the session and the memory facts scoped to it. */
  delete(id: string): Promise<boolean>;
  /** Most recently updated first. */
  list(opts?: { limit?: number }): Promise<SessionRecord[]>;
}

/** Memory: key–value facts in scopes (`global` by default, or a session id). */
export interface MemoryRepository {
  get(key: string, scope?: string): Promise<MemoryFact | undefined>;
  /** Insert or replace; times default to now (give them to restore a fact exactly). */
  set(fact: {
    key: string;
    value: unknown;
    scope?: string;
    createdAt?: number;
    updatedAt?: number;
  }): Promise<MemoryFact>;
  delete(key: string, scope?: string): Promise<boolean>;
  /** Facts of one scope, by key. */
  list(scope?: string): Promise<MemoryFact[]>;
}

/** Persisted response-cache entries (the response cache keeps its LRU in front of this). */
export interface CacheEntryRepository {
  /** The entry, or undefined when there is none or it expired before `now`; a hit counts as a use. */
  get(key: string, now?: number): Promise<CacheEntry | undefined>;
  /** Insert or replace. `bytes` defaults to the UTF-8 size of the JSON value. */
  put(
    entry: Pick<CacheEntry, 'key' | 'model' | 'value'> &
      Partial<Pick<CacheEntry, 'bytes' | 'createdAt' | 'expiresAt'>>,
  ): Promise<CacheEntry>;
  delete(key: string): Promise<boolean>;
  /** Remove every entry of a model; resolves to how many went. */
  deleteByModel(model: string): Promise<number>;
  /** Remove every entry; resolves to how many went. */
  clear(): Promise<number>;
  /** Entries newest first (expired ones left out unless asked for). */
  list(opts?: {
    model?: string;
    limit?: number;
    includeExpired?: boolean;
    now?: number;
  }): Promise<CacheEntry[]>;
  /** Remove entries that expired before `now`; resolves to how many went. */
  purgeExpired(now?: number): Promise<number>;
  /** Entries and bytes per model. */
  summary(): Promise<CacheSummary[]>;
  /**
   * Keep the entries within `maxBytes`: when they hold more, the least recently used go (a
   * put or a hit is a use) until they hold at most `maxBytes`. Resolves to what went.
   */
  trim(maxBytes: number): Promise<{ entries: number; bytes: number }>;
  /** Hit and miss counts per model (`parley cache stats`), by model. */
  counters(): Promise<CacheCounts[]>;
  /** Add these counts to the stored ones, in one transaction. */
  addCounters(delta: readonly CacheCounts[]): Promise<void>;
  /** Forget the counts of one model, or of all. */
  resetCounters(model?: string): Promise<void>;
}

/** Per-request timings, for stats. */
export interface RequestLogRepository {
  record(r: NewRequest): Promise<RequestRecord>;
  /** Newest first. */
  list(opts?: { model?: string; since?: number; limit?: number }): Promise<RequestRecord[]>;
  /** Totals and averages per model, optionally since a time. */
  stats(opts?: { since?: number }): Promise<RequestStats[]>;
}

/**
 * Assistants, and their threads: a thread is a conversation bound to one assistant (a
 * conversation belongs to at most one). Deleting an assistant unbinds its threads; the
 * conversations stay in the history.
 */
export interface AssistantRepository {
  /** Throws `ConflictError` when the name is taken. */
  create(a: NewAssistant): Promise<AssistantRecord>;
  get(name: string): Promise<AssistantRecord | undefined>;
  /** By name. */
  list(): Promise<AssistantRecord[]>;
  /** Throws `NotFoundError`. Bumps `updatedAt`. */
  update(name: string, patch: AssistantPatch): Promise<AssistantRecord>;
  delete(name: string): Promise<boolean>;
  /** Bind a conversation to an assistant (again: no change). Throws `NotFoundError` for either. */
  bindThread(name: string, conversationId: string): Promise<void>;
  /** The assistant a conversation is a thread of. */
  threadOf(conversationId: string): Promise<string | undefined>;
  /** An assistant's threads, most recently updated first. */
  threads(name: string, opts?: { limit?: number }): Promise<ConversationSummary[]>;
}

/** Everything parley persists. */
export interface ConversationStore {
  /** What backs it, e.g. `sqlite`. */
  readonly kind: string;
  readonly conversations: ConversationRepository;
  readonly messages: MessageRepository;
  readonly sessions: SessionRepository;
  readonly memory: MemoryRepository;
  readonly cache: CacheEntryRepository;
  readonly requests: RequestLogRepository;
  readonly assistants: AssistantRepository;
  /** Document collections (PostgreSQL: every call rejects with `UnsupportedError`). */
  readonly collections: CollectionRepository;
  /** Full-text search over message text, best matches first. */
  search(query: string, opts?: SearchOptions): Promise<SearchHit[]>;
  /**
   * Resolves once the store is usable; rejects with a `StoreError` saying why not (the
   * server cannot be reached, the schema is older or newer). Stores that open synchronously
   * (SQLite) need not have it.
   */
  ready?(): Promise<void>;
  /** Release the connection; later calls fail. Closing twice is harmless. */
  close(): Promise<void>;
}
