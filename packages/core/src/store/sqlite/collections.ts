/** Document collections in SQLite: collections, their files, and chunks with embeddings. */
import type { DocumentKind } from '../../documents/types.js';
import { decodeEmbedding, encodeEmbedding } from '../../documents/vector-index.js';
import type {
  CollectionFile,
  CollectionRecord,
  CollectionRepository,
  NewCollection,
  StoredChunk,
} from '../collections.js';
import { ConflictError, NotFoundError } from '../store-errors.js';
import { guard, sqliteCode, type SqliteContext } from './sqlite-util.js';

interface CollectionRow {
  name: string;
  encoder: string;
  chunk_tokens: number;
  chunk_overlap: number;
  roots: string;
  created_at: number;
  updated_at: number;
  files: number;
  chunks: number;
}

interface FileRow {
  path: string;
  abs_path: string;
  kind: string;
  sha256: string;
  bytes: number;
  chunks: number;
  indexed_at: number;
}

interface ChunkRow {
  path: string;
  idx: number;
  text: string;
  tokens: number;
  heading: string | null;
  start_line: number | null;
  end_line: number | null;
  page: number | null;
  embedding: Buffer;
}

const SELECT_COLLECTION = `SELECT c.*,
    (SELECT count(*) FROM collection_files f WHERE f.collection = c.name) AS files,
    (SELECT coalesce(sum(f.chunks), 0) FROM collection_files f WHERE f.collection = c.name) AS chunks
  FROM collections c`;

function collectionFrom(r: CollectionRow): CollectionRecord {
  return {
    name: r.name,
    encoder: r.encoder,
    chunkTokens: r.chunk_tokens,
    chunkOverlap: r.chunk_overlap,
    roots: JSON.parse(r.roots) as string[],
    files: r.files,
    chunks: r.chunks,
    createdAt: r.created_at,
    updatedAt: r.updated_at,
  };
}

function fileFrom(r: FileRow): CollectionFile {
  return {
    path: r.path,
    absPath: r.abs_path,
    kind: r.kind as DocumentKind,
    sha256: r.sha256,
    bytes: r.bytes,
    chunks: r.chunks,
    indexedAt: r.indexed_at,
  };
}

/** A stored chunk row back as a chunk (absent columns stay absent). */
export function chunkFrom(r: ChunkRow): StoredChunk {
  return {
    path: r.path,
    index: r.idx,
    text: r.text,
    tokens: r.tokens,
    ...(r.heading !== null ? { heading: r.heading } : {}),
    ...(r.start_line !== null ? { startLine: r.start_line } : {}),
    ...(r.end_line !== null ? { endLine: r.end_line } : {}),
    ...(r.page !== null ? { page: r.page } : {}),
    embedding: decodeEmbedding(r.embedding),
  };
}

/** `CollectionRepository` over SQLite. */
export class SqliteCollections implements CollectionRepository {
  constructor(private readonly ctx: SqliteContext) {}

  private must(name: string): void {
    if (!this.ctx.db.prepare('SELECT 1 FROM collections WHERE name = ?').get(name)) {
      throw new NotFoundError('collection', name);
    }
  }

  create(c: NewCollection): Promise<CollectionRecord> {
    return guard('create a collection', () => {
      const t = this.ctx.now();
      try {
        this.ctx.db
          .prepare(
            `INSERT INTO collections (name, encoder, chunk_tokens, chunk_overlap, roots, created_at, updated_at)
             VALUES (?, ?, ?, ?, ?, ?, ?)`,
          )
          .run(c.name, c.encoder, c.chunkTokens, c.chunkOverlap, JSON.stringify(c.roots), t, t);
      } catch (e) {
        if (sqliteCode(e) === 'SQLITE_CONSTRAINT_PRIMARYKEY') throw new ConflictError('collection', c.name);
        throw e;
      }
      return { ...c, roots: [...c.roots], files: 0, chunks: 0, createdAt: t, updatedAt: t };
    });
  }

  get(name: string): Promise<CollectionRecord | undefined> {
    return guard('read a collection', () => {
      const r = this.ctx.db.prepare(`${SELECT_COLLECTION} WHERE c.name = ?`).get(name) as
        CollectionRow | undefined;
      return r && collectionFrom(r);
    });
  }

  list(): Promise<CollectionRecord[]> {
    return guard('list collections', () =>
      (this.ctx.db.prepare(`${SELECT_COLLECTION} ORDER BY c.name`).all() as CollectionRow[]).map(
        collectionFrom,
      ),
    );
  }

  update(name: string, patch: Partial<Pick<CollectionRecord, 'roots'>>): Promise<CollectionRecord> {
    return guard('update a collection', () => {
      this.must(name);
      const t = this.ctx.now();
      if (patch.roots) {
        this.ctx.db
          .prepare('UPDATE collections SET roots = ?, updated_at = ? WHERE name = ?')
          .run(JSON.stringify(patch.roots), t, name);
      } else {
        this.ctx.db.prepare('UPDATE collections SET updated_at = ? WHERE name = ?').run(t, name);
      }
      const r = this.ctx.db.prepare(`${SELECT_COLLECTION} WHERE c.name = ?`).get(name) as CollectionRow;
      return collectionFrom(r);
    });
  }

  delete(name: string): Promise<boolean> {
    return guard('delete a collection', () => {
      const run = this.ctx.db.transaction(() => {
        this.ctx.db.prepare('DELETE FROM collection_chunks WHERE collection = ?').run(name);
        this.ctx.db.prepare('DELETE FROM collection_files WHERE collection = ?').run(name);
        return this.ctx.db.prepare('DELETE FROM collections WHERE name = ?').run(name).changes > 0;
      });
      return run.immediate();
    });
  }

  files(name: string): Promise<CollectionFile[]> {
    return guard('list the files of a collection', () => {
      this.must(name);
      const rows = this.ctx.db
        .prepare('SELECT * FROM collection_files WHERE collection = ? ORDER BY path')
        .all(name) as FileRow[];
      return rows.map(fileFrom);
    });
  }

  putFile(
    name: string,
    file: Omit<CollectionFile, 'chunks' | 'indexedAt'>,
    chunks: StoredChunk[],
  ): Promise<void> {
    return guard('store an indexed file', () => {
      const db = this.ctx.db;
      const insertChunk = db.prepare(
        `INSERT INTO collection_chunks
           (collection, abs_path, idx, text, tokens, heading, start_line, end_line, page, embedding)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      );
      const run = db.transaction(() => {
        this.must(name);
        db.prepare('DELETE FROM collection_chunks WHERE collection = ? AND abs_path = ?').run(
          name,
          file.absPath,
        );
        db.prepare(
          `INSERT INTO collection_files (collection, abs_path, path, kind, sha256, bytes, chunks, indexed_at)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?)
           ON CONFLICT (collection, abs_path) DO UPDATE SET path = excluded.path, kind = excluded.kind,
             sha256 = excluded.sha256, bytes = excluded.bytes, chunks = excluded.chunks, indexed_at = excluded.indexed_at`,
        ).run(
          name,
          file.absPath,
          file.path,
          file.kind,
          file.sha256,
          file.bytes,
          chunks.length,
          this.ctx.now(),
        );
        for (const c of chunks) {
          insertChunk.run(
            name,
            file.absPath,
            c.index,
            c.text,
            c.tokens,
            c.heading ?? null,
            c.startLine ?? null,
            c.endLine ?? null,
            c.page ?? null,
            encodeEmbedding(c.embedding),
          );
        }
        db.prepare('UPDATE collections SET updated_at = ? WHERE name = ?').run(this.ctx.now(), name);
      });
      run.immediate();
    });
  }

  removeFiles(name: string, absPaths: readonly string[]): Promise<number> {
    return guard('remove files from a collection', () => {
      const db = this.ctx.db;
      const run = db.transaction(() => {
        this.must(name);
        let n = 0;
        for (const p of absPaths) {
          db.prepare('DELETE FROM collection_chunks WHERE collection = ? AND abs_path = ?').run(name, p);
          n += db
            .prepare('DELETE FROM collection_files WHERE collection = ? AND abs_path = ?')
            .run(name, p).changes;
        }
        if (n > 0)
          db.prepare('UPDATE collections SET updated_at = ? WHERE name = ?').run(this.ctx.now(), name);
        return n;
      });
      return run.immediate();
    });
  }

  chunks(name: string): Promise<StoredChunk[]> {
    return guard('read the chunks of a collection', () => {
      this.must(name);
      const rows = this.ctx.db
        .prepare(
          `SELECT f.path, c.idx, c.text, c.tokens, c.heading, c.start_line, c.end_line, c.page, c.embedding
           FROM collection_chunks c JOIN collection_files f ON f.collection = c.collection AND f.abs_path = c.abs_path
           WHERE c.collection = ? ORDER BY f.path, c.idx`,
        )
        .all(name) as ChunkRow[];
      return rows.map(chunkFrom);
    });
  }
}
