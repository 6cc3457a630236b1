/**
 * The offline default encoder: no download, no dependency. Each text becomes a sparse vector
 * of weighted features: words (lightly stemmed), word pairs, and character n-grams inside
 * words, which catch typos, inflections and code punctuation. Weights are TF-IDF or BM25,
 * learned from the intents' example utterances by `fit`. Features never seen in the
 * examples are dropped: they cannot match anything, and keeping them in the norm would only
 * let a long pasted text drown the few words that say what is wanted.
 *
 * docs/PERFORMANCE.md has the measured accuracy of each setting on the evaluation set.
 */
import { sparseFrom, type SparseVector } from './embedding.js';
import type { Encoder } from './encoder.js';

/** How the lexical encoder turns text into features and weights them. */
export interface LexicalEncoderOptions {
  /** `tfidf` (sublinear term frequency × IDF) or `bm25` (saturated, length-normalised). Default tfidf. */
  weighting?: 'tfidf' | 'bm25';
  /** Word features (default true). */
  words?: boolean;
  /** Adjacent word pairs (default true). */
  bigrams?: boolean;
  /** Character n-gram lengths inside words, `[min, max]`; `false` for none. Default `[3, 5]`. */
  charNgrams?: readonly [number, number] | false;
  /** Share of the vector's weight given to character n-grams, 0..1 (default 0.5). */
  charShare?: number;
  /** Strip common English suffixes from words (default true). */
  stem?: boolean;
  /**
   * Index features by a hash instead of a fitted vocabulary (default false). Nothing is
   * learned and nothing is dropped: weights are term frequencies only, so a text's vector
   * never changes as a corpus grows. Document collections use it and weigh the query side by
   * the collection's own document frequencies at search time.
   */
  hashed?: boolean;
}

const BM25_K1 = 1.2;
const BM25_B = 0.75;

type Block = 'word' | 'char';

/** The lexical encoder; call `fit` with the example utterances before `embed`. */
export class LexicalEncoder implements Encoder {
  readonly name = 'lexical';
  readonly defaultThreshold = 0.12;
  private readonly opts: Required<LexicalEncoderOptions>;
  private vocab = new Map<string, number>();
  private idf: number[] = [];
  private avgLength: Record<Block, number> = { word: 1, char: 1 };

  constructor(options: LexicalEncoderOptions = {}) {
    this.opts = {
      weighting: options.weighting ?? 'tfidf',
      words: options.words ?? true,
      bigrams: options.bigrams ?? true,
      charNgrams: options.charNgrams ?? [3, 5],
      charShare: options.charShare ?? 0.5,
      stem: options.stem ?? true,
      hashed: options.hashed ?? false,
    };
  }

  fit(corpus: readonly string[]): void {
    if (this.opts.hashed) return;
    const vocab = new Map<string, number>();
    const df: number[] = [];
    const lengths: Record<Block, number> = { word: 0, char: 0 };
    for (const text of corpus) {
      const f = this.features(text);
      lengths.word += count(f.word);
      lengths.char += count(f.char);
      for (const key of [...f.word.keys(), ...f.char.keys()]) {
        let i = vocab.get(key);
        if (i === undefined) {
          i = vocab.size;
          vocab.set(key, i);
          df.push(0);
        }
        df[i] = (df[i] as number) + 1;
      }
    }
    const n = corpus.length;
    this.vocab = vocab;
    // Smoothed IDF, always positive (as scikit-learn's `smooth_idf`).
    this.idf = df.map((d) => Math.log((1 + n) / (1 + d)) + 1);
    this.avgLength = { word: lengths.word / Math.max(1, n) || 1, char: lengths.char / Math.max(1, n) || 1 };
  }

  embed(texts: readonly string[]): Promise<SparseVector[]> {
    return Promise.resolve(texts.map((t) => this.vector(t)));
  }

  /** One text as a unit-length sparse vector over the fitted vocabulary. */
  vector(text: string): SparseVector {
    const f = this.features(text);
    const out = new Map<number, number>();
    const blocks: [Block, Map<string, number>, number][] = [
      ['word', f.word, 1 - this.opts.charShare],
      ['char', f.char, this.opts.charShare],
    ];
    for (const [block, feats, share] of blocks) {
      if (share <= 0) continue;
      const weights = this.weigh(block, feats);
      // Each block is scaled to norm sqrt(share), so `charShare` is its share of the whole.
      let sum = 0;
      for (const w of weights.values()) sum += w * w;
      const scale = sum > 0 ? Math.sqrt(share / sum) : 0;
      for (const [i, w] of weights) out.set(i, w * scale);
    }
    return sparseFrom(out);
  }

  private weigh(block: Block, feats: Map<string, number>): Map<number, number> {
    const out = new Map<number, number>();
    const len = count(feats);
    for (const [key, tf] of feats) {
      const i = this.opts.hashed ? fnv1a(key) : this.vocab.get(key);
      if (i === undefined) continue;
      const idf = this.opts.hashed ? 1 : (this.idf[i] as number);
      const w =
        this.opts.weighting === 'bm25'
          ? (idf * (tf * (BM25_K1 + 1))) /
            (tf + BM25_K1 * (1 - BM25_B + (BM25_B * len) / this.avgLength[block]))
          : idf * (1 + Math.log(tf));
      out.set(i, w);
    }
    return out;
  }

  private features(text: string): Record<Block, Map<string, number>> {
    const word = new Map<string, number>();
    const char = new Map<string, number>();
    const words = tokenize(text).map((w) => (this.opts.stem ? stem(w) : w));
    if (this.opts.words) for (const w of words) add(word, `w:${w}`);
    if (this.opts.bigrams) for (let i = 1; i < words.length; i++) add(word, `b:${words[i - 1]} ${words[i]}`);
    const range = this.opts.charNgrams;
    if (range) {
      for (const raw of text.toLowerCase().split(/\s+/)) {
        if (!raw) continue;
        const padded = ` ${raw} `;
        for (let n = range[0]; n <= range[1]; n++) {
          for (let i = 0; i + n <= padded.length; i++) add(char, `c:${padded.slice(i, i + n)}`);
        }
      }
    }
    return { word, char };
  }
}

/** 32-bit FNV-1a of a string's UTF-16 code units. */
function fnv1a(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

function add(m: Map<string, number>, key: string): void {
  m.set(key, (m.get(key) ?? 0) + 1);
}

function count(m: Map<string, number>): number {
  let n = 0;
  for (const v of m.values()) n += v;
  return n;
}

/** Lower-cased words and numbers, accents folded, apostrophes kept inside words. */
export function tokenize(text: string): string[] {
  return (
    text
      .normalize('NFKD')
      .replace(/\p{M}/gu, '')
      .toLowerCase()
      .replace(/[’‘]/g, "'")
      .match(/[\p{L}\p{N}]+(?:'[\p{L}]+)?/gu) ?? []
  );
}

/** A deliberately small English suffix stripper: plurals, -ing, -ed, -ly, -ise/-ize. */
export function stem(w: string): string {
  if (w.length <= 3) return w;
  if (w.endsWith("'s")) w = w.slice(0, -2);
  if (w.endsWith('ies') && w.length > 4) return `${w.slice(0, -3)}y`;
  if (w.endsWith('ise') || w.endsWith('ize')) return w.slice(0, -3);
  if (w.endsWith('ing') && w.length > 5) return w.slice(0, -3);
  if (w.endsWith('ed') && w.length > 4) return w.slice(0, -2);
  if (w.endsWith('ly') && w.length > 4) return w.slice(0, -2);
  if (w.endsWith('sses')) return w.slice(0, -2);
  if (w.endsWith('s') && !w.endsWith('ss') && !w.endsWith('us') && !w.endsWith('is')) return w.slice(0, -1);
  return w;
}
