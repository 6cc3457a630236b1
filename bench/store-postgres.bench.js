// The PostgreSQL store against the SQLite store, each on the same work in the same run, and
// against a bare round trip to the same server (`SELECT 1` on the same pool):
// - a response-cache lookup (`cache.get`), 2,000 answers stored, keys shuffled;
// - appending a message to a conversation (one transaction: lock, next seq, insert);
// - a full-text search over 2,000 messages.
// The server is a throwaway cluster on 127.0.0.1 (initdb + pg_ctl, fsync off as in the tests),
// so these are the store's own costs plus loopback, not a network's.
import { execFileSync, spawnSync } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, rmSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { PostgresConversationStore, SqliteConversationStore } from '../packages/core/dist/index.js';
import { progress, round, summary, writeResult } from './lib/stats.js';

const N = Number(process.env.BENCH_RUNS ?? 2000);
const bin = ['/usr/lib/postgresql/17/bin', '/usr/lib/postgresql/16/bin', '/usr/lib/postgresql/15/bin'].find(
  (d) => existsSync(`${d}/initdb`),
);
if (!bin) {
  console.error('store-postgres.bench: PostgreSQL is not installed (apt-get install postgresql)');
  process.exit(1);
}

const dir = mkdtempSync(path.join(os.tmpdir(), 'parley-bench-pg-'));
const user =
  process.getuid?.() === 0
    ? spawnSync('id', ['-u', 'postgres']).status === 0
      ? 'postgres'
      : 'nobody'
    : undefined;
const run = (cmd, args) =>
  execFileSync(user ? 'runuser' : cmd, user ? ['-u', user, '--', cmd, ...args] : args, { stdio: 'pipe' });
if (user) {
  const id = (f) => Number(execFileSync('id', [f, user]).toString());
  chownSync(dir, id('-u'), id('-g'));
}
const port = await new Promise((resolve) => {
  const s = net.createServer().listen(0, '127.0.0.1', () => {
    const p = s.address().port;
    s.close(() => resolve(p));
  });
});
const data = path.join(dir, 'data');
run(`${bin}/initdb`, [
  '-D',
  data,
  '-U',
  'bench',
  '-A',
  'trust',
  '-E',
  'UTF8',
  '--locale=C.UTF-8',
  '--no-sync',
]);
run(`${bin}/pg_ctl`, [
  '-D',
  data,
  '-l',
  path.join(dir, 'log'),
  '-w',
  'start',
  '-o',
  `-p ${port} -h 127.0.0.1 -k ${dir} -F`,
]);
const url = `postgres://bench@127.0.0.1:${port}/postgres`;

const time = async (fn) => {
  const t = performance.now();
  await fn();
  return performance.now() - t;
};
const shuffle = (a) => {
  for (let i = a.length - 1; i > 0; i--) {
    const j = Math.floor(Math.random() * (i + 1));
    [a[i], a[j]] = [a[j], a[i]];
  }
  return a;
};
const answer = (i) => ({
  v: 1,
  events: [
    ...`Answer ${i}: a GGUF file holds the weights and metadata of a model.`
      .split(' ')
      .map((w) => ({ type: 'text-delta', text: `${w} ` })),
    {
      type: 'done',
      model: 'local:bench',
      finishReason: 'stop',
      usage: {},
      timings: { ttftMs: 1, totalMs: 2, tokensPerSecond: 1 },
    },
  ],
});
const words = ['walrus', 'harbour', 'library', 'lantern', 'compass', 'meadow', 'glacier', 'orchard'];

async function measure(store) {
  const out = {};
  for (let i = 0; i < 2000; i++)
    await store.cache.put({ key: `k${i}`, model: 'local:bench', value: answer(i) });
  const keys = shuffle(Array.from({ length: N }, (_, i) => `k${i % 2000}`));
  const lookups = [];
  for (const k of keys) lookups.push(await time(() => store.cache.get(k)));
  out.cacheGet = summary(lookups);
  const c = await store.conversations.create({ title: 'bench' });
  const appends = [];
  for (let i = 0; i < N; i++) {
    const text = `${words[i % 8]} ${words[(i * 3) % 8]} message ${i}`;
    appends.push(
      await time(() => store.messages.append(c.id, { role: 'user', parts: [{ type: 'text', text }] })),
    );
  }
  out.append = summary(appends);
  const searches = [];
  for (let i = 0; i < 200; i++)
    searches.push(await time(() => store.search(`${words[i % 8]} ${words[(i + 1) % 8]}`, { limit: 20 })));
  out.search = summary(searches);
  return out;
}

try {
  progress(`PostgreSQL ${bin.split('/').at(-2)} on 127.0.0.1:${port}, ${N} operations each`);
  const pg = await PostgresConversationStore.open({ url, migrate: true });
  // The floor: one round trip on the same pool.
  const pool = await pg['rawPool']();
  const trips = [];
  for (let i = 0; i < N; i++) trips.push(await time(() => pool.query('SELECT 1')));
  const postgres = await measure(pg);
  await pg.close();
  progress('SQLite, a temp file');
  const sqlite = SqliteConversationStore.open({ path: path.join(dir, 'bench.db') });
  const local = await measure(sqlite);
  await sqlite.close();
  const ratio = (k) => round(postgres[k].p50 / local[k].p50, 2);
  writeResult('store-postgres', {
    runs: N,
    roundTrip: summary(trips),
    postgres,
    sqlite: local,
    ratios: { cacheGet: ratio('cacheGet'), append: ratio('append'), search: ratio('search') },
    cacheGetOverRoundTrip: round(postgres.cacheGet.p50 / summary(trips).p50, 2),
  });
} finally {
  try {
    run(`${bin}/pg_ctl`, ['-D', data, '-m', 'immediate', '-w', 'stop']);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
