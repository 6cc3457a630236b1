/**
 * The vocabulary of documents: a file read into text (`ExtractedDocument`), the pieces it is
 * cut into for retrieval (`Chunk`), and where an answer's words came from (`Citation`).
 * Extraction (`extract.ts`), attachments (`attach.ts`) and collections (`collections/`) all
 * speak these types and nothing else.
 */

/** What kind of file a document was read from. */
export type DocumentKind = 'text' | 'markdown' | 'code' | 'json' | 'csv' | 'html' | 'pdf';

/** One page of a paged document (PDF), 1-based, with its text. */
export interface DocumentPage {
  page: number;
  text: string;
}

/** A file read into text, ready to inline into a turn or to chunk for a collection. */
export interface ExtractedDocument {
  /** The path as the user gave it (or relative to the collection's root). */
  path: string;
  /** The resolved absolute path. */
  absPath: string;
  kind: DocumentKind;
  /** For `code`: the language (`typescript`, `python`, …) from the file's extension. */
  language?: string | undefined;
  /** The whole text. For a PDF: the pages joined with a blank line. */
  text: string;
  /** For a PDF: each page's text, in order. */
  pages?: DocumentPage[] | undefined;
  /** Bytes of the file on disk. */
  bytes: number;
  /** sha256 of the file's bytes, hex (incremental re-indexing compares it). */
  sha256: string;
}

/** Where a passage sits in its file: a line range (1-based, inclusive) or a page. */
export interface SourceLocation {
  path: string;
  startLine?: number | undefined;
  endLine?: number | undefined;
  page?: number | undefined;
}

/** A piece of a document sized for retrieval. */
export interface Chunk extends SourceLocation {
  /** 0-based position of the chunk in its document. */
  index: number;
  text: string;
  /** Tokens in `text`, as the chunker counted them. */
  tokens: number;
  /** The heading path above the chunk (markdown), e.g. `Install > Linux`. */
  heading?: string | undefined;
}

/** A passage retrieval found, with its score (higher is closer). */
export interface RetrievedChunk extends Chunk {
  score: number;
  /** The collection it came from; absent for a one-off attachment. */
  collection?: string | undefined;
}

/** A source an answer cites, as every front end shows it. */
export interface Citation extends SourceLocation {
  /** `[1]`, `[2]`, … as numbered in the context the model saw. */
  n: number;
  collection?: string | undefined;
  score?: number | undefined;
}

/** Why a file was refused: the file and the reason, in words a user understands. */
export interface RefusedFile {
  path: string;
  reason: string;
}
