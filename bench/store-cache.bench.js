// SQLite's page cache: parley's 2 MiB (SQLite's own default) against better-sqlite3's built-in
// 16 MiB, on the same database in the same run. The database holds a history of 20,000
// messages in 20 conversations (about a year of daily use); each round opens it afresh with
// one cache size or the other (alternating, so drift hits both), then times
// - a full-text search (`store.search`, 20 hits),
// - reading a whole conversation (`store.messages.list`, 1,000 messages),
// - appending a message (one transaction).
// The ratio is 2 MiB over 16 MiB: above 1 means the smaller cache is slower.
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { SqliteConversationStore } from '../packages/core/dist/index.js';
import { progress, round, summary, writeResult } from './lib/stats.js';

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 6);
const CONVERSATIONS = 20;
const PER = 1000;
const words = ['walrus', 'harbour', 'library', 'lantern', 'compass', 'meadow', 'glacier', 'orchard'];
const dir = mkdtempSync(path.join(os.tmpdir(), 'parley-bench-cache-'));
const file = path.join(dir, 'history.db');

const time = async (fn) => {
  const t = performance.now();
  await fn();
  return performance.now() - t;
};

try {
  progress(`building a history of ${CONVERSATIONS * PER} messages`);
  const build = SqliteConversationStore.open({ path: file });
  const ids = [];
  for (let c = 0; c < CONVERSATIONS; c++) {
    const conv = await build.conversations.create({ title: `bench ${c}` });
    ids.push(conv.id);
    for (let i = 0; i < PER; i++) {
      const text = `${words[(c + i) % 8]} ${words[(i * 3) % 8]} message ${i} of ${c}: ${'a longer reply about the harbour lantern. '.repeat(1 + (i % 6))}`;
      await build.messages.append(conv.id, {
        role: i % 2 ? 'assistant' : 'user',
        parts: [{ type: 'text', text }],
      });
    }
  }
  await build.close();

  // small: parley's default (store.cache_mb = 2); large: better-sqlite3's built-in 16,000 KiB.
  const kinds = { small: undefined, large: 16000 };
  const samples = {
    small: { search: [], list: [], append: [] },
    large: { search: [], list: [], append: [] },
  };
  for (let r = 0; r < ROUNDS; r++) {
    for (const kind of r % 2 ? ['large', 'small'] : ['small', 'large']) {
      const store = SqliteConversationStore.open({ path: file });
      if (kinds[kind]) store.db.pragma(`cache_size = -${kinds[kind]}`);
      const s = samples[kind];
      for (let i = 0; i < 100; i++)
        s.search.push(await time(() => store.search(`${words[i % 8]} ${words[(i + 3) % 8]}`, { limit: 20 })));
      for (let i = 0; i < 20; i++)
        s.list.push(await time(() => store.messages.list(ids[(i * 7 + r) % ids.length])));
      for (let i = 0; i < 50; i++)
        s.append.push(
          await time(() =>
            store.messages.append(ids[i % ids.length], {
              role: 'user',
              parts: [{ type: 'text', text: `more ${i}` }],
            }),
          ),
        );
      await store.close();
    }
    progress(`round ${r + 1}/${ROUNDS}`);
  }
  const out = {};
  for (const kind of Object.keys(kinds))
    out[kind] = Object.fromEntries(Object.entries(samples[kind]).map(([k, v]) => [k, summary(v)]));
  const ratio = (k) => round(out.small[k].p50 / out.large[k].p50, 2);
  writeResult('store-cache', {
    rounds: ROUNDS,
    messages: CONVERSATIONS * PER,
    cache2MiB: out.small,
    cache16MiB: out.large,
    ratios: { search: ratio('search'), list: ratio('list'), append: ratio('append') },
  });
} finally {
  rmSync(dir, { recursive: true, force: true });
}
