/**
 * Cutting a streamed reply into sentences, so speech can start before the reply is complete.
 * A sentence ends at `.`, `!`, `?` or `…` followed by white space (closing quotes and
 * brackets stay with it), or at a newline. Abbreviations (`Dr.`, `e.g.`), initials (`J. R.`),
 * decimals (`3.14`) and list numbers (`1. `) do not end one, and a sentence longer than
 * `maxChars` is cut at its last comma or space before the limit.
 */

export interface SentenceStreamOptions {
  /** A sentence longer than this is cut (default 240 characters). */
  maxChars?: number;
}

export const DEFAULT_MAX_SENTENCE_CHARS = 240;

const ENDERS = '.!?…';
const CLOSERS = `"')]}»”’`;
const ABBREVIATIONS = new Set(
  [
    'mr', 'mrs', 'ms', 'dr', 'prof', 'sr', 'jr', 'st', 'mt', 'vs', 'etc', 'e.g', 'i.e', 'cf',
    'approx', 'no', 'fig', 'vol', 'inc', 'ltd', 'co', 'jan', 'feb', 'mar', 'apr', 'jun', 'jul',
    'aug', 'sep', 'sept', 'oct', 'nov', 'dec', 'a.m', 'p.m', 'u.s', 'u.k',
  ], // prettier-ignore
);

/** Where the first sentence of `buf` ends (exclusive), or undefined when more text is needed. */
function sentenceEnd(buf: string, ended: boolean, maxChars: number): number | undefined {
  for (let i = 0; i < buf.length; i++) {
    const c = buf[i]!;
    if (c === '\n') {
      if (buf.slice(0, i).trim() !== '') return i + 1;
      continue;
    }
    if (!ENDERS.includes(c)) continue;
    let j = i + 1;
    while (j < buf.length && (ENDERS.includes(buf[j]!) || CLOSERS.includes(buf[j]!))) j++;
    if (j === buf.length) {
      if (ended) return j;
      break; // Undecided until the next character comes.
    }
    if (!/\s/.test(buf[j]!)) {
      i = j - 1;
      continue;
    }
    if (c === '.' && !endsSentence(buf.slice(0, i))) {
      i = j - 1;
      continue;
    }
    return j;
  }
  if (buf.length > maxChars) return cutPoint(buf, maxChars);
  return ended && buf.trim() !== '' ? buf.length : undefined;
}

/** False when the word before a full stop is an abbreviation, an initial or a list number. */
function endsSentence(before: string): boolean {
  const word = /(\S+)$/.exec(before)?.[1] ?? '';
  const bare = word.replace(/^[("'“‘[]+/, '').toLowerCase();
  if (ABBREVIATIONS.has(bare)) return false;
  if (/^\p{Lu}$/u.test(word)) return false; // an initial: "J. R. R. Tolkien"
  if (/^\d{1,3}$/.test(bare) && before.trim() === word) return false; // "1. First item"
  return true;
}

/** The last comma, semicolon, colon or space before `maxChars`, or `maxChars` itself. */
function cutPoint(buf: string, maxChars: number): number {
  const head = buf.slice(0, maxChars);
  const punct = Math.max(head.lastIndexOf(', '), head.lastIndexOf('; '), head.lastIndexOf(': '));
  if (punct > maxChars / 2) return punct + 1;
  const space = head.lastIndexOf(' ');
  return space > 0 ? space + 1 : maxChars;
}

/** Sentences (trimmed, never empty) from a stream of text deltas, each as soon as it is whole. */
export async function* sentenceStream(
  textDeltas: AsyncIterable<string>,
  opts: SentenceStreamOptions = {},
): AsyncGenerator<string> {
  const maxChars = Math.max(2, opts.maxChars ?? DEFAULT_MAX_SENTENCE_CHARS);
  let buf = '';
  const drain = function* (ended: boolean): Generator<string> {
    for (;;) {
      const end = sentenceEnd(buf, ended, maxChars);
      if (end === undefined) return;
      const sentence = buf.slice(0, end).replace(/\s+/g, ' ').trim();
      buf = buf.slice(end);
      if (sentence !== '') yield sentence;
      if (buf.trim() === '' && ended) return;
    }
  };
  for await (const delta of textDeltas) {
    buf += delta;
    yield* drain(false);
  }
  yield* drain(true);
}
