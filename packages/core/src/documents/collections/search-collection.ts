/**
 * Searching a collection: its chunks and embeddings are read from the store once into an
 * exact in-memory index (`VectorIndex`), and each question is embedded with the same encoder
 * and compared with every chunk.
 */
import { UsageError } from '../../errors.js';
import type { Encoder } from '../../router/encoder.js';
import type { StoredChunk } from '../../store/collections.js';
import type { ConversationStore } from '../../store/conversation-store.js';
import { NotFoundError } from '../../store/store-errors.js';
import { DEFAULT_TOP_K } from '../retrieve.js';
import type { Chunk, RetrievedChunk } from '../types.js';
import { VectorIndex } from '../vector-index.js';
import { checkCollectionName } from './collection-config.js';

/** A collection loaded for search. */
export class CollectionIndex {
  private constructor(
    readonly name: string,
    private readonly encoder: Encoder,
    private readonly chunks: Chunk[],
    private readonly index: VectorIndex,
  ) {}

  /** How many chunks it searches. */
  get size(): number {
    return this.chunks.length;
  }

  /**
   * Load a collection from the store.
   *
   * @throws UsageError for a bad name or an encoder other than the collection's;
   * NotFoundError for an unknown collection
   */
  static async load(store: ConversationStore, name: string, encoder: Encoder): Promise<CollectionIndex> {
    checkCollectionName(name);
    const c = await store.collections.get(name);
    if (!c) throw new NotFoundError('collection', name);
    if (c.encoder !== encoder.name) {
      throw new UsageError(
        `the collection "${name}" was indexed with the encoder ${c.encoder}, not ${encoder.name}; ` +
          `set documents.encoder to ${c.encoder}, or index it again (parley docs rm ${name}, then parley docs add)`,
      );
    }
    const stored = await store.collections.chunks(name);
    return CollectionIndex.fromChunks(name, encoder, stored);
  }

  /** An index over chunks already in memory (benchmarks, tests). */
  static fromChunks(name: string, encoder: Encoder, stored: StoredChunk[]): CollectionIndex {
    const index = new VectorIndex(stored.map((c) => c.embedding));
    const chunks = stored.map(({ embedding: _, ...chunk }) => chunk);
    return new CollectionIndex(name, encoder, chunks, index);
  }

  /** The `k` passages closest to `question`, best first. */
  async search(question: string, k = DEFAULT_TOP_K, signal?: AbortSignal): Promise<RetrievedChunk[]> {
    if (question.trim() === '' || this.chunks.length === 0) return [];
    const [q] = await this.encoder.embed([question], signal);
    if (!q) return [];
    return this.index
      .search(q, k)
      .map((h) => ({ ...(this.chunks[h.i] as Chunk), score: h.score, collection: this.name }));
  }
}
