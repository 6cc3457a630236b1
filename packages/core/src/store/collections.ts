/**
 * Document collections as the store keeps them: the collection (its name, the encoder its
 * vectors come from, how its files were chunked, the paths it was made from), its files (with
 * the sha256 that incremental re-indexing compares) and their chunks with embeddings.
 */
import type { Embedding } from '../router/embedding.js';
import type { Chunk, DocumentKind } from '../documents/types.js';

/** A collection, with its totals. */
export interface CollectionRecord {
  name: string;
  /** The encoder the stored vectors come from, e.g. `lexical` or `local:bge-small-en-v1.5-q8_0`. */
  encoder: string;
  chunkTokens: number;
  chunkOverlap: number;
  /** The absolute files and folders it indexes. */
  roots: string[];
  files: number;
  chunks: number;
  createdAt: number;
  updatedAt: number;
}

/** What `collections.create` needs. */
export type NewCollection = Pick<
  CollectionRecord,
  'name' | 'encoder' | 'chunkTokens' | 'chunkOverlap' | 'roots'
>;

/** One indexed file of a collection. */
export interface CollectionFile {
  /** As citations show it: relative to the folder it was found in, under that folder's name. */
  path: string;
  absPath: string;
  kind: DocumentKind;
  sha256: string;
  bytes: number;
  chunks: number;
  indexedAt: number;
}

/** A chunk as stored: with its embedding. */
export interface StoredChunk extends Chunk {
  embedding: Embedding;
}

/** Collections of indexed documents. Names are unique; unknown names throw `NotFoundError`. */
export interface CollectionRepository {
  /** Throws `ConflictError` when the name is taken. */
  create(c: NewCollection): Promise<CollectionRecord>;
  get(name: string): Promise<CollectionRecord | undefined>;
  /** By name. */
  list(): Promise<CollectionRecord[]>;
  /** Change the roots (bumps `updatedAt`). */
  update(name: string, patch: Partial<Pick<CollectionRecord, 'roots'>>): Promise<CollectionRecord>;
  /** The collection with its files and chunks; false when there was none. */
  delete(name: string): Promise<boolean>;
  /** Its files, by path. */
  files(name: string): Promise<CollectionFile[]>;
  /** Insert or replace one file and all its chunks, in one transaction. */
  putFile(
    name: string,
    file: Omit<CollectionFile, 'chunks' | 'indexedAt'>,
    chunks: StoredChunk[],
  ): Promise<void>;
  /** Drop files (by absolute path) and their chunks; resolves to how many went. */
  removeFiles(name: string, absPaths: readonly string[]): Promise<number>;
  /** Every chunk with its embedding, by file and position. */
  chunks(name: string): Promise<StoredChunk[]>;
}
