/**
 * The PostgreSQL schema as a list of versioned migrations, the same meaning as the SQLite
 * ones (`../sqlite/schema.ts`) in PostgreSQL's own terms: times are `bigint` milliseconds,
 * JSON is kept as the exact text parley wrote, and search is a stored `tsvector` column with
 * a GIN index. A released migration is never edited: a change is a new one at the end.
 */
import type { Migration } from '../sqlite/schema.js';

export type { Migration };

export const PG_MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: 'conversations, messages, sessions and memory, searchable',
    up: `
      CREATE TABLE conversations (
        id          text PRIMARY KEY,
        title       text,
        model       text,
        system      text,
        metadata    text NOT NULL DEFAULT '{}',
        created_at  bigint NOT NULL,
        updated_at  bigint NOT NULL
      );
      CREATE INDEX conversations_by_update ON conversations (updated_at DESC, id DESC);

      -- Search ignores case and accents and does not stem, like the SQLite store's FTS5 index.
      CREATE EXTENSION IF NOT EXISTS unaccent;
      CREATE TEXT SEARCH CONFIGURATION parley_search (COPY = pg_catalog.simple);
      ALTER TEXT SEARCH CONFIGURATION parley_search
        ALTER MAPPING FOR asciiword, asciihword, hword_asciipart, word, hword, hword_part
        WITH unaccent, simple;

      CREATE TABLE messages (
        id              text PRIMARY KEY,
        conversation_id text NOT NULL REFERENCES conversations (id) ON DELETE CASCADE,
        seq             integer NOT NULL,
        role            text NOT NULL CHECK (role IN ('user', 'assistant', 'system')),
        parts           text NOT NULL,
        text            text NOT NULL DEFAULT '',
        model           text,
        status          text NOT NULL CHECK (status IN ('complete', 'partial', 'error')),
        finish_reason   text,
        error           text,
        usage           text,
        timings         text,
        created_at      bigint NOT NULL,
        updated_at      bigint NOT NULL,
        search          tsvector GENERATED ALWAYS AS (to_tsvector('parley_search', text)) STORED,
        UNIQUE (conversation_id, seq)
      );
      CREATE INDEX messages_search ON messages USING gin (search);

      CREATE TABLE sessions (
        id              text PRIMARY KEY,
        mode            text NOT NULL,
        settings        text NOT NULL DEFAULT '{}',
        conversation_id text REFERENCES conversations (id) ON DELETE SET NULL,
        created_at      bigint NOT NULL,
        updated_at      bigint NOT NULL
      );

      CREATE TABLE memory (
        scope       text NOT NULL,
        key         text NOT NULL,
        value       text NOT NULL,
        created_at  bigint NOT NULL,
        updated_at  bigint NOT NULL,
        PRIMARY KEY (scope, key)
      );
    `,
  },
  {
    version: 2,
    name: 'response cache entries with their last use, cache counts, and request timings',
    up: `
      CREATE TABLE cache_entries (
        key         text PRIMARY KEY,
        model       text NOT NULL,
        value       text NOT NULL,
        bytes       bigint NOT NULL CHECK (bytes >= 0),
        created_at  bigint NOT NULL,
        expires_at  bigint,
        used_at     bigint
      );
      CREATE INDEX cache_entries_by_model ON cache_entries (model);
      CREATE INDEX cache_entries_by_expiry ON cache_entries (expires_at) WHERE expires_at IS NOT NULL;
      CREATE INDEX cache_entries_by_use ON cache_entries (coalesce(used_at, created_at), key);

      CREATE TABLE cache_counters (
        model       text PRIMARY KEY,
        hits        bigint NOT NULL DEFAULT 0 CHECK (hits >= 0),
        misses      bigint NOT NULL DEFAULT 0 CHECK (misses >= 0),
        updated_at  bigint NOT NULL
      );

      CREATE TABLE requests (
        id                text PRIMARY KEY,
        conversation_id   text REFERENCES conversations (id) ON DELETE SET NULL,
        message_id        text,
        model             text NOT NULL,
        source            text,
        status            text NOT NULL CHECK (status IN ('complete', 'partial', 'error')),
        finish_reason     text,
        error_code        text,
        cached            boolean NOT NULL DEFAULT false,
        input_tokens      bigint,
        output_tokens     bigint,
        total_tokens      bigint,
        ttft_ms           double precision,
        total_ms          double precision NOT NULL,
        tokens_per_second double precision,
        created_at        bigint NOT NULL
      );
      CREATE INDEX requests_by_time ON requests (created_at DESC);
      CREATE INDEX requests_by_model ON requests (model, created_at);
    `,
  },
  // ---- assistants (docs/assistants.md) ----
  {
    version: 3,
    name: 'assistants and their threads',
    up: `
      CREATE TABLE assistants (
        name         text PRIMARY KEY,
        instructions text NOT NULL,
        model        text,
        tools        text NOT NULL DEFAULT '[]',
        created_at   bigint NOT NULL,
        updated_at   bigint NOT NULL
      );
      -- A thread: a conversation bound to one assistant. Deleting either removes the binding.
      CREATE TABLE assistant_threads (
        conversation_id text PRIMARY KEY REFERENCES conversations (id) ON DELETE CASCADE,
        assistant       text NOT NULL REFERENCES assistants (name) ON DELETE CASCADE,
        created_at      bigint NOT NULL
      );
      CREATE INDEX assistant_threads_by_assistant ON assistant_threads (assistant);
    `,
  },
];

/** The PostgreSQL schema version this parley writes. */
export const PG_SCHEMA_VERSION: number = PG_MIGRATIONS[PG_MIGRATIONS.length - 1]?.version ?? 0;
