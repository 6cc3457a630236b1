/** Opening the store the configuration names. */
import path from 'node:path';
import type { ParleyPaths } from '../config/paths.js';
import type { ParleyConfig } from '../config/schema.js';
import type { ConversationStore } from './conversation-store.js';
import { SqliteConversationStore } from './sqlite/sqlite-conversation-store.js';

/** The database file: `store.path`, else `parley.db` in the data directory. */
export function databasePath(config: Pick<ParleyConfig, 'store'>, paths: Pick<ParleyPaths, 'data'>): string {
  return config.store?.path ? path.resolve(config.store.path) : path.join(paths.data, 'parley.db');
}

/** Open (creating and migrating when needed) the store the configuration names. */
export function openStore(
  config: Pick<ParleyConfig, 'store'>,
  paths: Pick<ParleyPaths, 'data'>,
): ConversationStore {
  return SqliteConversationStore.open({ path: databasePath(config, paths) });
}
