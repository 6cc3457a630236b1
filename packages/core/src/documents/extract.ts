/**
 * Reading a file into an `ExtractedDocument`: plain text, markdown and source code as they
 * are (the language noted), JSON and CSV as text, HTML as readable text, PDF as text page by
 * page. Anything else, or a binary, is refused with a `DocumentRefusedError` that names the
 * file and says why.
 */
import { createHash } from 'node:crypto';
import { open, stat } from 'node:fs/promises';
import path from 'node:path';
import { ParleyError } from '../errors.js';
import { decodeText, detectKind, looksLikePdf, UNSUPPORTED_FORMATS, type DetectedKind } from './detect.js';
import { htmlToText } from './html.js';
import type { DocumentPage, ExtractedDocument, RefusedFile } from './types.js';

export { detectKind } from './detect.js';
export type { DetectedKind } from './detect.js';

/** Why a file was refused, as a stable code. */
export type RefusalCode = 'binary' | 'too_large' | 'unsupported' | 'not_found' | 'unreadable' | 'outside';

/** A file parley will not read: `refused` names it and says why; `code` says why for machines. */
export class DocumentRefusedError extends ParleyError {
  declare readonly code: RefusalCode;
  readonly refused: RefusedFile;

  constructor(code: RefusalCode, file: string, reason: string, options: { cause?: unknown } = {}) {
    super(code, `${file}: ${reason}`, { ...options, userInput: true });
    this.refused = { path: file, reason };
  }

  static isRefusal(e: unknown): e is DocumentRefusedError {
    return ParleyError.is(e) && typeof (e as { refused?: unknown }).refused === 'object';
  }
}

/** Options of `extractFile` and `extractBytes`. */
export interface ExtractOptions {
  /** Largest file read, in bytes; a larger one is refused (`too_large`). */
  maxBytes: number;
  /** The path to show the user and the model (default: the absolute path). */
  displayPath?: string | undefined;
  /** Stops a long PDF extraction. */
  signal?: AbortSignal | undefined;
}

/** What parley reads, for refusal messages. */
export const READABLE_KINDS = 'text, markdown, source code, JSON, CSV, HTML and PDF';

/** `1.5 MB`, `320 KB`, `12 bytes`. */
export function formatBytes(n: number): string {
  if (n < 1024) return `${n} bytes`;
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(n < 10 * 1024 ? 1 : 0)} KB`;
  return `${(n / (1024 * 1024)).toFixed(1)} MB`;
}

function tooLarge(file: string, bytes: number | undefined, maxBytes: number): DocumentRefusedError {
  const size = bytes === undefined ? 'it is' : `it is ${formatBytes(bytes)},`;
  return new DocumentRefusedError('too_large', file, `${size} over the limit of ${formatBytes(maxBytes)}`);
}

/**
 * Read a file from disk into text.
 *
 * @param absPath the file (resolved by the caller; symbolic links are followed)
 * @throws DocumentRefusedError `not_found`, `unreadable`, `unsupported` (a folder, a device,
 * a format parley does not read), `binary`, or `too_large`
 */
export async function extractFile(absPath: string, opts: ExtractOptions): Promise<ExtractedDocument> {
  const shown = opts.displayPath ?? absPath;
  let info;
  try {
    info = await stat(absPath);
  } catch (e) {
    throw refusalFor(e, shown);
  }
  if (info.isDirectory()) {
    throw new DocumentRefusedError('unsupported', shown, 'it is a folder, not a file');
  }
  if (!info.isFile()) {
    throw new DocumentRefusedError(
      'unsupported',
      shown,
      'it is not a regular file (a device, pipe or socket)',
    );
  }
  if (info.size > opts.maxBytes) throw tooLarge(shown, info.size, opts.maxBytes);
  let bytes: Buffer;
  try {
    const handle = await open(absPath, 'r');
    try {
      // Read one byte past the limit: a file that grew since `stat` is still caught.
      const buf = Buffer.alloc(Math.min(info.size, opts.maxBytes) + 1);
      let filled = 0;
      for (;;) {
        const { bytesRead } = await handle.read(buf, filled, buf.length - filled, filled);
        if (bytesRead === 0) break;
        filled += bytesRead;
        if (filled === buf.length) break;
      }
      bytes = buf.subarray(0, filled);
    } finally {
      await handle.close();
    }
  } catch (e) {
    throw refusalFor(e, shown);
  }
  if (bytes.length > opts.maxBytes) throw tooLarge(shown, undefined, opts.maxBytes);
  return extractBytes(bytes, { ...opts, displayPath: shown, absPath });
}

/**
 * Read bytes that came without a file (a browser upload, a WebSocket attachment) into text.
 * `displayPath` (the file's name) decides its kind, as for a file on disk.
 */
export async function extractBytes(
  bytes: Uint8Array,
  opts: ExtractOptions & { absPath?: string | undefined },
): Promise<ExtractedDocument> {
  const shown = opts.displayPath ?? opts.absPath ?? 'attachment';
  if (bytes.length > opts.maxBytes) throw tooLarge(shown, bytes.length, opts.maxBytes);
  const detected = kindOf(shown, bytes);
  const base = {
    path: shown,
    absPath: opts.absPath ?? shown,
    bytes: bytes.length,
    sha256: createHash('sha256').update(bytes).digest('hex'),
  };
  if (detected.kind === 'pdf') {
    const pages = await readPdf(shown, bytes, opts.signal);
    return { ...base, kind: 'pdf', text: pages.map((p) => p.text).join('\n\n'), pages };
  }
  const decoded = decodeText(bytes);
  if (!decoded.ok) throw new DocumentRefusedError('binary', shown, decoded.reason);
  let text = cleanText(decoded.text);
  if (detected.kind === 'html') text = htmlToText(text).text;
  else if (detected.kind === 'json') text = readableJson(text);
  const doc: ExtractedDocument = { ...base, kind: detected.kind, text };
  if (detected.language !== undefined) doc.language = detected.language;
  return doc;
}

/** The kind by name, else by content; refuses the formats parley does not read. */
function kindOf(file: string, bytes: Uint8Array): DetectedKind {
  const byName = detectKind(file);
  if (byName) return byName;
  if (looksLikePdf(bytes)) return { kind: 'pdf' };
  const ext = path.extname(file).toLowerCase();
  const format = UNSUPPORTED_FORMATS[ext];
  if (format !== undefined) {
    throw new DocumentRefusedError(
      'unsupported',
      file,
      `it is ${format} (${ext}); parley reads ${READABLE_KINDS}${format === 'an image' ? ' (send images with --image)' : ''}`,
    );
  }
  // An unknown name: plain text when the bytes are text, refused below when they are not.
  return { kind: 'text' };
}

async function readPdf(file: string, bytes: Uint8Array, signal?: AbortSignal): Promise<DocumentPage[]> {
  if (!looksLikePdf(bytes)) {
    throw new DocumentRefusedError('unreadable', file, 'it is named .pdf but is not a PDF (no %PDF- header)');
  }
  const { extractPdfPages, PdfReadError } = await import('./pdf.js');
  let pages: DocumentPage[];
  try {
    pages = await extractPdfPages(bytes, signal);
  } catch (e) {
    if (e instanceof PdfReadError)
      throw new DocumentRefusedError('unreadable', file, e.message, { cause: e });
    throw e;
  }
  if (pages.every((p) => p.text === '')) {
    throw new DocumentRefusedError(
      'unsupported',
      file,
      'the PDF has no text layer (a scanned document?); parley does not read text from images',
    );
  }
  return pages;
}

/** Newlines normalised; control characters other than tab, newline and form feed removed. */
function cleanText(text: string): string {
  // eslint-disable-next-line no-control-regex
  return text.replace(/\r\n?/g, '\n').replace(/[\u0000-\u0008\u000b\u000e-\u001f\u007f]/g, '');
}

/** JSON on one long line is re-indented so it reads (and chunks) by line; other JSON stays as written. */
function readableJson(text: string): string {
  const longest = text.split('\n').reduce((n, l) => Math.max(n, l.length), 0);
  if (longest <= 400) return text;
  try {
    return JSON.stringify(JSON.parse(text), null, 2);
  } catch {
    return text;
  }
}

function refusalFor(e: unknown, file: string): DocumentRefusedError {
  const code = (e as NodeJS.ErrnoException).code;
  if (code === 'ENOENT' || code === 'ENOTDIR') {
    return new DocumentRefusedError('not_found', file, 'no such file', { cause: e });
  }
  if (code === 'EACCES' || code === 'EPERM') {
    return new DocumentRefusedError('unreadable', file, 'permission denied', { cause: e });
  }
  if (code === 'EISDIR') return new DocumentRefusedError('unsupported', file, 'it is a folder, not a file');
  if (code === 'ELOOP') {
    return new DocumentRefusedError('unreadable', file, 'too many symbolic links', { cause: e });
  }
  return new DocumentRefusedError(
    'unreadable',
    file,
    `it could not be read (${code ?? (e as Error).message})`,
    {
      cause: e,
    },
  );
}
