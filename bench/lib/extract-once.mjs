// One extraction in a fresh process (the first PDF of a one-shot pays for loading pdfjs):
// prints {importMs, extractMs} as JSON. Usage: node extract-once.mjs FILE
const t0 = performance.now();
const { extractFile } = await import('../../packages/core/dist/documents/extract.js');
const t1 = performance.now();
const doc = await extractFile(process.argv[2], { maxBytes: 64 * 1024 * 1024 });
const t2 = performance.now();
process.stdout.write(JSON.stringify({ importMs: t1 - t0, extractMs: t2 - t1, chars: doc.text.length }));
