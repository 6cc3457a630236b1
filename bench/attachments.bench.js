// Reading attachments, each figure against a baseline measured in the same run: the same
// text (40 pages of prose) as a .txt file and as a PDF.
// - warm: extractFile on the .txt (the baseline) and on the .pdf, pdfjs already loaded;
// - cold: one extraction in a fresh process (what `parley -f paper.pdf` pays, pdfjs loaded on
//   the first PDF), against the same for the .txt, and `node -e 0`;
// - install size of pdfjs-dist and its optional canvas against all of node_modules.
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { extractFile } from '../packages/core/dist/documents/extract.js';
import { makePdf } from './lib/make-pdf.js';
import { median, progress, round, writeResult } from './lib/stats.js';

const RUNS = Number(process.env.BENCH_RUNS ?? 30);
const COLD_RUNS = Number(process.env.BENCH_COLD_RUNS ?? 7);
const root = fileURLToPath(new URL('..', import.meta.url));
const dir = mkdtempSync(path.join(os.tmpdir(), 'parley-bench-attach-'));

const words = 'the quick brown fox jumps over a lazy dog while rain falls on quiet gardens'.split(' ');
const pages = Array.from({ length: 40 }, (_, p) =>
  Array.from({ length: 45 }, (_, l) =>
    Array.from({ length: 10 }, (_, w) => words[(p * 7 + l * 3 + w) % words.length]).join(' '),
  ),
);
const txt = path.join(dir, 'paper.txt');
const pdf = path.join(dir, 'paper.pdf');
writeFileSync(txt, pages.map((p) => p.join('\n')).join('\n\n'));
writeFileSync(pdf, makePdf(pages));

const opts = { maxBytes: 64 * 1024 * 1024 };
const fromPdf = await extractFile(pdf, opts);
const fromTxt = await extractFile(txt, opts);
if (fromPdf.text !== fromTxt.text.replace(/\n+$/, ''))
  throw new Error('the PDF and the .txt do not give the same text');

async function time(file) {
  const t0 = performance.now();
  await extractFile(file, opts);
  return performance.now() - t0;
}
const warm = { txt: [], pdf: [] };
for (let i = 0; i < RUNS; i++) {
  warm.txt.push(await time(txt));
  warm.pdf.push(await time(pdf));
  progress(`warm ${i + 1}/${RUNS}`);
}

function child(args) {
  const t0 = performance.now();
  const r = spawnSync(process.execPath, args, { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(r.stderr);
  return { wall: performance.now() - t0, out: r.stdout ? JSON.parse(r.stdout || '{}') : {} };
}
const once = path.join(root, 'bench/lib/extract-once.mjs');
const cold = { node: [], txt: [], pdf: [], pdfExtract: [], txtExtract: [] };
for (let i = 0; i < COLD_RUNS; i++) {
  cold.node.push(child(['-e', '0']).wall);
  const t = child([once, txt]);
  cold.txt.push(t.wall);
  cold.txtExtract.push(t.out.extractMs);
  const p = child([once, pdf]);
  cold.pdf.push(p.wall);
  cold.pdfExtract.push(p.out.extractMs);
  progress(`cold ${i + 1}/${COLD_RUNS}`);
}

const du = (p) => Number(execFileSync('du', ['-sb', p], { encoding: 'utf8' }).split('\t')[0]);
const canvas = (() => {
  try {
    return du(path.join(root, 'node_modules/@napi-rs'));
  } catch {
    return 0;
  }
})();
const size = {
  pdfjsBytes: du(path.join(root, 'node_modules/pdfjs-dist')),
  canvasBytes: canvas,
  nodeModulesBytes: du(path.join(root, 'node_modules')),
};
rmSync(dir, { recursive: true, force: true });

const m = (v) => round(median(v), 3);
writeResult('attachments', {
  pages: pages.length,
  chars: fromTxt.text.length,
  pdfBytes: fromPdf.bytes,
  warm: { txtMs: m(warm.txt), pdfMs: m(warm.pdf) },
  cold: {
    nodeMs: m(cold.node),
    txtMs: m(cold.txt),
    pdfMs: m(cold.pdf),
    txtExtractMs: m(cold.txtExtract),
    pdfExtractMs: m(cold.pdfExtract),
  },
  size,
  ratios: {
    pdf_vs_txt_warm: round(median(warm.pdf) / median(warm.txt), 2),
    pdf_vs_txt_cold_process: round(median(cold.pdf) / median(cold.txt), 2),
    pdf_first_extract_vs_txt: round(median(cold.pdfExtract) / median(cold.txtExtract), 2),
    txt_process_vs_node: round(median(cold.txt) / median(cold.node), 2),
    pdfjs_share_of_node_modules: round(size.pdfjsBytes / size.nodeModulesBytes, 4),
    pdfjs_and_canvas_share_of_node_modules: round(
      (size.pdfjsBytes + size.canvasBytes) / size.nodeModulesBytes,
      4,
    ),
  },
});
