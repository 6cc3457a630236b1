/** Opening the store the configuration names. */
import path from 'node:path';
import type { ParleyPaths } from '../config/paths.js';
import type { ParleyConfig } from '../config/schema.js';
import type { ConversationStore } from './conversation-store.js';
import { PostgresConversationStore } from './postgres/postgres-conversation-store.js';
import { SqliteConversationStore } from './sqlite/sqlite-conversation-store.js';

/** The database file: `store.path`, else `parley.db` in the data directory. */
export function databasePath(config: Pick<ParleyConfig, 'store'>, paths: Pick<ParleyPaths, 'data'>): string {
  return config.store?.path ? path.resolve(config.store.path) : path.join(paths.data, 'parley.db');
}

/**
 * Open the store the configuration names: PostgreSQL when `store.url` is set (it connects on
 * first use, and loads the `pg` driver only then; `ready()` connects and checks the schema
 * now), else the SQLite file, created and migrated when needed.
 */
export function openStore(
  config: Pick<ParleyConfig, 'store'>,
  paths: Pick<ParleyPaths, 'data'>,
): ConversationStore {
  if (config.store?.url) return new PostgresConversationStore({ url: config.store.url });
  return SqliteConversationStore.open({
    path: databasePath(config, paths),
    cacheKib: (config.store?.cache_mb ?? 2) * 1024,
  });
}
