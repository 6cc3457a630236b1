/**
 * Attachments: files read into text go with a turn. A set that fits its share of the model's
 * context window goes whole ("inline"), each file between delimiters that name it; a file
 * too large for that goes through retrieval (the passages closest to the question), and a
 * `notice` says so.
 */
import type { ChatMessage, ChatModel, MessagePart, TextPart } from '../chat-model.js';
import type { ParleyConfig } from '../config/schema.js';
import type { NoticeEvent } from '../events.js';
import { estimateTokens } from '../engine/trim.js';
import { DocumentRefusedError, formatBytes } from './extract.js';
import type { Citation, DocumentKind, ExtractedDocument, RetrievedChunk } from './types.js';

/** The `[attachments]` settings with their defaults. */
export interface AttachmentSettings {
  maxFileBytes: number;
  maxFiles: number;
  maxTotalBytes: number;
  inlineFraction: number;
  retrievalK: number;
}

/** `[attachments]` from the config, defaults filled in. */
export function attachmentSettings(config: Pick<ParleyConfig, 'attachments'>): AttachmentSettings {
  const a = config.attachments ?? {};
  return {
    maxFileBytes: a.max_file_bytes ?? 10 * 1024 * 1024,
    maxFiles: a.max_files ?? 20,
    maxTotalBytes: a.max_total_bytes ?? 32 * 1024 * 1024,
    inlineFraction: a.inline_fraction ?? 0.5,
    retrievalK: a.retrieval_k ?? 8,
  };
}

/** What the model was given of one attached file; saved with the message, listed by `--json`. */
export interface AttachmentInfo {
  path: string;
  kind: DocumentKind;
  language?: string | undefined;
  bytes: number;
  sha256: string;
  /** Pages of a PDF. */
  pages?: number | undefined;
  /** `inline`: the whole text; `retrieval`: the passages closest to the question. */
  mode: 'inline' | 'retrieval';
  /** Tokens of the file's text the model was given (counted by the model, or estimated). */
  tokens: number;
  /** For `retrieval`: the passages given, numbered as the model saw them. */
  citations?: Citation[] | undefined;
}

/** Finds the passages of some documents closest to a question (docs/DOCUMENTS.md). */
export type Retriever = (
  question: string,
  docs: ExtractedDocument[],
  opts: { k: number; signal?: AbortSignal | undefined },
) => Promise<RetrievedChunk[]>;

/** Turns passages into the text the model reads, with its citations. */
export type ContextFormatter = (chunks: RetrievedChunk[]) => { text: string; citations: Citation[] };

export interface AttachOptions {
  /** The user's question: retrieval looks for the passages closest to it. */
  question: string;
  /** The model's context window in tokens (unknown: 8192 is assumed). */
  contextWindow: number | undefined;
  settings: AttachmentSettings;
  countTokens?: ((text: string) => Promise<number>) | undefined;
  /** Loads retrieval (only when a file is too large to go whole); without it such a file is refused. */
  retrieval?: (() => Promise<{ retrieve: Retriever; format: ContextFormatter }>) | undefined;
  signal?: AbortSignal | undefined;
}

/** Options of `Parley.attach`. */
export interface AttachTurnOptions {
  /** The user's question (retrieval looks for the passages closest to it). */
  question: string;
  /** The model the turn goes to (default from config): its context window sets the budget. */
  model?: string | undefined;
  signal?: AbortSignal | undefined;
}

/** The parts that carry the files, the notices to show, and what was given of each file. */
export interface AttachResult {
  parts: TextPart[];
  notices: NoticeEvent[];
  attachments: AttachmentInfo[];
}

const UNKNOWN_CONTEXT = 8192;

/** An attribute value for the delimiter line: no quotes, angle brackets or control characters. */
function attr(value: string): string {
  // eslint-disable-next-line no-control-regex
  return value.replace(/[\u0000-\u001f\u007f"<>]/g, (c) =>
    c === '"' ? "'" : c === '<' ? '‹' : c === '>' ? '›' : ' ',
  );
}

/** The delimiter a file's text can't close early: a `</file>` inside it is defused. */
function body(text: string): string {
  return text.replace(/<\/file>/gi, '<\\/file>');
}

/** The opening delimiter: the file's name, kind and language (`<file path="a.ts" language="typescript">`). */
export function openTag(doc: ExtractedDocument, extra: Record<string, string> = {}): string {
  const attrs: Record<string, string> = { path: attr(doc.path), kind: doc.kind };
  if (doc.language) attrs.language = attr(doc.language);
  if (doc.pages) attrs.pages = String(doc.pages.length);
  Object.assign(attrs, extra);
  return `<file ${Object.entries(attrs)
    .map(([k, v]) => `${k}="${v}"`)
    .join(' ')}>`;
}

/** A whole file as the model reads it: between delimiters that name it, PDF pages marked. */
export function inlineText(doc: ExtractedDocument): string {
  const text = doc.pages ? doc.pages.map((p) => `[page ${p.page}]\n${p.text}`).join('\n\n') : doc.text;
  return `${openTag(doc)}\n${body(text.replace(/\n+$/, ''))}\n</file>\n\n`;
}

/**
 * Check the limits on a set of files before they are read further: how many, and how many
 * bytes in all (each file's own limit is checked as it is read).
 *
 * @throws DocumentRefusedError `too_large`
 */
export function checkAttachmentLimits(
  docs: readonly ExtractedDocument[],
  settings: AttachmentSettings,
): void {
  if (docs.length > settings.maxFiles) {
    const last = docs[settings.maxFiles];
    throw new DocumentRefusedError(
      'too_large',
      last?.path ?? 'attachments',
      `more than ${settings.maxFiles} files in one turn (attachments.max_files)`,
    );
  }
  let total = 0;
  for (const d of docs) {
    total += d.bytes;
    if (total > settings.maxTotalBytes) {
      throw new DocumentRefusedError(
        'too_large',
        d.path,
        `the files attached come to more than ${formatBytes(settings.maxTotalBytes)} together (attachments.max_total_bytes)`,
      );
    }
  }
}

/**
 * Decide how each file goes to the model and build the parts that carry them: whole while
 * the files fit their share of the context window (in the order given), the rest through
 * retrieval, with a `notice` naming each such file.
 *
 * @throws DocumentRefusedError `too_large` when a file does not fit and there is no retrieval
 */
export async function attachDocuments(
  docs: readonly ExtractedDocument[],
  opts: AttachOptions,
): Promise<AttachResult> {
  checkAttachmentLimits(docs, opts.settings);
  const window = opts.contextWindow ?? UNKNOWN_CONTEXT;
  let budget = Math.floor(window * opts.settings.inlineFraction);
  const count = async (text: string): Promise<number> => {
    const guess = estimateTokens(text);
    // Counting a huge file exactly is slow and changes nothing: it does not fit either way.
    if (!opts.countTokens || guess > budget * 4) return guess;
    return opts.countTokens(text).catch(() => guess);
  };
  const slots: (TextPart | undefined)[] = [];
  const infos: (AttachmentInfo | undefined)[] = [];
  const large: { doc: ExtractedDocument; index: number; tokens: number }[] = [];
  for (const [index, doc] of docs.entries()) {
    opts.signal?.throwIfAborted();
    const text = inlineText(doc);
    const tokens = await count(text);
    if (tokens <= budget) {
      budget -= tokens;
      const info = infoFor(doc, 'inline', tokens);
      slots[index] = { type: 'text', text, attachment: info };
      infos[index] = info;
    } else large.push({ doc, index, tokens });
  }
  const notices: NoticeEvent[] = [];
  if (large.length > 0) {
    if (!opts.retrieval) {
      const first = large[0] as (typeof large)[number];
      throw new DocumentRefusedError(
        'too_large',
        first.doc.path,
        `it is about ${first.tokens} tokens, more than the ${Math.max(budget, 0)} this model's context leaves for attachments, and retrieval is not available`,
      );
    }
    const retrieve = await opts.retrieval();
    // Each large file gets its own search and an equal share of what the budget has left.
    for (const [i, l] of large.entries()) {
      const share = Math.floor(Math.max(budget, 0) / (large.length - i));
      const chunks = await retrieve.retrieve(opts.question, [l.doc], {
        k: opts.settings.retrievalK,
        signal: opts.signal,
      });
      const mine = await fitChunks(chunks, share, opts.settings.retrievalK, count);
      const { text: context, citations } = retrieve.format(mine);
      const text = `${openTag(l.doc, { excerpts: String(mine.length) })}\n${body(context.replace(/\n+$/, ''))}\n</file>\n\n`;
      const tokens = await count(text);
      budget -= tokens;
      const info = infoFor(l.doc, 'retrieval', tokens);
      info.citations = citations;
      slots[l.index] = { type: 'text', text, attachment: info };
      infos[l.index] = info;
      const n = mine.length;
      notices.push({
        type: 'notice',
        level: 'info',
        code: 'attachment_retrieval',
        message:
          n === 0
            ? `${l.doc.path} is too large to send whole (about ${l.tokens} tokens) and no passage of it matches the question: only its name goes with it`
            : `${l.doc.path} is too large to send whole (about ${l.tokens} tokens): the ${n} passage${n === 1 ? '' : 's'} closest to the question go with it instead`,
      });
    }
  }
  return {
    parts: slots.filter((p): p is TextPart => p !== undefined),
    notices,
    attachments: infos.filter((i): i is AttachmentInfo => i !== undefined),
  };
}

/** The best passages that fit what is left of the budget (at least one), counted as the model counts. */
async function fitChunks(
  chunks: RetrievedChunk[],
  budget: number,
  k: number,
  count: (text: string) => Promise<number>,
): Promise<RetrievedChunk[]> {
  const best = [...chunks].sort((a, b) => b.score - a.score).slice(0, k);
  const out: RetrievedChunk[] = [];
  // The header and the numbering around the passages.
  let used = 48;
  for (const c of best) {
    const t = (await count(c.text)) + 12;
    if (out.length > 0 && used + t > budget) continue;
    out.push(c);
    used += t;
  }
  // In document order, as a reader expects them.
  return out.sort((a, b) => a.index - b.index);
}

function infoFor(doc: ExtractedDocument, mode: AttachmentInfo['mode'], tokens: number): AttachmentInfo {
  const info: AttachmentInfo = {
    path: doc.path,
    kind: doc.kind,
    bytes: doc.bytes,
    sha256: doc.sha256,
    mode,
    tokens,
  };
  if (doc.language) info.language = doc.language;
  if (doc.pages) info.pages = doc.pages.length;
  return info;
}

/** `attachDocuments` for a model: its context window and token counter set the budget. */
export async function attachForModel(
  model: ChatModel,
  docs: readonly ExtractedDocument[],
  opts: Omit<AttachOptions, 'contextWindow' | 'countTokens'>,
): Promise<AttachResult> {
  const contextWindow = model.resolveContextWindow
    ? await model.resolveContextWindow().catch(() => model.capabilities.contextWindow)
    : model.capabilities.contextWindow;
  const count = model.countTokens?.bind(model);
  return attachDocuments(docs, { ...opts, contextWindow, countTokens: count });
}

/**
 * Retrieval for attachments too large to go whole, chunked and searched for this one turn.
 * Pass it as `retrieval`: the retrieval code loads only when a file is too large.
 */
export async function oneTurnRetrieval(): Promise<{ retrieve: Retriever; format: ContextFormatter }> {
  const { retrieveFromDocuments, formatContext } = await import('./retrieve.js');
  return {
    retrieve: (question, docs, o) =>
      retrieveFromDocuments(question, docs, o.signal ? { k: o.k, signal: o.signal } : { k: o.k }),
    format: formatContext,
  };
}

/** The messages with `parts` put before the last user message's own (a new one when it is not the user's). */
export function withAttachedParts(messages: readonly ChatMessage[], parts: MessagePart[]): ChatMessage[] {
  const out = [...messages];
  const last = out.at(-1);
  if (last?.role === 'user') out[out.length - 1] = { ...last, content: [...parts, ...last.content] };
  else out.push({ role: 'user', content: parts });
  return out;
}
