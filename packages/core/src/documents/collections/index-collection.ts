/**
 * Indexing a collection, incrementally: the roots are walked, each file's sha256 is compared
 * with the stored one, and only new or changed files are read, chunked and embedded again;
 * files gone from the roots (or now refused) are dropped. Binaries and other refused files are
 * skipped and counted, never fatal.
 */
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import path from 'node:path';
import { UsageError } from '../../errors.js';
import type { Encoder } from '../../router/encoder.js';
import type { CollectionRecord, StoredChunk } from '../../store/collections.js';
import type { ConversationStore } from '../../store/conversation-store.js';
import { NotFoundError } from '../../store/store-errors.js';
import { abortReason } from '../../util/abort.js';
import { chunkDocument } from '../chunk.js';
import { DocumentRefusedError, extractFile, formatBytes } from '../extract.js';
import { embeddingText } from '../retrieve.js';
import type { ExtractedDocument } from '../types.js';
import { checkCollectionName } from './collection-config.js';
import { walkRoots } from './walk.js';

/** A file left out, and why. */
export interface SkippedFile {
  path: string;
  code: string;
  reason: string;
}

/** What an indexing run did. */
export interface IndexReport {
  collection: CollectionRecord;
  /** Files read for the first time, read again because they changed, and left as they were. */
  added: number;
  updated: number;
  unchanged: number;
  /** Files dropped because they are gone from the roots (or are now refused). */
  removed: number;
  /** Chunks embedded in this run. */
  chunks: number;
  skipped: SkippedFile[];
  /** How many of the skipped files are binaries. */
  binaries: number;
  /** Files and folders a `.gitignore` left out. */
  ignored: number;
}

/** Progress of a run: `done` of `total` files looked at, and the one now. */
export interface IndexProgress {
  done: number;
  total: number;
  path: string;
}

/** Options of `indexCollection`. */
export interface IndexOptions {
  encoder: Encoder;
  chunkTokens: number;
  chunkOverlap: number;
  maxFileBytes: number;
  /** Reads a file (default: `extractFile`). */
  extract?: (absPath: string, opts: { maxBytes: number; displayPath?: string }) => Promise<ExtractedDocument>;
  onProgress?: (p: IndexProgress) => void;
  signal?: AbortSignal;
}

async function sha256Of(file: string): Promise<string> {
  const h = createHash('sha256');
  for await (const chunk of createReadStream(file)) h.update(chunk as Buffer);
  return h.digest('hex');
}

/**
 * Create the collection (when `roots` are given and it does not exist) or add `roots` to it,
 * then bring it up to date with its roots. With no roots, an existing collection is re-indexed.
 *
 * @throws UsageError for a bad name, a root that does not exist, an unknown collection without
 * roots, or an encoder other than the one the collection was made with
 */
export async function indexCollection(
  store: ConversationStore,
  name: string,
  roots: readonly string[],
  opts: IndexOptions,
): Promise<IndexReport> {
  checkCollectionName(name);
  const { signal } = opts;
  const absRoots = roots.map((r) => path.resolve(r));
  // Every root must exist before anything is stored.
  for (const r of absRoots) {
    if (!(await stat(r).catch(() => undefined))) throw new UsageError(`${r}: no such file or folder`);
  }
  let c = await store.collections.get(name);
  if (!c) {
    if (absRoots.length === 0) {
      throw new NotFoundError('collection', name);
    }
    c = await store.collections.create({
      name,
      encoder: opts.encoder.name,
      chunkTokens: opts.chunkTokens,
      chunkOverlap: opts.chunkOverlap,
      roots: [...new Set(absRoots)],
    });
  } else {
    if (c.encoder !== opts.encoder.name) {
      throw new UsageError(
        `the collection "${name}" was indexed with the encoder ${c.encoder}, not ${opts.encoder.name}; ` +
          `set documents.encoder back, or remove it (parley docs rm ${name}) and add it again`,
      );
    }
    const merged = [...new Set([...c.roots, ...absRoots])];
    if (merged.length !== c.roots.length) c = await store.collections.update(name, { roots: merged });
  }
  const extract = opts.extract ?? extractFile;
  const walked = await walkRoots(c.roots, signal);
  const stored = new Map((await store.collections.files(name)).map((f) => [f.absPath, f]));
  const report: Omit<IndexReport, 'collection'> = {
    added: 0,
    updated: 0,
    unchanged: 0,
    removed: 0,
    chunks: 0,
    skipped: [],
    binaries: 0,
    ignored: walked.ignored,
  };
  const gone: string[] = [];
  const total = walked.files.length;
  for (const [i, f] of walked.files.entries()) {
    if (signal?.aborted) throw abortReason(signal);
    opts.onProgress?.({ done: i, total, path: f.path });
    const before = stored.get(f.absPath);
    stored.delete(f.absPath);
    try {
      const info = await stat(f.absPath);
      if (info.size > opts.maxFileBytes) {
        throw new DocumentRefusedError(
          'too_large',
          f.path,
          `it is ${formatBytes(info.size)}, over the limit of ${formatBytes(opts.maxFileBytes)} (documents.max_file_bytes)`,
        );
      }
      if (before && before.sha256 === (await sha256Of(f.absPath)) && before.path === f.path) {
        report.unchanged++;
        continue;
      }
      const doc = await extract(f.absPath, { maxBytes: opts.maxFileBytes, displayPath: f.path });
      const chunks = chunkDocument(doc, { chunkTokens: c.chunkTokens, overlapTokens: c.chunkOverlap });
      const vectors = chunks.length > 0 ? await opts.encoder.embed(chunks.map(embeddingText), signal) : [];
      const withVectors: StoredChunk[] = chunks.map((ch, j) => ({
        ...ch,
        embedding: vectors[j] as StoredChunk['embedding'],
      }));
      await store.collections.putFile(
        name,
        { path: f.path, absPath: f.absPath, kind: doc.kind, sha256: doc.sha256, bytes: doc.bytes },
        withVectors,
      );
      report.chunks += chunks.length;
      if (before) report.updated++;
      else report.added++;
    } catch (e) {
      if (!DocumentRefusedError.isRefusal(e)) throw e;
      report.skipped.push({ path: f.path, code: e.code, reason: e.refused.reason });
      if (e.code === 'binary') report.binaries++;
      if (before) gone.push(f.absPath);
    }
  }
  opts.onProgress?.({ done: total, total, path: '' });
  gone.push(...stored.keys());
  report.removed = gone.length > 0 ? await store.collections.removeFiles(name, gone) : 0;
  const collection = (await store.collections.get(name)) as CollectionRecord;
  return { collection, ...report };
}
