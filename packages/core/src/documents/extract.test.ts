import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { chmodSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeEmptyPdf, makePdf } from '../../../../test/helpers/pdf.js';
import { exitCodeFor } from '../errors.js';
import { DocumentRefusedError, detectKind, extractBytes, extractFile } from './extract.js';

let dir: string;
const MB = 1024 * 1024;
const at = (name: string): string => path.join(dir, name);
const write = (name: string, data: string | Uint8Array): string => {
  writeFileSync(at(name), data);
  return at(name);
};

async function refusal(p: Promise<unknown>): Promise<DocumentRefusedError> {
  const e = await p.then(
    () => undefined,
    (err: unknown) => err,
  );
  expect(DocumentRefusedError.isRefusal(e), `expected a refusal, got ${String(e)}`).toBe(true);
  return e as DocumentRefusedError;
}

beforeAll(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'parley-extract-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('detectKind', () => {
  it('knows text, markdown, code with its language, JSON, CSV, HTML and PDF by name', () => {
    expect(detectKind('a/notes.txt')).toEqual({ kind: 'text' });
    expect(detectKind('README.md')).toEqual({ kind: 'markdown' });
    expect(detectKind('src/x.ts')).toEqual({ kind: 'code', language: 'typescript' });
    expect(detectKind('x.PY')).toEqual({ kind: 'code', language: 'python' });
    expect(detectKind('Makefile')).toEqual({ kind: 'code', language: 'makefile' });
    expect(detectKind('data.json')).toEqual({ kind: 'json' });
    expect(detectKind('data.csv')).toEqual({ kind: 'csv' });
    expect(detectKind('page.html')).toEqual({ kind: 'html' });
    expect(detectKind('paper.pdf')).toEqual({ kind: 'pdf' });
  });
  it('says nothing of names it does not read', () => {
    expect(detectKind('photo.png')).toBeUndefined();
    expect(detectKind('report.docx')).toBeUndefined();
    expect(detectKind('noext')).toBeUndefined();
    expect(detectKind('a.weird')).toBeUndefined();
  });
});

describe('extractFile', () => {
  it('reads plain text, with its size and sha256, newlines normalised', async () => {
    const file = write('notes.txt', 'line one\r\nline two\u0007\n');
    const doc = await extractFile(file, { maxBytes: MB, displayPath: 'notes.txt' });
    expect(doc).toMatchObject({
      path: 'notes.txt',
      absPath: file,
      kind: 'text',
      text: 'line one\nline two\n',
    });
    expect(doc.bytes).toBe(Buffer.byteLength('line one\r\nline two\u0007\n'));
    expect(doc.sha256).toBe(createHash('sha256').update('line one\r\nline two\u0007\n').digest('hex'));
    expect(doc.language).toBeUndefined();
  });

  it('reads markdown and source code, noting the language', async () => {
    const md = await extractFile(write('guide.md', '# Title\n\nSome *text*.\n'), { maxBytes: MB });
    expect(md).toMatchObject({ kind: 'markdown', text: '# Title\n\nSome *text*.\n' });
    const ts = await extractFile(write('main.ts', 'export const x: number = 1;\n'), { maxBytes: MB });
    expect(ts).toMatchObject({ kind: 'code', language: 'typescript', text: 'export const x: number = 1;\n' });
    const py = await extractFile(write('tool.py', 'def f():\n    return 1\n'), { maxBytes: MB });
    expect(py).toMatchObject({ kind: 'code', language: 'python' });
  });

  it('reads JSON (one long line re-indented) and CSV as text', async () => {
    const rows = Array.from({ length: 40 }, (_, i) => ({ id: i, name: `item ${i}` }));
    const json = await extractFile(write('data.json', JSON.stringify(rows)), { maxBytes: MB });
    expect(json.kind).toBe('json');
    expect(json.text.split('\n').length).toBeGreaterThan(40);
    expect(JSON.parse(json.text)).toEqual(rows);
    const small = await extractFile(write('small.json', '{"a": 1}\n'), { maxBytes: MB });
    expect(small.text).toBe('{"a": 1}\n');
    const csv = await extractFile(write('table.csv', 'name,age\nAda,36\n"Lovelace, A",37\n'), {
      maxBytes: MB,
    });
    expect(csv).toMatchObject({ kind: 'csv', text: 'name,age\nAda,36\n"Lovelace, A",37\n' });
  });

  it('reads HTML as readable text: no scripts, styles or tags; entities decoded', async () => {
    const html = `<!doctype html><html><head><title>T</title><style>p{color:red}</style>
      <script>alert("x")</script></head><body><h1>Café &amp; bar</h1>
      <p>First&nbsp;para with <a href="https://example.com/a">a link</a>.</p>
      <ul><li>one</li><li>two &#x263A;</li></ul><!-- hidden -->
      <table><tr><th>k</th><th>v</th></tr><tr><td>a</td><td>1</td></tr></table>
      <pre>  keep
    indent</pre></body></html>`;
    const doc = await extractFile(write('page.html', html), { maxBytes: MB });
    expect(doc.kind).toBe('html');
    expect(doc.text).toContain('# Café & bar');
    expect(doc.text).toContain('First para with a link (https://example.com/a).');
    expect(doc.text).toContain('- one\n- two ☺');
    expect(doc.text).toContain('k | v\na | 1');
    expect(doc.text).toContain('  keep\n    indent');
    expect(doc.text).not.toMatch(/alert|color:red|hidden|<\w/);
  });

  it('reads a real PDF page by page', async () => {
    const file = write(
      'paper.pdf',
      makePdf([['Attention is all you need', 'Second line (with parens)'], [], ['Page three text']]),
    );
    const doc = await extractFile(file, { maxBytes: MB, displayPath: 'paper.pdf' });
    expect(doc.kind).toBe('pdf');
    expect(doc.pages).toEqual([
      { page: 1, text: 'Attention is all you need\nSecond line (with parens)' },
      { page: 2, text: '' },
      { page: 3, text: 'Page three text' },
    ]);
    expect(doc.text).toBe('Attention is all you need\nSecond line (with parens)\n\n\n\nPage three text');
  });

  it('reads a text file with an unknown name, and UTF-16 with a BOM', async () => {
    const doc = await extractFile(write('notes.weird', 'just words\n'), { maxBytes: MB });
    expect(doc).toMatchObject({ kind: 'text', text: 'just words\n' });
    const bom = Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from('hé utf16\n', 'utf16le')]);
    expect((await extractFile(write('u16.txt', bom), { maxBytes: MB })).text).toBe('hé utf16\n');
    const utf8bom = Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from('bom\n')]);
    expect((await extractFile(write('bom.md', utf8bom), { maxBytes: MB })).text).toBe('bom\n');
  });

  it('follows a symbolic link given by name', async () => {
    const target = write('target.md', '# linked\n');
    symlinkSync(target, at('link.md'));
    expect((await extractFile(at('link.md'), { maxBytes: MB })).text).toBe('# linked\n');
  });

  it('refuses a binary, even named .txt, saying why', async () => {
    const png = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13, 0x49, 0x48]);
    const e = await refusal(extractFile(write('image.txt', png), { maxBytes: MB, displayPath: 'image.txt' }));
    expect(e.code).toBe('binary');
    expect(e.refused).toEqual({ path: 'image.txt', reason: expect.stringContaining('binary') as string });
    expect(e.message).toMatch(/^image\.txt: /);
    expect(exitCodeFor(e)).toBe(2);
    const latin1 = Buffer.from('caf\xe9 au lait '.repeat(10), 'latin1');
    expect((await refusal(extractFile(write('latin1.txt', latin1), { maxBytes: MB }))).code).toBe('binary');
    const noisy = Buffer.from(Array.from({ length: 400 }, (_, i) => (i % 3 === 0 ? 1 : 65)));
    expect((await refusal(extractFile(write('noisy.log', noisy), { maxBytes: MB }))).code).toBe('binary');
  });

  it('refuses formats it does not read, naming them', async () => {
    const e = await refusal(extractFile(write('report.docx', 'PK\u0003\u0004'), { maxBytes: MB }));
    expect(e.code).toBe('unsupported');
    expect(e.refused.reason).toMatch(/Word document/);
    const img = await refusal(extractFile(write('cat.png', 'x'), { maxBytes: MB }));
    expect(img.refused.reason).toMatch(/image.*--image/);
  });

  it('refuses a file over the limit without reading it', async () => {
    const file = write('big.txt', 'x'.repeat(2048));
    const e = await refusal(extractFile(file, { maxBytes: 1000, displayPath: 'big.txt' }));
    expect(e.code).toBe('too_large');
    expect(e.message).toBe('big.txt: it is 2.0 KB, over the limit of 1000 bytes');
  });

  it('refuses a missing file, a folder and a device', async () => {
    expect((await refusal(extractFile(at('nope.txt'), { maxBytes: MB }))).code).toBe('not_found');
    expect((await refusal(extractFile(path.join(at('notes.txt'), 'x'), { maxBytes: MB }))).code).toBe(
      'not_found',
    );
    mkdirSync(at('folder'));
    const folder = await refusal(extractFile(at('folder'), { maxBytes: MB }));
    expect(folder.code).toBe('unsupported');
    expect(folder.refused.reason).toMatch(/folder/);
    const dev = await refusal(extractFile('/dev/zero', { maxBytes: MB }));
    expect(dev.code).toBe('unsupported');
  });

  it('refuses a named pipe without blocking on it', async () => {
    execFileSync('mkfifo', [at('pipe.txt')]);
    expect((await refusal(extractFile(at('pipe.txt'), { maxBytes: MB }))).code).toBe('unsupported');
  });

  it.skipIf(process.getuid?.() === 0)('refuses a file it may not read', async () => {
    const file = write('secret.txt', 'x');
    chmodSync(file, 0o000);
    expect((await refusal(extractFile(file, { maxBytes: MB }))).code).toBe('unreadable');
  });

  it('refuses a .pdf that is not a PDF, a damaged PDF and a PDF without text', async () => {
    const fake = await refusal(extractFile(write('fake.pdf', 'hello'), { maxBytes: MB }));
    expect(fake.code).toBe('unreadable');
    const pdf = makePdf([['some text']]);
    const broken = Buffer.concat([pdf.subarray(0, 20), Buffer.from('garbage'.repeat(20))]);
    expect((await refusal(extractFile(write('broken.pdf', broken), { maxBytes: MB }))).code).toBe(
      'unreadable',
    );
    const scan = await refusal(extractFile(write('scan.pdf', makeEmptyPdf(2)), { maxBytes: MB }));
    expect(scan.code).toBe('unsupported');
    expect(scan.refused.reason).toMatch(/no text/);
  });
});

describe('extractBytes', () => {
  it('reads an upload by its name, and refuses by content', async () => {
    const doc = await extractBytes(Buffer.from('# Up\n'), { maxBytes: MB, displayPath: 'up.md' });
    expect(doc).toMatchObject({ path: 'up.md', absPath: 'up.md', kind: 'markdown', text: '# Up\n' });
    const pdf = await extractBytes(makePdf([['uploaded pdf']]), { maxBytes: MB, displayPath: 'noext' });
    expect(pdf).toMatchObject({ kind: 'pdf', text: 'uploaded pdf' });
    const e = await refusal(
      extractBytes(new Uint8Array([0, 1, 2, 3]), { maxBytes: MB, displayPath: 'x.bin' }),
    );
    expect(e.code).toBe('binary');
    expect(
      (await refusal(extractBytes(new Uint8Array(10), { maxBytes: 5, displayPath: 'a.txt' }))).code,
    ).toBe('too_large');
  });
});
