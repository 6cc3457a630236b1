/**
 * The retrieval evaluation: the corpus in test/fixtures/documents/corpus indexed into a real
 * SQLite collection, and each labelled question of questions.json asked of it. A question is
 * found at k when one of the first k passages comes from the labelled file and contains the
 * labelled passage. Used by the retrieval tests and by `node bench/documents-recall.js`.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { indexCollection } from '../../packages/core/src/documents/collections/index-collection.js';
import { CollectionIndex } from '../../packages/core/src/documents/collections/search-collection.js';
import type { Encoder } from '../../packages/core/src/router/encoder.js';
import { SqliteConversationStore } from '../../packages/core/src/store/sqlite/sqlite-conversation-store.js';

export const CORPUS = fileURLToPath(new URL('../fixtures/documents/corpus', import.meta.url));

/** One labelled question: the file and a passage of it that answers. */
export interface LabelledQuestion {
  q: string;
  path: string;
  passage: string;
}

export const QUESTIONS: LabelledQuestion[] = JSON.parse(
  readFileSync(new URL('../fixtures/documents/questions.json', import.meta.url), 'utf8'),
) as LabelledQuestion[];

export interface EvalResult {
  /** Share of questions answered within the first k passages. */
  recall: number;
  found: number;
  questions: number;
  chunks: number;
  /** The questions missed, for reading. */
  missed: string[];
}

/** Index the corpus with `encoder` and measure recall@k. */
export async function evaluateRetrieval(
  encoder: Encoder,
  opts: { k?: number; chunkTokens?: number; chunkOverlap?: number } = {},
): Promise<EvalResult> {
  const k = opts.k ?? 5;
  const dir = mkdtempSync(path.join(os.tmpdir(), 'parley-eval-'));
  const store = SqliteConversationStore.open({ path: path.join(dir, 'eval.db') });
  try {
    const report = await indexCollection(store, 'eval', [CORPUS], {
      encoder,
      chunkTokens: opts.chunkTokens ?? 256,
      chunkOverlap: opts.chunkOverlap ?? 32,
      maxFileBytes: 1024 * 1024,
    });
    const index = await CollectionIndex.load(store, 'eval', encoder);
    let found = 0;
    const missed: string[] = [];
    for (const item of QUESTIONS) {
      const hits = await index.search(item.q, k);
      if (hits.some((h) => h.path === item.path && h.text.includes(item.passage))) found++;
      else missed.push(item.q);
    }
    return {
      recall: found / QUESTIONS.length,
      found,
      questions: QUESTIONS.length,
      chunks: report.collection.chunks,
      missed,
    };
  } finally {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  }
}
