/**
 * The intents' example utterances, embedded once, and how a query scores against them: for
 * each intent, the mean similarity of its `k` closest examples.
 */
import { normalize, similarity, type Embedding } from './embedding.js';
import type { Encoder } from './encoder.js';
import type { Intent, IntentScore } from './types.js';

/** Examples per intent averaged into its score (1 = nearest neighbour). */
export const DEFAULT_TOP_K = 3;

export class IntentIndex {
  private constructor(
    readonly encoder: Encoder,
    private readonly names: readonly string[],
    private readonly examples: readonly { intent: number; text: string; vector: Embedding }[],
    private readonly topK: number,
  ) {}

  /** Fit the encoder to every example and embed them (one `embed` call). */
  static async build(
    intents: readonly Intent[],
    encoder: Encoder,
    opts: { topK?: number | undefined; signal?: AbortSignal | undefined } = {},
  ): Promise<IntentIndex> {
    const names = intents.map((i) => i.name);
    const owners: number[] = [];
    const corpus: string[] = [];
    intents.forEach((intent, n) => {
      for (const e of intent.examples) {
        owners.push(n);
        corpus.push(e);
      }
    });
    encoder.fit?.(corpus);
    const vectors = corpus.length > 0 ? await encoder.embed(corpus, opts.signal) : [];
    const examples = vectors.map((v, i) => ({
      intent: owners[i] as number,
      text: corpus[i] as string,
      vector: unit(v),
    }));
    return new IntentIndex(encoder, names, examples, Math.max(1, opts.topK ?? DEFAULT_TOP_K));
  }

  /** Every intent's score for `text`, best first (intents without examples score 0). */
  async score(text: string, signal?: AbortSignal): Promise<IntentScore[]> {
    const q = await this.query(text, signal);
    const best: number[][] = this.names.map(() => []);
    for (const e of this.examples) {
      const top = best[e.intent] as number[];
      const s = similarity(q, e.vector);
      if (top.length < this.topK) {
        top.push(s);
        top.sort((a, b) => b - a);
      } else if (s > (top[top.length - 1] as number)) {
        top[top.length - 1] = s;
        top.sort((a, b) => b - a);
      }
    }
    return this.names
      .map((intent, i) => {
        const top = best[i] as number[];
        const score = top.length ? top.reduce((a, b) => a + b, 0) / top.length : 0;
        return { intent, score: round(score) };
      })
      .sort((a, b) => b.score - a.score);
  }

  /** The `n` examples of every intent closest to `text`, in intent order. */
  async nearest(text: string, n: number, signal?: AbortSignal): Promise<NearestExamples[]> {
    const q = await this.query(text, signal);
    const all = this.examples.map((e) => ({ ...e, score: round(similarity(q, e.vector)) }));
    return this.names.map((intent, i) => ({
      intent,
      examples: all
        .filter((e) => e.intent === i)
        .sort((a, b) => b.score - a.score)
        .slice(0, n)
        .map((e) => ({ text: e.text, score: e.score })),
    }));
  }

  private async query(text: string, signal?: AbortSignal): Promise<Embedding> {
    const [v] = await this.encoder.embed([text], signal);
    if (!v) throw new Error(`encoder ${this.encoder.name} returned no embedding`);
    return unit(v);
  }
}

function round(x: number): number {
  return Math.round(x * 10_000) / 10_000;
}

/** The examples of each intent closest to a query, for `parley route --explain`. */
export interface NearestExamples {
  intent: string;
  examples: { text: string; score: number }[];
}

function unit(v: Embedding): Embedding {
  return v instanceof Float32Array ? normalize(v) : v;
}
