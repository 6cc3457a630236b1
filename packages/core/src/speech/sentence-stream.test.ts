import { describe, expect, it } from 'vitest';
import { sentenceStream } from './sentence-stream.js';

async function* deltas(parts: string[]): AsyncGenerator<string> {
  for (const p of parts) yield p;
}

async function sentences(text: string | string[], maxChars?: number): Promise<string[]> {
  const parts = typeof text === 'string' ? [...text] : text; // one character at a time by default
  const out: string[] = [];
  for await (const s of sentenceStream(deltas(parts), maxChars === undefined ? {} : { maxChars }))
    out.push(s);
  return out;
}

describe('sentenceStream', () => {
  it('cuts at full stops, questions and exclamations, keeping closing quotes', async () => {
    expect(await sentences('Hello there! How are you? I said "fine." Then I left.')).toEqual([
      'Hello there!',
      'How are you?',
      'I said "fine."',
      'Then I left.',
    ]);
  });

  it('gives the same sentences whatever the deltas', async () => {
    const text = 'Dr. Smith paid $3.50 for it. Really?! Yes… it was cheap.';
    const want = ['Dr. Smith paid $3.50 for it.', 'Really?!', 'Yes…', 'it was cheap.'];
    expect(await sentences(text)).toEqual(want);
    expect(await sentences([text])).toEqual(want);
    expect(
      await sentences(['Dr', '. Smith paid $3', '.', '50 for it', '. Really?', '! Yes… it was cheap.']),
    ).toEqual(want);
  });

  it('does not cut at abbreviations, initials, decimals or list numbers', async () => {
    expect(await sentences('See e.g. the docs, i.e. the manual. Pi is 3.14159 today.')).toEqual([
      'See e.g. the docs, i.e. the manual.',
      'Pi is 3.14159 today.',
    ]);
    expect(await sentences('J. R. R. Tolkien wrote it. Mr. Baggins lived there.')).toEqual([
      'J. R. R. Tolkien wrote it.',
      'Mr. Baggins lived there.',
    ]);
    expect(await sentences('1. First item\n2. Second item\n')).toEqual(['1. First item', '2. Second item']);
  });

  it('cuts at newlines and skips blank lines', async () => {
    expect(await sentences('A heading\n\n\nSome text without a stop\nMore')).toEqual([
      'A heading',
      'Some text without a stop',
      'More',
    ]);
  });

  it('emits a sentence as soon as it is complete, before the stream ends', async () => {
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    async function* slow(): AsyncGenerator<string> {
      yield 'First sentence. Sec';
      await gate;
      yield 'ond one.';
    }
    const it = sentenceStream(slow())[Symbol.asyncIterator]();
    expect((await it.next()).value).toBe('First sentence.');
    release();
    expect((await it.next()).value).toBe('Second one.');
    expect((await it.next()).done).toBe(true);
  });

  it('cuts an overlong sentence at a comma or space before the limit', async () => {
    const long = 'word '.repeat(100);
    const out = await sentences(long, 50);
    for (const s of out) expect(s.length).toBeLessThanOrEqual(50);
    expect(out.join(' ')).toBe(long.trim());
    expect(await sentences('alpha beta gamma, delta epsilon', 30)).toEqual([
      'alpha beta gamma,',
      'delta epsilon',
    ]);
    // One unbroken word longer than the limit is cut hard.
    expect(await sentences('x'.repeat(25), 10)).toEqual(['x'.repeat(10), 'x'.repeat(10), 'x'.repeat(5)]);
  });

  it('flushes the rest at the end and yields nothing for empty or blank input', async () => {
    expect(await sentences('no full stop at the end')).toEqual(['no full stop at the end']);
    expect(await sentences([])).toEqual([]);
    expect(await sentences(['', '  ', '\n\n'])).toEqual([]);
    expect(await sentences('Wait...')).toEqual(['Wait...']);
  });
});
