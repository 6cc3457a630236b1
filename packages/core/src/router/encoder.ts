/** The one interface every router encoder implements: lexical, local GGUF, provider. */
import type { Embedding } from './embedding.js';

export interface Encoder {
  /** What decisions report as their encoder, e.g. `lexical` or `openai:text-embedding-3-small`. */
  readonly name: string;
  /** Lowest best score that wins by embeddings when an intent sets no threshold of its own. */
  readonly defaultThreshold: number;
  /**
   * Learn from the example utterances before the first `embed` (the lexical encoder builds its
   * vocabulary and weights here; neural encoders have nothing to learn).
   */
  fit?(corpus: readonly string[]): void;
  /** One unit-length embedding per text, in order. */
  embed(texts: readonly string[], signal?: AbortSignal): Promise<Embedding[]>;
  /** Free what the encoder holds (a loaded model). */
  dispose?(): Promise<void>;
}
