/**
 * A conversation as a JSON document, and back. The export keeps everything the store keeps
 * (ids, times, statuses, usage, timings, image bytes), so export → import → export gives the
 * same document. Times are ISO 8601 strings with milliseconds.
 */
import * as z from 'zod';
import type { ConversationStore } from './conversation-store.js';
import { ID_PATTERN } from './ids.js';
import { NotFoundError } from './store-errors.js';
import type { ConversationRecord, MessageRecord } from './types.js';
import { parseJsonDocument } from './json-document.js';

export const CONVERSATION_EXPORT_FORMAT = 'parley.conversation';
export const CONVERSATION_EXPORT_VERSION = 1;

const id = z.string().regex(ID_PATTERN, 'an id is 1 to 64 letters, digits, _ or -');
const time = z.iso.datetime({ offset: false, precision: 3 });
const json = z.unknown();

const StoredPartSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('text'), text: z.string() }).strict(),
  z
    .object({
      type: z.literal('image'),
      mediaType: z.string().regex(/^[\w.+-]+\/[\w.+-]+$/, 'a media type like image/png'),
      data: z.string().regex(/^[A-Za-z0-9+/]*={0,2}$/, 'base64'),
    })
    .strict(),
  z.object({ type: z.literal('reasoning'), text: z.string() }).strict(),
  z.object({ type: z.literal('tool-call'), id: z.string(), name: z.string(), args: json }).strict(),
  z
    .object({
      type: z.literal('tool-result'),
      id: z.string(),
      name: z.string(),
      result: json,
      isError: z.boolean().optional(),
    })
    .strict(),
]);

const count = z.number().int().nonnegative();
const UsageSchema = z
  .object({ inputTokens: count.optional(), outputTokens: count.optional(), totalTokens: count.optional() })
  .strict();
const TimingsSchema = z
  .object({
    ttftMs: z.number().nonnegative().nullable(),
    totalMs: z.number().nonnegative(),
    tokensPerSecond: z.number().nonnegative().nullable(),
  })
  .strict();
const ErrorInfoSchema = z
  .object({
    code: z.string(),
    message: z.string(),
    retryable: z.boolean(),
    provider: z.string().optional(),
    status: z.number().int().optional(),
    retryAfterMs: z.number().nonnegative().optional(),
  })
  .strict();

const ExportedMessageSchema = z
  .object({
    id,
    seq: count,
    role: z.enum(['user', 'assistant', 'system']),
    parts: z.array(StoredPartSchema),
    model: z.string().nullable(),
    status: z.enum(['complete', 'partial', 'error']),
    finishReason: z.string().nullable(),
    error: ErrorInfoSchema.nullable(),
    usage: UsageSchema.nullable(),
    timings: TimingsSchema.nullable(),
    createdAt: time,
    updatedAt: time,
  })
  .strict();

/** The JSON document of one conversation (`parley history export ID --format json`). */
export const ConversationExportSchema = z
  .object({
    format: z.literal(CONVERSATION_EXPORT_FORMAT),
    version: z.literal(CONVERSATION_EXPORT_VERSION),
    conversation: z
      .object({
        id,
        title: z.string().nullable(),
        model: z.string().nullable(),
        system: z.string().nullable(),
        metadata: z.record(z.string(), json),
        createdAt: time,
        updatedAt: time,
      })
      .strict(),
    messages: z.array(ExportedMessageSchema),
  })
  .strict()
  .superRefine((doc, ctx) => {
    doc.messages.forEach((m, i) => {
      if (m.seq !== i)
        ctx.addIssue({ code: 'custom', path: ['messages', i, 'seq'], message: `must be ${i}` });
    });
    const ids = new Set<string>();
    doc.messages.forEach((m, i) => {
      if (ids.has(m.id))
        ctx.addIssue({ code: 'custom', path: ['messages', i, 'id'], message: 'repeated id' });
      ids.add(m.id);
    });
  });

export type ConversationExport = z.infer<typeof ConversationExportSchema>;

const iso = (ms: number): string => new Date(ms).toISOString();
const ms = (t: string): number => Date.parse(t);

/** A conversation and its messages as an export document. */
export function toConversationExport(c: ConversationRecord, messages: MessageRecord[]): ConversationExport {
  return {
    format: CONVERSATION_EXPORT_FORMAT,
    version: CONVERSATION_EXPORT_VERSION,
    conversation: {
      id: c.id,
      title: c.title,
      model: c.model,
      system: c.system,
      metadata: c.metadata,
      createdAt: iso(c.createdAt),
      updatedAt: iso(c.updatedAt),
    },
    messages: messages.map((m) => ({
      id: m.id,
      seq: m.seq,
      role: m.role,
      parts: m.parts,
      model: m.model,
      status: m.status,
      finishReason: m.finishReason,
      error: m.error,
      usage: m.usage,
      timings: m.timings,
      createdAt: iso(m.createdAt),
      updatedAt: iso(m.updatedAt),
    })),
  };
}

/** Export one conversation. Throws `NotFoundError` for an unknown id. */
export async function exportConversation(
  store: ConversationStore,
  conversationId: string,
): Promise<ConversationExport> {
  const c = await store.conversations.get(conversationId);
  if (!c) throw new NotFoundError('conversation', conversationId);
  return toConversationExport(c, await store.messages.list(conversationId));
}

/**
 * Check an export document (a parsed value or its JSON text). Throws `UsageError` that says
 * what is wrong and where (`messages.2.role: …`), naming `source` (e.g. the file).
 */
export function parseConversationExport(input: unknown, source = 'the export'): ConversationExport {
  return parseJsonDocument(input, ConversationExportSchema, source, 'a parley conversation', (path) =>
    path[0] === 'format' || path[0] === 'version'
      ? ` (expected a ${CONVERSATION_EXPORT_FORMAT} version ${CONVERSATION_EXPORT_VERSION} document from parley history export)`
      : '',
  );
}

/** The conversation and messages of an export document, as store records. */
export function fromConversationExport(doc: ConversationExport): {
  conversation: ConversationRecord;
  messages: MessageRecord[];
} {
  const c = doc.conversation;
  return {
    conversation: { ...c, createdAt: ms(c.createdAt), updatedAt: ms(c.updatedAt) },
    messages: doc.messages.map((m) => ({
      ...m,
      conversationId: c.id,
      parts: m.parts as MessageRecord['parts'],
      createdAt: ms(m.createdAt),
      updatedAt: ms(m.updatedAt),
    })),
  };
}

/**
 * Import an export document (parsed or JSON text) exactly as it is, ids included. Throws
 * `UsageError` for a bad document and `ConflictError` when the conversation exists.
 */
export async function importConversation(
  store: ConversationStore,
  input: unknown,
  source?: string,
): Promise<ConversationRecord> {
  const { conversation, messages } = fromConversationExport(parseConversationExport(input, source));
  await store.conversations.insert(conversation, messages);
  return conversation;
}
