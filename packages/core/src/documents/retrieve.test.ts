import { describe, expect, it } from 'vitest';
import { LexicalEncoder } from '../router/lexical-encoder.js';
import { formatContext, formatLocation, retrieveFromDocuments } from './retrieve.js';
import type { ExtractedDocument } from './types.js';

function doc(path: string, text: string, kind: ExtractedDocument['kind'] = 'markdown'): ExtractedDocument {
  return { path, absPath: `/tmp/${path}`, kind, text, bytes: text.length, sha256: path };
}

const garden = doc(
  'garden.md',
  [
    '# Tomatoes',
    '',
    'Water tomato plants deeply twice a week and stake them when they flower.',
    '',
    '# Roses',
    '',
    'Prune roses in late winter, just above an outward-facing bud.',
  ].join('\n'),
);
const car = doc('car.txt', 'Check the tyre pressure once a month, when the tyres are cold.\n', 'text');

describe('retrieveFromDocuments', () => {
  it('finds the passage that answers, with its file and lines', async () => {
    const hits = await retrieveFromDocuments('when should I prune my roses?', [garden, car], { k: 2 });
    expect(hits[0]).toMatchObject({ path: 'garden.md', startLine: 5, endLine: 7, heading: 'Roses' });
    expect(hits[0]!.score).toBeGreaterThan(hits[1]?.score ?? 0);
    const tyre = await retrieveFromDocuments('how often to check tyre pressure', [garden, car]);
    expect(tyre[0]).toMatchObject({ path: 'car.txt', startLine: 1, endLine: 1 });
  });

  it('works with a fitted lexical encoder too, and returns nothing for nothing', async () => {
    const hits = await retrieveFromDocuments('watering tomatoes', [garden, car], {
      encoder: new LexicalEncoder(),
      k: 1,
    });
    expect(hits).toHaveLength(1);
    expect(hits[0]).toMatchObject({ path: 'garden.md', heading: 'Tomatoes' });
    expect(await retrieveFromDocuments('anything', [])).toEqual([]);
    expect(await retrieveFromDocuments('   ', [garden])).toEqual([]);
  });

  it('stops on an aborted signal', async () => {
    const ac = new AbortController();
    ac.abort();
    await expect(retrieveFromDocuments('roses', [garden], { signal: ac.signal })).rejects.toThrow(/abort/i);
  });
});

describe('formatContext', () => {
  it('numbers the passages and gives matching citations', async () => {
    const hits = await retrieveFromDocuments('prune roses tyre pressure', [garden, car], { k: 2 });
    const { text, citations } = formatContext(hits);
    expect(citations.map((c) => c.n)).toEqual([1, 2]);
    for (const c of citations) {
      const hit = hits[c.n - 1]!;
      expect(c).toMatchObject({ path: hit.path, startLine: hit.startLine, endLine: hit.endLine });
      expect(text).toContain(`[${c.n}] ${formatLocation(c)}`);
      expect(text).toContain(hit.text.trim());
    }
    expect(formatContext([])).toEqual({ text: '', citations: [] });
  });

  it('labels pages, collections and single lines', () => {
    expect(formatLocation({ path: 'a.pdf', page: 3 })).toBe('a.pdf, page 3');
    expect(formatLocation({ path: 'a.txt', startLine: 4, endLine: 4 })).toBe('a.txt:4');
    const { text, citations } = formatContext([
      { path: 'r.pdf', page: 2, index: 0, text: 'x', tokens: 1, score: 0.5, collection: 'work' },
    ]);
    expect(text).toContain('[1] work: r.pdf, page 2');
    expect(citations).toEqual([{ n: 1, path: 'r.pdf', page: 2, collection: 'work', score: 0.5 }]);
  });
});
