/**
 * Cutting a document into chunks for retrieval, along its structure: markdown sections under
 * their headings (a fenced code block stays whole when it fits), code at top-level blank
 * lines, text at paragraphs, a PDF page by page. Chunks are sized in tokens (the same estimate
 * the chat engine trims with) and the next chunk of a section starts with the last lines of
 * the one before, up to the overlap. Every chunk knows its line range (1-based, inclusive),
 * or its page for a PDF.
 */
import { estimateTokens } from '../engine/trim.js';
import type { Chunk, ExtractedDocument } from './types.js';

/** How big chunks are. */
export interface ChunkOptions {
  /** Most tokens in a chunk (default 256). */
  chunkTokens?: number;
  /** Tokens of the previous chunk repeated at the start of the next (default 32). */
  overlapTokens?: number;
}

export const DEFAULT_CHUNK_TOKENS = 256;
export const DEFAULT_CHUNK_OVERLAP = 32;

/** A run of whole lines (0-based, inclusive) that is best kept together. */
interface Block {
  start: number;
  end: number;
  /** A new section starts here: no chunk spans it, and no overlap crosses it. */
  section: boolean;
  heading?: string | undefined;
}

/** A piece of text with its lines (0-based, inclusive). */
interface Piece {
  start: number;
  end: number;
  text: string;
  tokens: number;
}

/** The chunks of a document, in order. */
export function chunkDocument(doc: ExtractedDocument, opts: ChunkOptions = {}): Chunk[] {
  const max = Math.max(8, Math.floor(opts.chunkTokens ?? DEFAULT_CHUNK_TOKENS));
  const overlap = Math.max(0, Math.min(Math.floor(opts.overlapTokens ?? DEFAULT_CHUNK_OVERLAP), max >> 1));
  const out: Chunk[] = [];
  if (doc.pages && doc.pages.length > 0) {
    for (const p of doc.pages) {
      const lines = splitLines(p.text);
      for (const c of pack(lines, paragraphBlocks(lines), max, overlap)) {
        out.push({ path: doc.path, page: p.page, index: out.length, text: c.text, tokens: c.tokens });
      }
    }
    return out;
  }
  const lines = splitLines(doc.text);
  const blocks =
    doc.kind === 'markdown'
      ? markdownBlocks(lines)
      : doc.kind === 'code'
        ? codeBlocks(lines)
        : paragraphBlocks(lines);
  for (const c of pack(lines, blocks, max, overlap)) {
    out.push({
      path: doc.path,
      startLine: c.start + 1,
      endLine: c.end + 1,
      index: out.length,
      text: c.text,
      tokens: c.tokens,
      ...(c.heading ? { heading: c.heading } : {}),
    });
  }
  return out;
}

function splitLines(text: string): string[] {
  return text.replace(/\r\n?/g, '\n').split('\n');
}

const blank = (line: string | undefined): boolean => line === undefined || line.trim() === '';

/** Paragraphs: runs of non-blank lines. */
function paragraphBlocks(lines: string[], from = 0, to = lines.length - 1): Block[] {
  const out: Block[] = [];
  let i = from;
  while (i <= to) {
    if (blank(lines[i])) {
      i++;
      continue;
    }
    const start = i;
    while (i <= to && !blank(lines[i])) i++;
    out.push({ start, end: i - 1, section: false });
  }
  return out;
}

/** Code: runs that end at a blank line followed by a line that is not indented (a new definition). */
function codeBlocks(lines: string[]): Block[] {
  const out: Block[] = [];
  let start = -1;
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i] as string;
    if (blank(line)) continue;
    const topLevel = !/^\s/.test(line) && !/^[)}\]]/.test(line);
    if (start < 0) start = i;
    else if (topLevel && blank(lines[i - 1])) {
      out.push({ start, end: lastNonBlank(lines, start, i - 1), section: false });
      start = i;
    }
  }
  if (start >= 0) out.push({ start, end: lastNonBlank(lines, start, lines.length - 1), section: false });
  return out;
}

function lastNonBlank(lines: string[], from: number, to: number): number {
  let j = to;
  while (j > from && blank(lines[j])) j--;
  return j;
}

const FENCE = /^\s{0,3}(`{3,}|~{3,})/;
const HEADING = /^\s{0,3}(#{1,6})\s+(.*?)\s*#*\s*$/;

/** Markdown: sections at headings (outside fences), paragraphs and whole fenced blocks inside. */
function markdownBlocks(lines: string[]): Block[] {
  const out: Block[] = [];
  const path: string[] = [];
  let para = -1;
  const endPara = (end: number): void => {
    if (para >= 0) out.push({ start: para, end, section: false, heading: headingOf(path) });
    para = -1;
  };
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i] as string;
    const f = FENCE.exec(line);
    if (f) {
      endPara(i - 1);
      const marker = f[1] as string;
      let j = i + 1;
      while (j < lines.length && !(lines[j] as string).trim().startsWith(marker)) j++;
      out.push({ start: i, end: Math.min(j, lines.length - 1), section: false, heading: headingOf(path) });
      i = j;
      continue;
    }
    const h = HEADING.exec(line);
    if (h) {
      endPara(i - 1);
      const level = (h[1] as string).length;
      path.length = Math.min(path.length, level - 1);
      while (path.length < level - 1) path.push('');
      path.push(h[2] as string);
      out.push({ start: i, end: i, section: true, heading: headingOf(path) });
      continue;
    }
    if (blank(line)) endPara(i - 1);
    else if (para < 0) para = i;
  }
  endPara(lines.length - 1);
  return out;
}

function headingOf(path: string[]): string | undefined {
  const parts = path.filter((p) => p !== '');
  return parts.length > 0 ? parts.join(' > ') : undefined;
}

interface Packed extends Piece {
  heading?: string | undefined;
}

/** Greedy packing of blocks into chunks of at most `max` tokens, with overlap inside a section. */
function pack(lines: string[], blocks: Block[], max: number, overlap: number): Packed[] {
  const out: Packed[] = [];
  let cur: Piece[] = [];
  let chars = 0;
  /** How many pieces at the start of `cur` repeat the chunk before (the overlap). */
  let repeated = 0;
  let heading: string | undefined;
  const cost = (p: Piece, prev: Piece | undefined): number => p.text.length + gap(lines, prev, p);
  const fits = (extra: number): boolean => Math.ceil((chars + extra) / 4) <= max;
  const flush = (keepOverlap: boolean): void => {
    if (cur.length <= repeated) {
      // Only the overlap, and the next piece does not fit beside it: drop it.
      cur = [];
      chars = 0;
      repeated = 0;
      return;
    }
    const first = cur[0] as Piece;
    const last = cur[cur.length - 1] as Piece;
    const text = joinPieces(lines, cur);
    out.push({ start: first.start, end: last.end, text, tokens: estimateTokens(text), heading });
    // The overlap: whole trailing pieces of this chunk, up to `overlap` tokens.
    let carried: Piece[] = [];
    if (keepOverlap && overlap > 0) {
      for (let j = cur.length - 1; j > 0; j--) {
        const tail = cur.slice(j);
        if (estimateTokens(joinPieces(lines, tail)) > overlap) break;
        carried = tail;
      }
    }
    cur = carried;
    repeated = carried.length;
    chars = joinPieces(lines, cur).length;
  };
  const push = (p: Piece): void => {
    chars += cost(p, cur[cur.length - 1]);
    cur.push(p);
  };
  for (const b of blocks) {
    if (b.section) flush(false);
    if (b.section || cur.length === 0) heading = b.heading;
    const pieces = piecesOf(lines, b, max);
    const whole = joinPieces(lines, pieces).length;
    // A block that fits in an empty chunk but not in this one starts the next chunk.
    const first = pieces[0];
    if (first && Math.ceil(whole / 4) <= max && !fits(whole - first.text.length + cost(first, cur.at(-1))))
      flush(true);
    for (const p of pieces) {
      while (cur.length > 0 && !fits(cost(p, cur[cur.length - 1]))) flush(true);
      if (cur.length === 0) heading = b.heading ?? heading;
      push(p);
    }
  }
  flush(false);
  return out.filter((c) => c.text.trim() !== '');
}

/** Characters between two pieces when joined: none within one line, else the line breaks. */
function gap(lines: string[], prev: Piece | undefined, p: Piece): number {
  if (!prev) return 0;
  const sameLine = prev.end === p.start && (lines[p.start] as string).length > p.text.length;
  return sameLine ? 0 : Math.max(1, p.start - prev.end);
}

/** A block's lines as pieces; a line longer than `max` tokens is cut into slices. */
function piecesOf(lines: string[], b: Block, max: number): Piece[] {
  const out: Piece[] = [];
  const maxChars = max * 4;
  for (let i = b.start; i <= b.end; i++) {
    const line = lines[i] as string;
    if (estimateTokens(line) <= max) {
      out.push({ start: i, end: i, text: line, tokens: Math.max(1, estimateTokens(line)) });
      continue;
    }
    for (let at = 0; at < line.length; at += maxChars) {
      const text = line.slice(at, at + maxChars);
      out.push({ start: i, end: i, text, tokens: estimateTokens(text) });
    }
  }
  return out;
}

/** Pieces back into text: slices of one line join without a break, lines with one. */
function joinPieces(lines: string[], pieces: Piece[]): string {
  let text = '';
  let prev: Piece | undefined;
  for (const p of pieces) {
    text += '\n'.repeat(gap(lines, prev, p)) + p.text;
    prev = p;
  }
  return text;
}
