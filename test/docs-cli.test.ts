/**
 * `parley docs` and `parley --docs NAME` end to end: the real bin as a child process, a real
 * SQLite store under a temp PARLEY_HOME, the evaluation corpus as the documents, and the real
 * local engine on stories260K (threads 1) answering. The citations are checked, never the
 * tiny model's wording.
 */
import { cpSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runParley, tempHome } from './helpers/cli.js';
import { STORIES } from './helpers/models.js';
import { CORPUS } from './helpers/retrieval-eval.js';

let home: string;
let cleanup: () => void;
let work: string;
beforeAll(() => {
  ({ home, cleanup } = tempHome());
  work = mkdtempSync(path.join(os.tmpdir(), 'parley-docs-cli-'));
  cpSync(CORPUS, path.join(work, 'corpus'), { recursive: true });
  // Small chunks and two passages keep the tiny model's prompt short (it reads ~100 tokens/s here).
  writeFileSync(
    path.join(work, 'config.toml'),
    '[documents]\nchunk_tokens = 128\nchunk_overlap = 16\ntop_k = 2\n',
  );
});
afterAll(() => {
  cleanup();
  rmSync(work, { recursive: true, force: true });
});

const env = () => ({ PARLEY_HOME: home, PARLEY_GPU: 'false' });
const runParleyIn = (args: string[], timeoutMs = 60_000) =>
  runParley(['--config', path.join(work, 'config.toml'), ...args], { env: env(), timeoutMs });
const local = ['-m', STORIES, '--threads', '1', '--temperature', '0', '--max-tokens', '20'];

describe('parley docs', () => {
  it('adds a folder, lists, shows, re-indexes incrementally', async () => {
    writeFileSync(path.join(work, 'corpus', 'blob.bin'), Buffer.from([0, 1, 2, 0, 0, 255, 9, 0]));
    const add = await runParleyIn(['docs', 'add', 'kb', path.join(work, 'corpus')]);
    expect(add.code).toBe(0);
    expect(add.stderr).toMatch(
      /kb: 7 files, \d+ chunks; 7 added, 0 changed, 0 unchanged, 0 removed; 1 skipped \(1 binary\)/,
    );
    expect(add.stderr).toContain('skipped corpus/blob.bin');

    const again = await runParleyIn(['docs', 'add', 'kb', '--json']);
    expect(again.code).toBe(0);
    expect(JSON.parse(again.stdout)).toMatchObject({ added: 0, updated: 0, unchanged: 7, binaries: 1 });

    const list = await runParleyIn(['docs', 'list', '--json']);
    expect(JSON.parse(list.stdout)).toMatchObject([{ name: 'kb', files: 7, encoder: 'lexical' }]);
    const show = await runParleyIn(['docs', 'show', 'kb']);
    expect(show.stdout).toContain('corpus/code/rate_limiter.py');
  });

  it('answers from a collection with citations in --json', async () => {
    const r = await runParleyIn([...local, '--json', '--docs', 'kb', 'How does a starfish open a mussel?']);
    expect(r.code).toBe(0);
    const j = JSON.parse(r.stdout);
    expect(j.model).toBe('local:stories260K');
    expect(j.citations.length).toBeGreaterThan(0);
    expect(j.citations.length).toBeLessThanOrEqual(2);
    expect(j.citations[0]).toMatchObject({ n: 1, path: 'corpus/tide-pools.txt', collection: 'kb' });
    // The cited lines hold the answer.
    expect(j.citations[0].startLine).toBeLessThanOrEqual(17);
    expect(j.citations[0].endLine).toBeGreaterThanOrEqual(18);
    expect(j.citations.map((c: { n: number }) => c.n)).toEqual(
      j.citations.map((_: unknown, i: number) => i + 1),
    );

    const code = await runParleyIn([
      ...local,
      '--json',
      '--docs',
      'kb',
      'token bucket rate limiter that allows bursts',
    ]);
    expect(JSON.parse(code.stdout).citations[0]).toMatchObject({ path: 'corpus/code/rate_limiter.py' });
  }, 150_000);

  it('prints the sources after a streamed answer', async () => {
    const r = await runParleyIn([...local, '--docs', 'kb', 'When did the last lighthouse keepers leave?']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/Sources:\n {2}\[1\] corpus\/lighthouses\.md:\d+-\d+/);
  }, 120_000);

  it('refuses hostile input with clear errors and keeps the collection', async () => {
    const cases: [string[], RegExp, number][] = [
      [['--docs', 'nope', 'hello'], /no collection with id "nope"/, 1],
      [['--docs', '../etc', 'hello'], /"..\/etc" is not a collection name/, 2],
      [['--docs', '', 'hello'], /--docs needs a collection name/, 2],
      [['docs', 'add', 'kb2', path.join(work, 'missing')], /missing: no such file or folder/, 2],
      [['docs', 'add', 'bad name', work], /is not a collection name/, 2],
      [['docs', 'add'], /needs a collection name/, 2],
      [['docs', 'rm', 'ghost'], /no collection with id "ghost"/, 1],
      [['docs', 'frobnicate'], /unknown docs command "frobnicate"/, 2],
      [['docs', 'list', '--docs', 'kb'], /--docs NAME goes with a question/, 2],
    ];
    for (const [args, message, code] of cases) {
      const r = await runParleyIn(args);
      expect(r.stderr, args.join(' ')).toMatch(message);
      expect(r.code, args.join(' ')).toBe(code);
    }
    const list = await runParleyIn(['docs', 'list', '--json']);
    expect(JSON.parse(list.stdout)).toMatchObject([{ name: 'kb', files: 7 }]);
    // Bad [documents] settings are named.
    const bad = path.join(work, 'bad.toml');
    writeFileSync(bad, '[documents]\nchunk_tokens = 64\nchunk_overlap = 64\n');
    const r = await runParley(['--config', bad, 'docs', 'list'], { env: env() });
    expect(r.stderr).toMatch(/documents\.chunk_overlap.*less than chunk_tokens/);
    expect(r.code).toBe(2);
    writeFileSync(bad, '[documents]\ntop_k = 0\nencoderr = "lexical"\n');
    const r2 = await runParley(['--config', bad, 'docs', 'list'], { env: env() });
    expect(r2.stderr).toMatch(/documents/);
    expect(r2.code).toBe(2);
  });

  it('makes an empty collection from an empty folder, and removes collections', async () => {
    const empty = mkdtempSync(path.join(work, 'empty-'));
    const r = await runParleyIn(['docs', 'add', 'nothing', empty]);
    expect(r.code).toBe(0);
    expect(r.stderr).toContain('no readable files found');
    const rm = await runParleyIn(['docs', 'rm', 'nothing']);
    expect(rm.stdout).toContain('removed the collection nothing');
    const list = await runParleyIn(['docs', 'list', '--json']);
    expect(JSON.parse(list.stdout).map((c: { name: string }) => c.name)).toEqual(['kb']);
  });
});
