/**
 * PDF text, page by page, with pdfjs-dist's legacy build (the one that runs in Node 20).
 * pdfjs is loaded on the first PDF only: a one-shot without a PDF never pays for it
 * (docs/PERFORMANCE.md has the figures).
 */
import type { DocumentPage } from './types.js';

/** Why a PDF could not be read: encrypted, damaged, or not a PDF at all. */
export class PdfReadError extends Error {
  constructor(
    message: string,
    readonly encrypted = false,
  ) {
    super(message);
    this.name = 'PdfReadError';
  }
}

interface TextItemLike {
  str?: string;
  hasEOL?: boolean;
}

type PdfJs = typeof import('pdfjs-dist/legacy/build/pdf.mjs');
let pdfjs: Promise<PdfJs> | undefined;

function loadPdfJs(): Promise<PdfJs> {
  pdfjs ??= import('pdfjs-dist/legacy/build/pdf.mjs');
  pdfjs.catch(() => (pdfjs = undefined));
  return pdfjs;
}

/**
 * Each page's text, in order (pages without text have an empty string). Text items join
 * with a space, or a newline where pdfjs saw the end of a line.
 *
 * @throws PdfReadError when the bytes are not a readable PDF
 */
export async function extractPdfPages(bytes: Uint8Array, signal?: AbortSignal): Promise<DocumentPage[]> {
  const lib = await loadPdfJs();
  signal?.throwIfAborted();
  // pdfjs takes ownership of (and may detach) the buffer: give it a copy.
  const task = lib.getDocument({
    data: new Uint8Array(bytes),
    useSystemFonts: false,
    disableFontFace: true,
    isEvalSupported: false,
    stopAtErrors: false,
    verbosity: 0,
  });
  const onAbort = (): void => void task.destroy();
  signal?.addEventListener('abort', onAbort, { once: true });
  try {
    let doc;
    try {
      doc = await task.promise;
    } catch (e) {
      const name = (e as { name?: string }).name;
      if (name === 'PasswordException') throw new PdfReadError('it is encrypted (password-protected)', true);
      throw new PdfReadError(`it is not a readable PDF (${(e as Error).message})`);
    }
    const pages: DocumentPage[] = [];
    for (let n = 1; n <= doc.numPages; n++) {
      signal?.throwIfAborted();
      const page = await doc.getPage(n);
      const content = await page.getTextContent();
      let text = '';
      for (const item of content.items as TextItemLike[]) {
        if (typeof item.str !== 'string') continue;
        if (
          text !== '' &&
          !text.endsWith('\n') &&
          item.str !== '' &&
          !/\s$/.test(text) &&
          !/^\s/.test(item.str)
        ) {
          text += ' ';
        }
        text += item.str;
        if (item.hasEOL) text += '\n';
      }
      page.cleanup();
      pages.push({ page: n, text: tidy(text) });
    }
    return pages;
  } finally {
    signal?.removeEventListener('abort', onAbort);
    await task.destroy().catch(() => undefined);
  }
}

function tidy(text: string): string {
  return text
    .split('\n')
    .map((l) => l.replace(/[ \t]+/g, ' ').trim())
    .join('\n')
    .replace(/\n{3,}/g, '\n\n')
    .trim();
}
