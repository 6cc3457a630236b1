/**
 * A real PDF written by hand (one Helvetica text stream per page, a correct cross-reference
 * table): pdfjs reads it like any other PDF, and the tests need no PDF library. The builder
 * lives in bench/lib so the benchmarks use the same one.
 */
export { makeEmptyPdf, makePdf } from '../../bench/lib/make-pdf.js';
