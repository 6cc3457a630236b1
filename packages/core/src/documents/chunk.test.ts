import { describe, expect, it } from 'vitest';
import { chunkDocument } from './chunk.js';
import type { ExtractedDocument } from './types.js';

function doc(
  text: string,
  kind: ExtractedDocument['kind'],
  extra: Partial<ExtractedDocument> = {},
): ExtractedDocument {
  return {
    path: `f.${kind}`,
    absPath: `/tmp/f.${kind}`,
    kind,
    text,
    bytes: text.length,
    sha256: 'x',
    ...extra,
  };
}

/** The lines a chunk says it covers, taken from the document. */
function linesOf(text: string, start: number, end: number): string {
  return text
    .split('\n')
    .slice(start - 1, end)
    .join('\n');
}

describe('chunkDocument', () => {
  it('keeps markdown sections apart, with their heading path and exact line ranges', () => {
    const text = [
      '# Install',
      '',
      'Download the archive.',
      '',
      '## Linux',
      '',
      'Run the installer with sudo.',
      '',
      '# Usage',
      '',
      'Type a question.',
    ].join('\n');
    const chunks = chunkDocument(doc(text, 'markdown'), { chunkTokens: 200 });
    expect(chunks.map((c) => c.heading)).toEqual(['Install', 'Install > Linux', 'Usage']);
    expect(chunks.map((c) => [c.startLine, c.endLine])).toEqual([
      [1, 3],
      [5, 7],
      [9, 11],
    ]);
    for (const c of chunks) expect(c.text).toBe(linesOf(text, c.startLine!, c.endLine!));
    expect(chunks.map((c) => c.index)).toEqual([0, 1, 2]);
  });

  it('never cuts a fenced code block that fits, and ignores # lines inside it', () => {
    const code = [
      '```sh',
      '# not a heading',
      ...Array.from({ length: 10 }, (_, i) => `echo line ${i}`),
      '```',
    ];
    const text = ['# Build', '', 'x '.repeat(150), '', ...code, '', 'After the block.'].join('\n');
    const chunks = chunkDocument(doc(text, 'markdown'), { chunkTokens: 60, overlapTokens: 0 });
    const withFence = chunks.filter((c) => c.text.includes('```sh'));
    expect(withFence).toHaveLength(1);
    expect(withFence[0]!.text).toContain(code.join('\n'));
    expect(chunks.every((c) => c.heading === 'Build')).toBe(true);
  });

  it('sizes chunks in tokens and overlaps consecutive chunks of a section', () => {
    const lines = Array.from({ length: 200 }, (_, i) => `line number ${i} of a long plain text file`);
    const text = lines.join('\n');
    const chunks = chunkDocument(doc(text, 'text'), { chunkTokens: 100, overlapTokens: 20 });
    expect(chunks.length).toBeGreaterThan(5);
    for (const c of chunks) {
      expect(c.tokens).toBeLessThanOrEqual(100);
      expect(c.text).toBe(linesOf(text, c.startLine!, c.endLine!));
    }
    for (let i = 1; i < chunks.length; i++) {
      // The next chunk starts inside the previous one (overlap), and moves forward.
      expect(chunks[i]!.startLine!).toBeLessThanOrEqual(chunks[i - 1]!.endLine!);
      expect(chunks[i]!.startLine!).toBeGreaterThan(chunks[i - 1]!.startLine!);
    }
    expect(chunks[0]!.startLine).toBe(1);
    expect(chunks.at(-1)!.endLine).toBe(200);
  });

  it('cuts code at top-level definitions', () => {
    const text = [
      'function a() {',
      '  return 1;',
      '',
      '  // still a',
      '}',
      '',
      'function b() {',
      '  return 2;',
      '}',
    ].join('\n');
    const chunks = chunkDocument(doc(text, 'code', { language: 'javascript' }), {
      chunkTokens: 12,
      overlapTokens: 0,
    });
    expect(chunks.map((c) => [c.startLine, c.endLine])).toEqual([
      [1, 5],
      [7, 9],
    ]);
  });

  it('chunks a PDF page by page and cites pages, not lines', () => {
    const pages = [
      { page: 1, text: 'First page about apples.' },
      { page: 2, text: 'Second page about pears.' },
    ];
    const chunks = chunkDocument(doc(pages.map((p) => p.text).join('\n\n'), 'pdf', { pages }));
    expect(chunks.map((c) => [c.page, c.text, c.startLine])).toEqual([
      [1, 'First page about apples.', undefined],
      [2, 'Second page about pears.', undefined],
    ]);
  });

  it('slices a single huge line (minified JSON) and gives nothing for an empty file', () => {
    const line = JSON.stringify(Array.from({ length: 2000 }, (_, i) => ({ i })));
    const chunks = chunkDocument(doc(line, 'json'), { chunkTokens: 100, overlapTokens: 0 });
    expect(chunks.length).toBeGreaterThan(10);
    expect(chunks.map((c) => c.text).join('')).toBe(line);
    expect(chunks.every((c) => c.startLine === 1 && c.endLine === 1 && c.tokens <= 100)).toBe(true);
    expect(chunkDocument(doc('', 'text'))).toEqual([]);
    expect(chunkDocument(doc('\n\n   \n', 'markdown'))).toEqual([]);
  });
});

describe('chunkDocument overlap', () => {
  it('never makes a chunk of overlap alone', () => {
    // Short lines then a long paragraph that cannot share a chunk with the overlap.
    const text = ['a short line', 'another short line', 'x'.repeat(390), 'tail'].join('\n');
    const chunks = chunkDocument(
      { path: 'f.txt', absPath: '/f.txt', kind: 'text', text, bytes: 1, sha256: 'x' },
      { chunkTokens: 100, overlapTokens: 20 },
    );
    for (const c of chunks)
      expect(c.text.includes('x'.repeat(50)) || c.text.includes('short') || c.text === 'tail').toBe(true);
    const texts = chunks.map((c) => c.text);
    expect(new Set(texts).size).toBe(texts.length);
    expect(chunks.every((c) => c.tokens <= 100)).toBe(true);
    expect(texts.filter((t) => t === 'another short line')).toHaveLength(0);
  });
});
