/**
 * The SQLite schema as a list of versioned migrations. A released migration is never
 * edited: a change to the schema is a new migration at the end of the list.
 */

/** One step of the schema. `up` runs inside the migration's transaction. */
export interface Migration {
  version: number;
  name: string;
  up: string;
}

export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: 'conversations, messages, sessions and memory',
    up: `
      CREATE TABLE conversations (
        id          TEXT PRIMARY KEY,
        title       TEXT,
        model       TEXT,
        system      TEXT,
        metadata    TEXT NOT NULL DEFAULT '{}' CHECK (json_valid(metadata)),
        created_at  INTEGER NOT NULL,
        updated_at  INTEGER NOT NULL
      );
      CREATE INDEX conversations_by_update ON conversations (updated_at DESC, id DESC);

      -- n is the stable rowid that the search index points at.
      CREATE TABLE messages (
        n               INTEGER PRIMARY KEY,
        id              TEXT NOT NULL UNIQUE,
        conversation_id TEXT NOT NULL REFERENCES conversations (id) ON DELETE CASCADE,
        seq             INTEGER NOT NULL,
        role            TEXT NOT NULL CHECK (role IN ('user', 'assistant', 'system')),
        parts           TEXT NOT NULL CHECK (json_valid(parts)),
        text            TEXT NOT NULL DEFAULT '',
        model           TEXT,
        status          TEXT NOT NULL CHECK (status IN ('complete', 'partial', 'error')),
        finish_reason   TEXT,
        error           TEXT CHECK (error IS NULL OR json_valid(error)),
        usage           TEXT CHECK (usage IS NULL OR json_valid(usage)),
        timings         TEXT CHECK (timings IS NULL OR json_valid(timings)),
        created_at      INTEGER NOT NULL,
        updated_at      INTEGER NOT NULL,
        UNIQUE (conversation_id, seq)
      );

      CREATE TABLE sessions (
        id              TEXT PRIMARY KEY,
        mode            TEXT NOT NULL,
        settings        TEXT NOT NULL DEFAULT '{}' CHECK (json_valid(settings)),
        conversation_id TEXT REFERENCES conversations (id) ON DELETE SET NULL,
        created_at      INTEGER NOT NULL,
        updated_at      INTEGER NOT NULL
      );

      CREATE TABLE memory (
        scope       TEXT NOT NULL,
        key         TEXT NOT NULL,
        value       TEXT NOT NULL CHECK (json_valid(value)),
        created_at  INTEGER NOT NULL,
        updated_at  INTEGER NOT NULL,
        PRIMARY KEY (scope, key)
      );
    `,
  },
  {
    version: 2,
    name: 'full-text search over message text',
    up: `
      CREATE VIRTUAL TABLE messages_fts USING fts5 (
        text, content = 'messages', content_rowid = 'n', tokenize = 'unicode61 remove_diacritics 2'
      );
      CREATE TRIGGER messages_fts_insert AFTER INSERT ON messages BEGIN
        INSERT INTO messages_fts (rowid, text) VALUES (new.n, new.text);
      END;
      CREATE TRIGGER messages_fts_delete AFTER DELETE ON messages BEGIN
        INSERT INTO messages_fts (messages_fts, rowid, text) VALUES ('delete', old.n, old.text);
      END;
      CREATE TRIGGER messages_fts_update AFTER UPDATE OF text ON messages BEGIN
        INSERT INTO messages_fts (messages_fts, rowid, text) VALUES ('delete', old.n, old.text);
        INSERT INTO messages_fts (rowid, text) VALUES (new.n, new.text);
      END;
      -- Index what version 1 already holds.
      INSERT INTO messages_fts (messages_fts) VALUES ('rebuild');
    `,
  },
  {
    version: 3,
    name: 'response cache entries and request timings',
    up: `
      CREATE TABLE cache_entries (
        key         TEXT PRIMARY KEY,
        model       TEXT NOT NULL,
        value       TEXT NOT NULL CHECK (json_valid(value)),
        bytes       INTEGER NOT NULL CHECK (bytes >= 0),
        created_at  INTEGER NOT NULL,
        expires_at  INTEGER
      );
      CREATE INDEX cache_entries_by_model ON cache_entries (model);
      CREATE INDEX cache_entries_by_expiry ON cache_entries (expires_at) WHERE expires_at IS NOT NULL;

      CREATE TABLE requests (
        id                TEXT PRIMARY KEY,
        conversation_id   TEXT REFERENCES conversations (id) ON DELETE SET NULL,
        message_id        TEXT,
        model             TEXT NOT NULL,
        source            TEXT,
        status            TEXT NOT NULL CHECK (status IN ('complete', 'partial', 'error')),
        finish_reason     TEXT,
        error_code        TEXT,
        cached            INTEGER NOT NULL DEFAULT 0,
        input_tokens      INTEGER,
        output_tokens     INTEGER,
        total_tokens      INTEGER,
        ttft_ms           REAL,
        total_ms          REAL NOT NULL,
        tokens_per_second REAL,
        created_at        INTEGER NOT NULL
      );
      CREATE INDEX requests_by_time ON requests (created_at DESC);
      CREATE INDEX requests_by_model ON requests (model, created_at);
    `,
  },
  {
    version: 4,
    name: 'last use of cache entries (the byte cap), and cache hit and miss counts',
    up: `
      ALTER TABLE cache_entries ADD COLUMN used_at INTEGER;
      CREATE INDEX cache_entries_by_use ON cache_entries (coalesce(used_at, created_at));

      CREATE TABLE cache_counters (
        model       TEXT PRIMARY KEY,
        hits        INTEGER NOT NULL DEFAULT 0 CHECK (hits >= 0),
        misses      INTEGER NOT NULL DEFAULT 0 CHECK (misses >= 0),
        updated_at  INTEGER NOT NULL
      );
      -- Version 3 kept the counts as memory facts in a scope of their own: move them.
      INSERT INTO cache_counters (model, hits, misses, updated_at)
        SELECT key,
               max(0, coalesce(CAST(json_extract(value, '$.hits') AS INTEGER), 0)),
               max(0, coalesce(CAST(json_extract(value, '$.misses') AS INTEGER), 0)),
               updated_at
        FROM memory WHERE scope = 'parley.cache-counters';
      DELETE FROM memory WHERE scope = 'parley.cache-counters';
    `,
  },
  // ---- assistants (docs/assistants.md) ----
  {
    version: 5,
    name: 'assistants and their threads',
    up: `
      CREATE TABLE assistants (
        name         TEXT PRIMARY KEY,
        instructions TEXT NOT NULL,
        model        TEXT,
        tools        TEXT NOT NULL DEFAULT '[]' CHECK (json_valid(tools)),
        created_at   INTEGER NOT NULL,
        updated_at   INTEGER NOT NULL
      );
      -- A thread: a conversation bound to one assistant. Deleting either removes the binding.
      CREATE TABLE assistant_threads (
        conversation_id TEXT PRIMARY KEY REFERENCES conversations (id) ON DELETE CASCADE,
        assistant       TEXT NOT NULL REFERENCES assistants (name) ON DELETE CASCADE,
        created_at      INTEGER NOT NULL
      );
      CREATE INDEX assistant_threads_by_assistant ON assistant_threads (assistant);
    `,
  },
  // ---- document collections (docs/DOCUMENTS.md) ----
  {
    version: 6,
    name: 'document collections: their files and chunks with embeddings',
    up: `
      CREATE TABLE collections (
        name           TEXT PRIMARY KEY,
        encoder        TEXT NOT NULL,
        chunk_tokens   INTEGER NOT NULL CHECK (chunk_tokens > 0),
        chunk_overlap  INTEGER NOT NULL CHECK (chunk_overlap >= 0),
        roots          TEXT NOT NULL CHECK (json_valid(roots)),
        created_at     INTEGER NOT NULL,
        updated_at     INTEGER NOT NULL
      );
      CREATE TABLE collection_files (
        collection  TEXT NOT NULL REFERENCES collections (name) ON DELETE CASCADE,
        abs_path    TEXT NOT NULL,
        path        TEXT NOT NULL,
        kind        TEXT NOT NULL,
        sha256      TEXT NOT NULL,
        bytes       INTEGER NOT NULL CHECK (bytes >= 0),
        chunks      INTEGER NOT NULL CHECK (chunks >= 0),
        indexed_at  INTEGER NOT NULL,
        PRIMARY KEY (collection, abs_path)
      );
      CREATE TABLE collection_chunks (
        collection  TEXT NOT NULL,
        abs_path    TEXT NOT NULL,
        idx         INTEGER NOT NULL,
        text        TEXT NOT NULL,
        tokens      INTEGER NOT NULL,
        heading     TEXT,
        start_line  INTEGER,
        end_line    INTEGER,
        page        INTEGER,
        embedding   BLOB NOT NULL,
        PRIMARY KEY (collection, abs_path, idx),
        FOREIGN KEY (collection, abs_path) REFERENCES collection_files (collection, abs_path) ON DELETE CASCADE
      );
    `,
  },
];

/** The schema version this parley writes. */
export const SCHEMA_VERSION: number = MIGRATIONS[MIGRATIONS.length - 1]?.version ?? 0;
