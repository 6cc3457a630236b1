/** The response cache's persistent tier on PostgreSQL passes the same suite as on SQLite. */
import { afterAll, afterEach, beforeAll } from 'vitest';
import { storeCacheBacking } from '@parley/core';
import { PostgresConversationStore } from '../../packages/core/src/store/postgres/postgres-conversation-store.js';
import { POSTGRES_SKIP_REASON, startPostgres, type PgCluster } from '../helpers/postgres.js';
import { runBackingStoreConformance } from './backing-store.case.js';

if (POSTGRES_SKIP_REASON) console.warn(`skipping the PostgreSQL cache tests: ${POSTGRES_SKIP_REASON}`);

let cluster: PgCluster | undefined;
const cleanups: (() => Promise<void>)[] = [];

if (!POSTGRES_SKIP_REASON) {
  beforeAll(async () => {
    cluster = await startPostgres();
  }, 120_000);
  afterAll(async () => cluster?.stop());
  afterEach(async () => {
    for (const c of cleanups.splice(0)) await c();
  });

  runBackingStoreConformance('the conversation store (PostgreSQL)', async () => {
    const url = await cluster!.createDatabase();
    let store = await PostgresConversationStore.open({ url, migrate: true });
    cleanups.push(() => store.close());
    return {
      backing: storeCacheBacking(store),
      async reopen() {
        await store.close();
        store = await PostgresConversationStore.open({ url });
        return storeCacheBacking(store);
      },
    };
  });
}
