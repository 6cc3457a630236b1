/**
 * Retrieval quality on a labelled set: 37 questions over a corpus of markdown, text and code
 * files (test/fixtures/documents), each mapped to the passage that answers it. docs/DOCUMENTS.md
 * reports the figures.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { LocalEngine } from '../../packages/core/src/local/local-engine.js';
import { documentLexicalEncoder } from '../../packages/core/src/documents/retrieve.js';
import { LocalEmbeddingEncoder } from '../../packages/core/src/router/local-encoder.js';
import { STORIES } from '../helpers/models.js';
import { evaluateRetrieval, QUESTIONS } from '../helpers/retrieval-eval.js';

/** Measured 0.973 (36 of 37) with the default chunking; the floor leaves three questions of slack. */
const LEXICAL_RECALL_AT_5_FLOOR = 33 / 37;

describe('retrieval evaluation', () => {
  it('has at least 30 labelled questions over several files', () => {
    expect(QUESTIONS.length).toBeGreaterThanOrEqual(30);
    expect(new Set(QUESTIONS.map((q) => q.path)).size).toBeGreaterThanOrEqual(5);
  });

  it('keeps the lexical recall@5 above its measured floor', async () => {
    const r = await evaluateRetrieval(documentLexicalEncoder(), { k: 5 });
    console.log(
      `lexical: recall@5 ${r.recall.toFixed(3)} (${r.found}/${r.questions}) over ${r.chunks} chunks`,
    );
    expect(r.recall).toBeGreaterThanOrEqual(LEXICAL_RECALL_AT_5_FLOOR);
    const at1 = await evaluateRetrieval(documentLexicalEncoder(), { k: 1 });
    console.log(`lexical: recall@1 ${at1.recall.toFixed(3)} (${at1.found}/${at1.questions})`);
    expect(at1.recall).toBeLessThanOrEqual(r.recall);
  });

  describe('local GGUF encoder on stories260K (a smoke run: it is not an embedding model)', () => {
    const engine = new LocalEngine({ threads: 1, gpu: false });
    afterAll(() => engine.dispose());

    it('indexes and answers every question with dense vectors', async () => {
      const encoder = new LocalEmbeddingEncoder(engine, STORIES);
      try {
        const r = await evaluateRetrieval(encoder, { k: 5 });
        console.log(
          `local:stories260K: recall@5 ${r.recall.toFixed(3)} (${r.found}/${r.questions}) over ${r.chunks} chunks`,
        );
        expect(r.questions).toBe(QUESTIONS.length);
        expect(r.chunks).toBeGreaterThan(20);
        expect(r.found + r.missed.length).toBe(QUESTIONS.length);
      } finally {
        await encoder.dispose();
      }
    }, 120_000);
  });
});
