/** Build a PDF whose page `i` shows `pages[i]`, one line per string (WinAnsi text: keep to Latin-1). */
export function makePdf(pages: string[][], opts?: { title?: string }): Buffer;
/** A PDF with pages but no text (what a scan looks like to a text extractor). */
export function makeEmptyPdf(pageCount?: number): Buffer;
