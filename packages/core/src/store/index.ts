/** The conversation store: history, sessions, memory, cache entries and request timings. */
export type * from './types.js';
export type * from './conversation-store.js';
export type * from './collections.js';
export { ConflictError, NotFoundError, StoreError, UnsupportedError } from './store-errors.js';
export { newId, ID_PATTERN } from './ids.js';
export {
  toStoredParts,
  toMessageParts,
  partsText,
  toChatHistory,
  typedText,
  partsAttachments,
} from './parts.js';
export { SqliteConversationStore } from './sqlite/sqlite-conversation-store.js';
export type { SqliteStoreOptions } from './sqlite/sqlite-conversation-store.js';
export { SCHEMA_VERSION } from './sqlite/schema.js';
export { PostgresConversationStore } from './postgres/postgres-conversation-store.js';
export type { PostgresStoreOptions } from './postgres/postgres-conversation-store.js';
export { PG_SCHEMA_VERSION } from './postgres/schema.js';
export { databasePath, openStore } from './open-store.js';
export {
  CONVERSATION_EXPORT_FORMAT,
  CONVERSATION_EXPORT_VERSION,
  exportConversation,
  importConversation,
  parseConversationExport,
  toConversationExport,
  fromConversationExport,
} from './conversation-export.js';
export type { ConversationExport } from './conversation-export.js';
export { conversationToMarkdown } from './markdown.js';
export {
  snapshotSession,
  restoreSession,
  parseSessionSnapshot,
  SESSION_SNAPSHOT_FORMAT,
} from './session-snapshot.js';
export type { SessionSnapshot } from './session-snapshot.js';
export { SnapshotFiles } from './snapshot-files.js';
export type { SnapshotFile, RestoreOutcome } from './snapshot-files.js';
export { ConversationLog, loadConversation, titleFrom } from './conversation-log.js';
export type { ConversationLogOptions, SavedConversation, TurnInfo } from './conversation-log.js';
