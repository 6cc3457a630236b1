/**
 * `parley.documents()`: document collections as front ends use them. Add (and re-index),
 * list, show and remove collections; retrieve passages for a question, and the context and
 * citations a turn answers from. The encoder (`documents.encoder`) loads on first use, and a
 * loaded collection is kept for the next question until it is indexed again.
 */
import type { Encoder } from '../../router/encoder.js';
import type { RouterDeps } from '../../router/router-config.js';
import type { CollectionFile, CollectionRecord } from '../../store/collections.js';
import type { ConversationStore } from '../../store/conversation-store.js';
import { NotFoundError } from '../../store/store-errors.js';
import { formatContext } from '../retrieve.js';
import type { Citation, RetrievedChunk } from '../types.js';
import { checkCollectionName, documentEncoderFromConfig, documentSettings } from './collection-config.js';
import { indexCollection, type IndexProgress, type IndexReport } from './index-collection.js';
import { CollectionIndex } from './search-collection.js';

/** The context of a turn answered from a collection. */
export interface DocumentContext {
  /** The numbered passages and how to cite them, for the model. */
  text: string;
  citations: Citation[];
  chunks: RetrievedChunk[];
}

export class DocumentCollections {
  private encoderPromise: Promise<Encoder> | undefined;
  private readonly loaded = new Map<string, Promise<CollectionIndex>>();

  constructor(
    private readonly store: () => ConversationStore,
    private readonly deps: RouterDeps,
  ) {}

  /** The encoder `documents.encoder` names, made on first use. */
  encoder(): Promise<Encoder> {
    if (!this.encoderPromise) {
      const p = documentEncoderFromConfig(this.deps);
      this.encoderPromise = p;
      p.catch(() => {
        if (this.encoderPromise === p) this.encoderPromise = undefined;
      });
    }
    return this.encoderPromise;
  }

  /** Create or extend a collection with `roots` and bring it up to date (no roots: re-index). */
  async add(
    name: string,
    roots: readonly string[],
    opts: { onProgress?: (p: IndexProgress) => void; signal?: AbortSignal } = {},
  ): Promise<IndexReport> {
    const s = documentSettings(this.deps.config);
    this.loaded.delete(name);
    return indexCollection(this.store(), name, roots, {
      encoder: await this.encoder(),
      chunkTokens: s.chunkTokens,
      chunkOverlap: s.chunkOverlap,
      maxFileBytes: s.maxFileBytes,
      ...opts,
    });
  }

  /** The collections, by name. A store that cannot be opened rejects (never throws at the call). */
  async list(): Promise<CollectionRecord[]> {
    return this.store().collections.list();
  }

  /** A collection and its files; throws `NotFoundError` for an unknown one. */
  async show(name: string): Promise<{ collection: CollectionRecord; files: CollectionFile[] }> {
    checkCollectionName(name);
    const collection = await this.store().collections.get(name);
    if (!collection) throw new NotFoundError('collection', name);
    return { collection, files: await this.store().collections.files(name) };
  }

  /** Remove a collection; throws `NotFoundError` for an unknown one. */
  async remove(name: string): Promise<void> {
    checkCollectionName(name);
    this.loaded.delete(name);
    if (!(await this.store().collections.delete(name))) throw new NotFoundError('collection', name);
  }

  /** The passages of a collection closest to `question` (`documents.top_k` unless `k`). */
  async retrieve(
    name: string,
    question: string,
    opts: { k?: number; signal?: AbortSignal } = {},
  ): Promise<RetrievedChunk[]> {
    let p = this.loaded.get(name);
    if (!p) {
      p = this.encoder().then((e) => CollectionIndex.load(this.store(), name, e));
      this.loaded.set(name, p);
      p.catch(() => this.loaded.delete(name));
    }
    const index = await p;
    return index.search(question, opts.k ?? documentSettings(this.deps.config).topK, opts.signal);
  }

  /** The context a turn about `question` answers from, with its citations. */
  async context(
    name: string,
    question: string,
    opts: { k?: number; signal?: AbortSignal } = {},
  ): Promise<DocumentContext> {
    const chunks = await this.retrieve(name, question, opts);
    return { ...formatContext(chunks), chunks };
  }

  /** Unload the encoder's model, if it has one. */
  async dispose(): Promise<void> {
    const p = this.encoderPromise;
    this.encoderPromise = undefined;
    this.loaded.clear();
    await p?.then((e) => e.dispose?.()).catch(() => undefined);
  }
}

/** The question with its context, as the user turn the model answers. */
export function questionWithContext(question: string, ctx: Pick<DocumentContext, 'text'>): string {
  if (!ctx.text) return question;
  return `${ctx.text}\n\nQuestion: ${question}`;
}
