/**
 * Retrieval over documents that are not in a collection (an attachment too big to inline),
 * and the context a model sees: the passages numbered `[1]`, `[2]`, … with where each came
 * from, and the matching citations for the front ends.
 */
import type { Encoder } from '../router/encoder.js';
import { LexicalEncoder } from '../router/lexical-encoder.js';
import { abortReason } from '../util/abort.js';
import { chunkDocument, type ChunkOptions } from './chunk.js';
import type { Chunk, Citation, ExtractedDocument, RetrievedChunk, SourceLocation } from './types.js';
import { VectorIndex } from './vector-index.js';

/** Passages retrieved when nothing says how many (`documents.top_k`). */
export const DEFAULT_TOP_K = 5;

/**
 * The offline default encoder for documents: lexical, hashed (nothing to fit, vectors stable),
 * words and word pairs without character n-grams. On the evaluation set n-grams did not help
 * (recall@5 0.946 with them, 0.973 without) and made ten times the features, which loading
 * and searching a collection pay for (docs/DOCUMENTS.md).
 */
export function documentLexicalEncoder(): LexicalEncoder {
  return new LexicalEncoder({ hashed: true, charNgrams: false });
}

/** What a chunk is embedded as: its heading path (markdown) above its text. */
export function embeddingText(c: Pick<Chunk, 'text' | 'heading'>): string {
  return c.heading ? `${c.heading}\n${c.text}` : c.text;
}

/** Options of `retrieveFromDocuments`. */
export interface RetrieveOptions extends ChunkOptions {
  /** Passages to return (default 5). */
  k?: number;
  /** Default: the hashed lexical encoder (offline). */
  encoder?: Encoder;
  signal?: AbortSignal;
}

/**
 * The `k` passages of `docs` closest to `question`, best first. The documents are chunked and
 * embedded for this one question and nothing is stored.
 */
export async function retrieveFromDocuments(
  question: string,
  docs: ExtractedDocument[],
  opts: RetrieveOptions = {},
): Promise<RetrievedChunk[]> {
  const { signal } = opts;
  if (signal?.aborted) throw abortReason(signal);
  const chunks = docs.flatMap((d) => chunkDocument(d, opts));
  if (chunks.length === 0 || question.trim() === '') return [];
  const encoder = opts.encoder ?? documentLexicalEncoder();
  const texts = chunks.map(embeddingText);
  // An encoder that learns from its corpus (the fitted lexical one) learns from these chunks.
  encoder.fit?.(texts);
  const vectors = await encoder.embed(texts, signal);
  const [query] = await encoder.embed([question], signal);
  if (!query) return [];
  const hits = new VectorIndex(vectors).search(query, opts.k ?? DEFAULT_TOP_K);
  return hits.map((h) => ({ ...(chunks[h.i] as Chunk), score: h.score }));
}

/** Where a passage is, as people read it: `notes.md:12-30` or `report.pdf, page 4`. */
export function formatLocation(s: SourceLocation): string {
  if (s.page !== undefined) return `${s.path}, page ${s.page}`;
  if (s.startLine === undefined) return s.path;
  if (s.endLine === undefined || s.endLine === s.startLine) return `${s.path}:${s.startLine}`;
  return `${s.path}:${s.startLine}-${s.endLine}`;
}

/**
 * The retrieved passages as the model sees them, numbered from 1, and the citations with the
 * same numbers. An empty list gives an empty text and no citations.
 */
export function formatContext(chunks: RetrievedChunk[]): { text: string; citations: Citation[] } {
  if (chunks.length === 0) return { text: '', citations: [] };
  const citations: Citation[] = [];
  const parts: string[] = [];
  chunks.forEach((c, i) => {
    const n = i + 1;
    const where = c.collection ? `${c.collection}: ${formatLocation(c)}` : formatLocation(c);
    parts.push(`[${n}] ${where}${c.heading ? ` (${c.heading})` : ''}\n${c.text.trim()}`);
    citations.push({
      n,
      path: c.path,
      ...(c.startLine !== undefined ? { startLine: c.startLine } : {}),
      ...(c.endLine !== undefined ? { endLine: c.endLine } : {}),
      ...(c.page !== undefined ? { page: c.page } : {}),
      ...(c.collection !== undefined ? { collection: c.collection } : {}),
      score: c.score,
    });
  });
  const text =
    'Answer from the numbered sources below. Cite each source you use by its number in brackets, like [1].\n\n' +
    parts.join('\n\n');
  return { text, citations };
}
