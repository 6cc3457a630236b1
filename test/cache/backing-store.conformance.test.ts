import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach } from 'vitest';
import { storeCacheBacking } from '@parley/core';
import { SqliteConversationStore } from '../../packages/core/src/store/sqlite/sqlite-conversation-store.js';
import { runBackingStoreConformance } from './backing-store.case.js';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0)) await c();
});

runBackingStoreConformance('the conversation store (SQLite)', async () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'parley-backing-'));
  const file = path.join(dir, 'parley.db');
  let store = SqliteConversationStore.open({ path: file });
  cleanups.push(async () => {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });
  return {
    backing: storeCacheBacking(store),
    async reopen() {
      await store.close();
      store = SqliteConversationStore.open({ path: file });
      return storeCacheBacking(store);
    },
  };
});
