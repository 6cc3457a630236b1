import { mkdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PARLEY_BIN, runParley, tempHome } from './helpers/cli.js';
import { STORIES } from './helpers/models.js';
import { makePdf } from './helpers/pdf.js';

// `parley -f` end to end: the real bin, the real local engine (stories260K, one thread), a
// real SQLite history. What the model was given is checked in the --json output and in the
// stored conversation, never in the model's wording.
let home: string;
let cleanup: () => void;
let work: string;
beforeAll(() => {
  ({ home, cleanup } = tempHome());
  work = path.join(home, 'work');
  mkdirSync(path.join(work, 'docs', 'deep'), { recursive: true });
  writeFileSync(path.join(work, 'notes.md'), '# Notes\n\nThe cat is called Whiskers.\n');
  writeFileSync(path.join(work, 'docs', 'a.md'), 'Alpha.\n');
  writeFileSync(path.join(work, 'docs', 'b.txt'), 'Beta.\n');
  writeFileSync(path.join(work, 'docs', 'deep', 'c.py'), 'print("gamma")\n');
  writeFileSync(path.join(work, 'paper.pdf'), makePdf([['Page one.'], ['Page two.']]));
  writeFileSync(path.join(work, 'blob.txt'), Buffer.from([0x7f, 0x45, 0x4c, 0x46, 0, 0, 0, 1]));
  writeFileSync(path.join(work, 'big.txt'), 'word '.repeat(400));
  writeFileSync(path.join(home, 'secret.md'), 'outside the folder\n');
  mkdirSync(path.join(work, 'linked'));
  symlinkSync(path.join(home, 'secret.md'), path.join(work, 'linked', 'secret.md'));
  mkdirSync(path.join(work, 'empty'));
  writeFileSync(path.join(home, 'small.toml'), '[attachments]\nmax_file_bytes = 100\n');
  writeFileSync(path.join(home, 'bad.toml'), '[attachments]\nmax_files = 0\n');
});
afterAll(() => cleanup());

const local = ['-m', STORIES, '--threads', '1', '--temperature', '0', '--max-tokens', '8'];
const run = (args: string[]) =>
  runParley(args, { env: { PARLEY_HOME: home, PARLEY_GPU: 'false' }, cwd: work });

interface StoredPart {
  type: string;
  text?: string;
  attachment?: { path: string; kind: string; mode: string };
}

/** The user message of the newest stored conversation, from `parley history export`. */
async function lastUserParts(): Promise<StoredPart[]> {
  const list = await run(['history', 'list', '--limit', '1']);
  const id = list.stdout.trim().split(/\s+/)[0] as string;
  const exported = await run(['history', 'export', id, '--format', 'json']);
  const doc = JSON.parse(exported.stdout) as { messages: { role: string; parts: StoredPart[] }[] };
  return doc.messages.find((m) => m.role === 'user')?.parts ?? [];
}

describe('parley -f', () => {
  it('gives the model the file, between delimiters naming it, and lists it in --json', async () => {
    const r = await run([...local, '--json', '-f', 'notes.md', 'What is the cat called?']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const j = JSON.parse(r.stdout) as { attachments: unknown[]; usage: { inputTokens: number } };
    expect(j.attachments).toEqual([
      {
        path: 'notes.md',
        kind: 'markdown',
        bytes: 37,
        sha256: expect.stringMatching(/^[0-9a-f]{64}$/) as string,
        mode: 'inline',
        tokens: expect.any(Number) as number,
      },
    ]);
    const parts = await lastUserParts();
    expect(parts).toEqual([
      {
        type: 'text',
        text: '<file path="notes.md" kind="markdown">\n# Notes\n\nThe cat is called Whiskers.\n</file>\n\n',
        attachment: expect.objectContaining({ path: 'notes.md', mode: 'inline' }) as unknown,
      },
      { type: 'text', text: 'What is the cat called?' },
    ]);
    // The prompt the model read is longer than the question by the file.
    const bare = JSON.parse((await run([...local, '--json', 'What is the cat called?'])).stdout) as typeof j;
    expect(j.usage.inputTokens).toBeGreaterThan(bare.usage.inputTokens + 10);
  });

  it('takes several -f, folders and globs, PDFs page by page', async () => {
    const r = await run([
      ...local,
      '--json',
      '-f',
      'docs/**/*.{md,py}',
      '-f',
      'paper.pdf',
      '--file',
      'docs',
      'Go',
    ]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const j = JSON.parse(r.stdout) as { attachments: { path: string; kind: string; pages?: number }[] };
    expect(j.attachments.map((a) => [a.path, a.kind])).toEqual([
      ['docs/a.md', 'markdown'],
      ['docs/deep/c.py', 'code'],
      ['paper.pdf', 'pdf'],
      ['docs/b.txt', 'text'],
    ]);
    expect(j.attachments[2]?.pages).toBe(2);
    const parts = await lastUserParts();
    expect(parts[1]?.text).toBe(
      '<file path="docs/deep/c.py" kind="code" language="python">\nprint("gamma")\n</file>\n\n',
    );
    expect(parts[2]?.text).toContain('[page 1]\nPage one.\n\n[page 2]\nPage two.');
  });

  it('sends a file too large for the context through retrieval, saying so on stderr', async () => {
    const r = await run([...local, '-f', 'big.txt', 'Which word?']);
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(
      /^parley: big\.txt is too large to send whole \(about \d+ tokens\): the \d+ passages? closest/m,
    );
    const parts = await lastUserParts();
    expect(parts[0]?.attachment).toMatchObject({ path: 'big.txt', mode: 'retrieval' });
  });

  it('refuses what it cannot attach, naming the file and why, with exit 2', async () => {
    const cases: [string[], RegExp, string][] = [
      [['-f', 'nope.md'], /nope\.md: no such file or folder/, 'not_found'],
      [['-f', 'blob.txt'], /blob\.txt: it is a binary file/, 'binary'],
      [['-f', 'empty'], /empty: the folder has no file parley reads/, 'unsupported'],
      [['-f', '/dev/zero'], /\/dev\/zero: it is not a regular file/, 'unsupported'],
      [['-f', 'linked'], /linked\/secret\.md: it links to .*outside the folder/, 'outside'],
      [['-f', 'docs/*/../../*.md'], /must not climb out of its folder/, 'outside'],
      [['-f', ''], /empty path/, 'not_found'],
      [
        ['--config', path.join(home, 'small.toml'), '-f', 'big.txt'],
        /big\.txt: it is 2\.0 KB, over the limit of 100 bytes/,
        'too_large',
      ],
    ];
    for (const [args, message, code] of cases) {
      const r = await run([...local, ...args, 'question']);
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.stderr).toMatch(new RegExp(`^parley: error: .*${message.source}`));
      expect(r.stdout).toBe('');
      const j = await run([...local, '--json', ...args, 'question']);
      expect(JSON.parse(j.stdout)).toMatchObject({ error: { code } });
    }
  });

  it('checks the flag and the config', async () => {
    const chat = await run(['chat', '-f', 'notes.md']);
    expect(chat.code).toBe(2);
    expect(chat.stderr).toContain('--file goes with a prompt; in the chat, use /attach PATH');
    const empty = await run([...local, '-f', 'notes.md']);
    expect(empty.code).toBe(2);
    expect(empty.stderr).toContain('the prompt is empty');
    const bad = await run(['--config', path.join(home, 'bad.toml'), ...local, '-f', 'notes.md', 'q']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/attachments\.max_files/);
  });
});

describe('start-up', () => {
  it('the bundled CLI loads pdfjs only on demand: no module it imports statically names it', () => {
    const entry = path.join(path.dirname(PARLEY_BIN), '..', 'bundle', 'main.js');
    const seen = new Set<string>();
    const visit = (file: string): void => {
      if (seen.has(file)) return;
      seen.add(file);
      const src = readFileSync(file, 'utf8');
      for (const m of src.matchAll(/(?:^|;|\})\s*import\s*(?:[^"'()]*?from\s*)?"(\.[^"]+)"/g)) {
        visit(path.resolve(path.dirname(file), m[1] as string));
      }
    };
    visit(entry);
    expect(seen.size).toBeGreaterThan(3);
    const named = [...seen].filter((f) => readFileSync(f, 'utf8').includes('pdfjs-dist'));
    expect(named).toEqual([]);
    // The probe sees the lazy chunk that does import it.
    const all = [...seen].map((f) => readFileSync(f, 'utf8')).join('\n');
    const lazy = [...all.matchAll(/import\("(\.[^"]+pdf[^"]*)"\)/g)].map((m) => m[1] as string);
    expect(lazy.length).toBeGreaterThan(0);
  });
});
