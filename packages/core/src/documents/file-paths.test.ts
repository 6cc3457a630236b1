import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DocumentRefusedError } from './extract.js';
import { expandFilePaths, globToRegExp, splitGlob } from './file-paths.js';

let root: string;
let cwd: string;
const put = (rel: string, text = 'x\n'): void => {
  const abs = path.join(cwd, rel);
  mkdirSync(path.dirname(abs), { recursive: true });
  writeFileSync(abs, text);
};

async function refused(p: Promise<unknown>): Promise<DocumentRefusedError> {
  const e = await p.then(
    () => undefined,
    (err: unknown) => err,
  );
  expect(DocumentRefusedError.isRefusal(e), `expected a refusal, got ${String(e)}`).toBe(true);
  return e as DocumentRefusedError;
}

beforeAll(() => {
  root = mkdtempSync(path.join(tmpdir(), 'parley-paths-'));
  cwd = path.join(root, 'work');
  mkdirSync(cwd);
  put('notes.md');
  put('docs/a.md');
  put('docs/b.txt');
  put('docs/image.png');
  put('docs/deep/c.md');
  put('docs/.hidden/secret.md');
  put('docs/node_modules/dep/readme.md');
  writeFileSync(path.join(root, 'outside.md'), 'secret outside\n');
  mkdirSync(path.join(cwd, 'linked'));
  put('linked/ok.md');
  symlinkSync(path.join(root, 'outside.md'), path.join(cwd, 'linked', 'escape.md'));
  mkdirSync(path.join(cwd, 'innerlink'));
  put('innerlink/real.md');
  symlinkSync(path.join(cwd, 'innerlink', 'real.md'), path.join(cwd, 'innerlink', 'same.md'));
  symlinkSync(root, path.join(cwd, 'innerlink', 'up'));
  mkdirSync(path.join(cwd, 'empty'));
});
afterAll(() => rmSync(root, { recursive: true, force: true }));

describe('globToRegExp', () => {
  it('keeps * and ? within a segment, lets ** span them, and knows classes and braces', () => {
    expect(globToRegExp('*.md').test('a.md')).toBe(true);
    expect(globToRegExp('*.md').test('x/a.md')).toBe(false);
    expect(globToRegExp('**/*.md').test('a.md')).toBe(true);
    expect(globToRegExp('**/*.md').test('x/y/a.md')).toBe(true);
    expect(globToRegExp('?.md').test('ab.md')).toBe(false);
    expect(globToRegExp('[ab].md').test('b.md')).toBe(true);
    expect(globToRegExp('[!ab].md').test('b.md')).toBe(false);
    expect(globToRegExp('*.{md,txt}').test('b.txt')).toBe(true);
    expect(globToRegExp('a+b(c).md').test('a+b(c).md')).toBe(true);
  });
  it('splits a glob at its first wildcard', () => {
    expect(splitGlob('docs/**/*.md')).toEqual({ base: 'docs', pattern: '**/*.md' });
    expect(splitGlob('*.md')).toEqual({ base: '.', pattern: '*.md' });
    expect(splitGlob('/tmp/x/*.md')).toEqual({ base: '/tmp/x', pattern: '*.md' });
  });
});

describe('expandFilePaths', () => {
  it('takes a file as typed, a folder as the files in it parley reads, a glob as its matches', async () => {
    const files = await expandFilePaths(['notes.md', 'docs', 'docs/*.md', 'notes.md'], { cwd, maxFiles: 20 });
    expect(files.map((f) => f.displayPath)).toEqual([
      'notes.md',
      'docs/a.md',
      'docs/b.txt',
      'docs/deep/c.md',
    ]);
    expect(files[0]?.absPath).toBe(path.join(cwd, 'notes.md'));
  });

  it('walks ** through subfolders, but not hidden ones or node_modules', async () => {
    const files = await expandFilePaths(['docs/**/*.md'], { cwd, maxFiles: 20 });
    expect(files.map((f) => f.displayPath)).toEqual(['docs/a.md', 'docs/deep/c.md']);
  });

  it('takes a link that stays inside the folder, and does not enter linked folders', async () => {
    const files = await expandFilePaths(['innerlink/**/*'], { cwd, maxFiles: 20 });
    expect(files.map((f) => f.displayPath)).toEqual(['innerlink/real.md']);
  });

  it('refuses a link that leads out of the folder asked for', async () => {
    const e = await refused(expandFilePaths(['linked'], { cwd, maxFiles: 20 }));
    expect(e.code).toBe('outside');
    expect(e.refused.path).toBe('linked/escape.md');
    expect(e.refused.reason).toMatch(/outside the folder/);
    expect((await refused(expandFilePaths(['linked/*.md'], { cwd, maxFiles: 20 }))).code).toBe('outside');
    // A link into the folder asked for is fine: the real file counts once.
    const ok = await expandFilePaths(['innerlink/same.md', 'innerlink'], { cwd, maxFiles: 20 });
    expect(ok.map((f) => f.displayPath)).toEqual(['innerlink/same.md']);
  });

  it('refuses a pattern that climbs out with ..', async () => {
    const e = await refused(expandFilePaths(['docs/*/../../*.md'], { cwd, maxFiles: 20 }));
    expect(e.code).toBe('outside');
    expect(e.refused.path).toBe('docs/*/../../*.md');
    // `..` before the first wildcard names the folder: that is what was asked for.
    const up = await expandFilePaths(['../*.md'], { cwd, maxFiles: 20 });
    expect(up.map((f) => f.absPath)).toEqual([path.join(root, 'outside.md')]);
  });

  it('refuses what is missing, matches nothing, or is too many', async () => {
    expect((await refused(expandFilePaths(['nope.md'], { cwd, maxFiles: 20 }))).code).toBe('not_found');
    expect((await refused(expandFilePaths(['docs/*.pdf'], { cwd, maxFiles: 20 }))).code).toBe('not_found');
    expect((await refused(expandFilePaths(['nodir/*.md'], { cwd, maxFiles: 20 }))).code).toBe('not_found');
    expect((await refused(expandFilePaths([''], { cwd, maxFiles: 20 }))).code).toBe('not_found');
    const empty = await refused(expandFilePaths(['empty'], { cwd, maxFiles: 20 }));
    expect(empty.code).toBe('unsupported');
    const many = await refused(expandFilePaths(['docs/**/*'], { cwd, maxFiles: 2 }));
    expect(many.code).toBe('too_large');
    expect(many.refused.reason).toMatch(/more than 2 files/);
  });
});
