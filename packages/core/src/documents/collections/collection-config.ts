/** Collection settings from config: sizes, limits, names, and the encoder `documents.encoder` names. */
import type { ParleyConfig } from '../../config/schema.js';
import { UsageError } from '../../errors.js';
import type { Encoder } from '../../router/encoder.js';
import { neuralEncoder, type RouterDeps } from '../../router/router-config.js';
import { DEFAULT_CHUNK_OVERLAP, DEFAULT_CHUNK_TOKENS } from '../chunk.js';
import { DEFAULT_TOP_K, documentLexicalEncoder } from '../retrieve.js';

/** Largest file indexed when `documents.max_file_bytes` is not set: 10 MiB. */
export const DEFAULT_MAX_FILE_BYTES = 10 * 1024 * 1024;

/** The `[documents]` settings with their defaults filled in. */
export interface DocumentSettings {
  chunkTokens: number;
  chunkOverlap: number;
  topK: number;
  encoder: string;
  maxFileBytes: number;
}

export function documentSettings(config: Pick<ParleyConfig, 'documents'>): DocumentSettings {
  const d = config.documents;
  return {
    chunkTokens: d?.chunk_tokens ?? DEFAULT_CHUNK_TOKENS,
    chunkOverlap: d?.chunk_overlap ?? DEFAULT_CHUNK_OVERLAP,
    topK: d?.top_k ?? DEFAULT_TOP_K,
    encoder: d?.encoder ?? 'lexical',
    maxFileBytes: d?.max_file_bytes ?? DEFAULT_MAX_FILE_BYTES,
  };
}

/** The encoder `documents.encoder` names; `lexical` is the hashed lexical encoder. */
export async function documentEncoderFromConfig(deps: RouterDeps): Promise<Encoder> {
  const spec = documentSettings(deps.config).encoder;
  if (spec === 'lexical') return documentLexicalEncoder();
  return neuralEncoder(spec, 'documents.encoder', deps);
}

/** Collection names: a letter or digit, then letters, digits, `_`, `-` or `.`; at most 64. */
export const COLLECTION_NAME = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/;

/** @throws UsageError naming the bad collection name and what a good one looks like */
export function checkCollectionName(name: string): void {
  if (!COLLECTION_NAME.test(name)) {
    throw new UsageError(
      `${JSON.stringify(name)} is not a collection name: use up to 64 letters, digits, _ - or ., starting with a letter or digit`,
    );
  }
}
