/**
 * SIGKILL at random moments of streamed turns, again and again: before the database is
 * opened, while the user's message is committed, mid-stream while the reply is saved every
 * 250 ms, and after the answer. After every kill the database passes `integrity_check`
 * (SQLite's and the search index's own), every committed message is intact, and no reply is
 * half-written without its `partial` mark: a `complete` reply is the whole answer, anything
 * else is a prefix of it.
 *
 * 5 kills in CI; `npm run harden` runs 100. The kill times come from a seeded generator
 * (the seed is printed), so a failure can be replayed with PARLEY_HARDEN_SEED.
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SqliteConversationStore } from '../../packages/core/src/store/sqlite/sqlite-conversation-store.js';
import { cleanEnv, PARLEY_BIN, runParley, tempHome } from '../helpers/cli.js';
import { hardenScale, seededRandom } from './scale.js';

const KILLS = hardenScale(5, 100);
const TOKENS = '60000';

let home: string;
let cleanup: () => void;
beforeAll(() => ({ home, cleanup } = tempHome()));
afterAll(() => cleanup());

const env = (): Record<string, string> => ({ PARLEY_HOME: home, PARLEY_CACHE: '0' });
const textOf = (parts: { type: string; text?: string }[]): string => parts.map((p) => p.text ?? '').join('');

describe('SIGKILL at random points of streamed turns', () => {
  it(`survives ${KILLS} kills with the database sound and nothing half-written`, async () => {
    const { random, seed } = seededRandom();
    const reference = await runParley(['-m', 'canned:lorem', '--max-tokens', TOKENS, '--no-log', 'x'], {
      env: env(),
    });
    expect(reference.code).toBe(0);
    const full = reference.stdout.replace(/\n$/, '');
    expect(full.length).toBeGreaterThan(100_000);

    // How long a whole turn takes here: kill times are spread over it and a bit beyond.
    const t0 = performance.now();
    await runParley(['-m', 'canned:lorem', '--max-tokens', TOKENS, '--no-log', 'x'], { env: env() });
    const span = (performance.now() - t0) * 1.2;

    const outcomes = { beforeAnything: 0, userOnly: 0, partial: 0, complete: 0, exitedFirst: 0 };
    const dbFile = path.join(home, 'data', 'parley.db');
    for (let i = 0; i < KILLS; i++) {
      const prompt = `turn ${i}`;
      const child = spawn(
        process.execPath,
        [PARLEY_BIN, '-m', 'canned:lorem', '--max-tokens', TOKENS, prompt],
        {
          env: cleanEnv(env()),
          stdio: ['ignore', 'ignore', 'pipe'],
        },
      );
      const closed = new Promise<NodeJS.Signals | null>((resolve) =>
        child.on('close', (_c, s) => resolve(s)),
      );
      const at = random() * span;
      const timer = setTimeout(() => child.kill('SIGKILL'), at);
      const signal = await closed;
      clearTimeout(timer);
      if (signal !== 'SIGKILL') outcomes.exitedFirst++;

      if (!existsSync(dbFile)) {
        outcomes.beforeAnything++;
        continue;
      }
      const raw = new Database(dbFile);
      const check = raw.pragma('integrity_check', { simple: true });
      raw.close();
      expect(check, `after kill ${i} at ${at.toFixed(0)} ms (seed ${seed})`).toBe('ok');

      const store = SqliteConversationStore.open({ path: dbFile });
      try {
        expect(store.integrityCheck()).toEqual(['ok']);
        const conversation = (await store.conversations.list()).find((c) => c.title === prompt);
        const msgs = conversation ? await store.messages.list(conversation.id) : [];
        if (msgs.length === 0) outcomes.beforeAnything++;
        const [user, reply, ...rest] = msgs;
        expect(rest).toEqual([]);
        if (user) expect([user.role, user.status, textOf(user.parts)]).toEqual(['user', 'complete', prompt]);
        if (user && !reply) outcomes.userOnly++;
        if (reply) {
          const text = textOf(reply.parts);
          if (reply.status === 'complete') {
            outcomes.complete++;
            expect(text).toBe(full);
          } else {
            outcomes.partial++;
            expect(reply.status, `kill ${i} (seed ${seed})`).toBe('partial');
            expect(full.startsWith(text), `kill ${i}: the partial reply is a prefix of the answer`).toBe(
              true,
            );
          }
        }
      } finally {
        await store.close();
      }
    }
    console.log(`crash loop: ${KILLS} kills (seed ${seed}): ${JSON.stringify(outcomes)}`);
    // The spread must actually have hit the interesting window at least once in a full run.
    if (KILLS >= 50) expect(outcomes.partial).toBeGreaterThan(0);
  }, 900_000);
});
