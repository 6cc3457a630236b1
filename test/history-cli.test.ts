/**
 * History through the real `parley` bin, end to end: the one-shot saves its turn, `-c` and
 * `--conversation` go on with context, `--no-log` saves nothing, and `history` / `import`
 * list, show, search, delete, export and import (a lossless round trip).
 */
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { Writable } from 'node:stream';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { main } from '../packages/cli/src/main.js';
import { importConversation } from '../packages/core/src/store/conversation-export.js';
import { SqliteConversationStore } from '../packages/core/src/store/sqlite/sqlite-conversation-store.js';
import { runParley, tempHome, type RunResult } from './helpers/cli.js';
import { STORIES } from './helpers/models.js';

// Turns with the model run the real bin in a child process; history commands, which load no
// model, run the same `main()` in this process (a child costs a second of imports each).
let home: string;
let cleanup: () => void;
const savedHome = process.env.PARLEY_HOME;
beforeEach(() => {
  ({ home, cleanup } = tempHome());
  process.env.PARLEY_HOME = home;
});
afterEach(() => {
  process.env.PARLEY_HOME = savedHome;
  cleanup();
});

const local = ['-m', STORIES, '--threads', '1', '--temperature', '0', '--max-tokens', '16'];
const env = (h = home): Record<string, string> => ({ PARLEY_HOME: h, PARLEY_GPU: 'false' });
const parley = (args: string[], h = home, stdin?: string): Promise<RunResult> =>
  runParley(args, { env: env(h), ...(stdin !== undefined ? { stdin } : {}) });

/** `parley ARGS` in this process, with PARLEY_HOME set to this test's home. */
async function cli(argv: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const sink = (add: (s: string) => void): Writable =>
    new Writable({
      write(chunk: Buffer | string, _enc, done) {
        add(String(chunk));
        done();
      },
    });
  const code = await main(argv, {
    out: sink((s) => (stdout += s)),
    err: sink((s) => (stderr += s)),
    color: false,
  });
  return { code, stdout, stderr };
}

interface Listed {
  id: string;
  title: string;
  messageCount: number;
}
interface Exported {
  conversation: { id: string; model: string | null };
  messages: { role: string; status: string; parts: { type: string; text?: string }[] }[];
}
const list = async (): Promise<Listed[]> => JSON.parse((await cli(['history', 'list', '--json'])).stdout);
const show = async (id: string): Promise<Exported> =>
  JSON.parse((await cli(['history', 'show', id, '--json'])).stdout);
const texts = (e: Exported): string[] => e.messages.map((m) => m.parts.map((p) => p.text ?? '').join(''));

/** Conversations made through the store, as an earlier parley would have left them. */
async function seed(...prompts: string[]): Promise<string[]> {
  const store = SqliteConversationStore.open({ path: path.join(home, 'data', 'parley.db') });
  const ids: string[] = [];
  for (const p of prompts) {
    const c = await store.conversations.create({ title: p, metadata: { source: 'cli' } });
    await store.messages.append(c.id, { role: 'user', parts: [{ type: 'text', text: p }] });
    await store.messages.append(c.id, {
      role: 'assistant',
      parts: [{ type: 'text', text: `Reply to ${p}.` }],
    });
    ids.push(c.id);
  }
  await store.close();
  return ids;
}

describe('the one-shot saves its turn', () => {
  it('keeps the prompt and the answer; -c goes on with the context and --no-log saves nothing', async () => {
    const first = await parley([...local, 'Once upon a time']);
    expect(first.code).toBe(0);
    const [c] = await list();
    expect(c).toMatchObject({ title: 'Once upon a time', messageCount: 2 });
    const saved = await show(c?.id ?? '');
    expect(saved.conversation.model).toBe(STORIES);
    expect(saved.messages.map((m) => [m.role, m.status])).toEqual([
      ['user', 'complete'],
      ['assistant', 'complete'],
    ]);
    expect(texts(saved)).toEqual(['Once upon a time', first.stdout.replace(/\n$/, '')]);

    // The same prompt without and with the conversation before it: only -c sends history.
    const alone = await parley([...local, '--no-log', '--json', 'The dog']);
    const continued = await parley([...local, '-c', '--json', 'The dog']);
    expect(alone.code).toBe(0);
    expect(continued.code).toBe(0);
    const tokensIn = (r: RunResult): number => JSON.parse(r.stdout).usage.inputTokens;
    expect(tokensIn(continued)).toBeGreaterThan(tokensIn(alone) + 5);
    const after = await list();
    expect(after).toHaveLength(1);
    expect(after[0]?.messageCount).toBe(4);
    expect(texts(await show(c?.id ?? '')).slice(2)).toEqual(['The dog', JSON.parse(continued.stdout).text]);

    // -c --no-log sends the whole saved context (now two turns) but saves nothing.
    const quiet = await parley([...local, '-c', '--no-log', '--json', 'The dog']);
    expect(tokensIn(quiet)).toBeGreaterThan(tokensIn(continued) + 5);
    expect((await list()).map((x) => x.messageCount)).toEqual([4]);
  });

  it('--conversation ID goes on with that one; an unknown id fails before anything is sent', async () => {
    const [first, second] = await seed('First story', 'Second story');
    const r = await parley([...local, '--conversation', first ?? '', 'More']);
    expect(r.code).toBe(0);
    const now = await list();
    expect(now.map((c) => [c.id, c.messageCount])).toEqual([
      [first, 4],
      [second, 2],
    ]);
    expect(texts(await show(first ?? ''))).toEqual([
      'First story',
      'Reply to First story.',
      'More',
      r.stdout.replace(/\n$/, ''),
    ]);
    const bad = "x'; DROP TABLE conversations; --";
    const miss = await parley([...local, '--conversation', bad, 'More']);
    expect(miss.code).toBe(1);
    expect(miss.stderr).toContain(`no conversation with id ${JSON.stringify(bad)}`);
    expect((await list()).map((c) => c.messageCount)).toEqual([4, 2]);
  });

  it('saves an interrupted answer as partial, with the text that was printed', async () => {
    let sent = false;
    const r = await runParley([...local, '--max-tokens', '400', 'Once upon a time'], {
      env: { ...env(), PARLEY_CACHE: '0' },
      onSpawn: (child) =>
        child.stdout?.on('data', () => {
          if (!sent) child.kill('SIGINT');
          sent = true;
        }),
    });
    expect(r.code).toBe(130);
    const [c] = await list();
    const saved = await show(c?.id ?? '');
    expect(saved.messages[1]?.status).toBe('partial');
    expect(texts(saved)[1]).toBe(r.stdout.replace(/\n$/, ''));
  });
});

describe('parley history and import', () => {
  it('lists, searches, shows, exports, deletes and imports conversations', async () => {
    const [cat, dog] = await seed('The cat sat on the mat', 'A dog ran in the park');
    const human = await cli(['history']);
    expect(human.stdout.split('\n')[0]).toMatch(
      new RegExp(`^${dog}  \\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d +2 msgs  A dog ran in the park$`),
    );
    expect((await cli(['history', 'list', '--limit', '1'])).stdout.trim().split('\n')).toHaveLength(1);

    const hits = await cli(['history', 'search', 'cat', 'mat']);
    expect(hits.code).toBe(0);
    expect(hits.stdout).toContain(`${cat}  #0 user`);
    expect(hits.stdout).toContain('The [cat] sat on the [mat]');
    const sqlish = await cli(['history', 'search', `'; DROP TABLE messages; --`]);
    expect(sqlish.code).toBe(0);
    expect(sqlish.stderr).toContain('nothing found');
    const fts = await cli(['history', 'search', '--fts', 'cat OR dog']);
    expect(fts.stdout.trim().split('\n')).toHaveLength(4); // each prompt and its reply
    const badFts = await cli(['history', 'search', '--fts', '"unbalanced']);
    expect(badFts.code).toBe(2);
    expect(badFts.stderr).toContain('invalid search query');

    const md = await cli(['history', 'export', cat ?? '', '--format', 'md']);
    expect(md.stdout).toMatch(/^# The cat sat on the mat\n/);
    expect(md.stdout).toContain('## User\n\nThe cat sat on the mat\n\n## Assistant\n\nReply to');
    expect((await cli(['history', 'show', cat ?? ''])).stdout).toBe(md.stdout);

    const json = await cli(['history', 'export', cat ?? '']);
    const file = path.join(home, 'cat.json');
    writeFileSync(file, json.stdout);
    expect((await cli(['history', 'rm', cat ?? ''])).stdout).toBe(`deleted ${cat}\n`);
    expect((await cli(['history', 'search', 'cat'])).stdout).toBe('');
    const rmAgain = await cli(['history', 'rm', cat ?? '']);
    expect(rmAgain.code).toBe(1);
    expect(rmAgain.stderr).toContain(`no conversation with id "${cat}"`);

    expect((await cli(['import', file])).stdout).toBe(`${cat}\n`);
    expect((await cli(['history', 'export', cat ?? ''])).stdout).toBe(json.stdout);
    const again = await cli(['import', file]);
    expect(again.code).toBe(1);
    expect(again.stderr).toContain('exists already');

    // Into another home through the real bin, from stdin: the same document comes back out.
    const other = tempHome();
    try {
      expect((await parley(['import', '-'], other.home, json.stdout)).stdout).toBe(`${cat}\n`);
      process.env.PARLEY_HOME = other.home;
      expect((await cli(['history', 'export', cat ?? ''])).stdout).toBe(json.stdout);
      expect((await list()).map((c) => c.id)).toEqual([cat]);
    } finally {
      process.env.PARLEY_HOME = home;
      other.cleanup();
    }
  });

  it('refuses bad input with a message that says what is wrong', async () => {
    const corrupt = path.join(home, 'corrupt.json');
    writeFileSync(corrupt, '{"format":"parley.conversation","version":1,"conversation":{"id":"x"');
    const [id] = await seed('kept');
    const doc = JSON.parse((await cli(['history', 'export', id ?? ''])).stdout);
    const evil = path.join(home, 'evil.json');
    writeFileSync(evil, JSON.stringify({ ...doc, conversation: { ...doc.conversation, id: '../../etc' } }));
    const cases: [string[], number, string][] = [
      [['import', corrupt], 2, 'corrupt.json is not valid JSON'],
      [['import', evil], 2, 'evil.json is not a parley conversation: conversation.id'],
      [['import', path.join(home, 'missing.json')], 2, 'no such file'],
      [['import'], 2, 'usage: parley import FILE'],
      [['history', 'frobnicate'], 2, 'unknown history command "frobnicate"'],
      [['history', 'show'], 2, 'takes one conversation id'],
      [['history', 'show', '../../etc/passwd'], 1, 'no conversation with id "../../etc/passwd"'],
      [['history', 'show', '\u001b[31mred'], 1, 'no conversation with id "\\u001b[31mred"'],
      [['history', 'export', id ?? '', '--format', 'xml'], 2, '--format must be json or md'],
      [['history', 'search', '  '], 2, 'the search text is empty'],
      [['history', 'list', '--limit', '-3'], 2, '--limit'],
      [['-c', '--conversation', 'x', 'hi'], 2, 'use one'],
    ];
    for (const [args, code, message] of cases) {
      const r = await cli(args);
      expect([args.join(' '), r.code]).toEqual([args.join(' '), code]);
      expect(r.stderr).toContain(message);
    }
    expect((await list()).map((c) => c.id)).toEqual([id]);
    expect(await importConversation(SqliteConversationStore.open({ path: ':memory:' }), doc)).toBeDefined();
  });
});
