/**
 * Session snapshots: a session's mode, settings, memory facts and conversation as one JSON
 * document, restored as it was (in the same store after a restart, or in another one).
 */
import * as z from 'zod';
import type { ConversationStore } from './conversation-store.js';
import {
  ConversationExportSchema,
  exportConversation,
  fromConversationExport,
  type ConversationExport,
} from './conversation-export.js';
import { ID_PATTERN } from './ids.js';
import { NotFoundError } from './store-errors.js';
import type { SessionRecord } from './types.js';
import { parseJsonDocument } from './json-document.js';

export const SESSION_SNAPSHOT_FORMAT = 'parley.session';

const time = z.iso.datetime({ offset: false, precision: 3 });

/** The JSON document of one session. */
export const SessionSnapshotSchema = z
  .object({
    format: z.literal(SESSION_SNAPSHOT_FORMAT),
    version: z.literal(1),
    session: z
      .object({
        id: z.string().regex(ID_PATTERN),
        mode: z.string().min(1),
        settings: z.record(z.string(), z.unknown()),
        conversationId: z.string().regex(ID_PATTERN).nullable(),
        createdAt: time,
        updatedAt: time,
      })
      .strict(),
    memory: z.array(
      z.object({ key: z.string(), value: z.unknown(), createdAt: time, updatedAt: time }).strict(),
    ),
    conversation: ConversationExportSchema.nullable(),
  })
  .strict();

export type SessionSnapshot = z.infer<typeof SessionSnapshotSchema>;

/** Snapshot a session: its record, its memory facts and its conversation. */
export async function snapshotSession(store: ConversationStore, sessionId: string): Promise<SessionSnapshot> {
  const s = await store.sessions.get(sessionId);
  if (!s) throw new NotFoundError('session', sessionId);
  const facts = await store.memory.list(s.id);
  const conversation: ConversationExport | null =
    s.conversationId === null ? null : await exportConversation(store, s.conversationId);
  return {
    format: SESSION_SNAPSHOT_FORMAT,
    version: 1,
    session: {
      ...s,
      createdAt: new Date(s.createdAt).toISOString(),
      updatedAt: new Date(s.updatedAt).toISOString(),
    },
    memory: facts.map((f) => ({
      key: f.key,
      value: f.value,
      createdAt: new Date(f.createdAt).toISOString(),
      updatedAt: new Date(f.updatedAt).toISOString(),
    })),
    conversation,
  };
}

/** Check a snapshot (parsed or JSON text); throws `UsageError` naming what is wrong. */
export function parseSessionSnapshot(input: unknown, source = 'the snapshot'): SessionSnapshot {
  return parseJsonDocument(input, SessionSnapshotSchema, source, 'a parley session snapshot');
}

/**
 * Restore a snapshot: the session record and its memory facts become exactly the
 * snapshot's, and its conversation is imported unless the store has it already.
 */
export async function restoreSession(store: ConversationStore, input: unknown): Promise<SessionRecord> {
  const snap = parseSessionSnapshot(input);
  if (snap.conversation && !(await store.conversations.get(snap.conversation.conversation.id))) {
    const { conversation, messages } = fromConversationExport(snap.conversation);
    await store.conversations.insert(conversation, messages);
  }
  const record: SessionRecord = {
    ...snap.session,
    createdAt: Date.parse(snap.session.createdAt),
    updatedAt: Date.parse(snap.session.updatedAt),
  };
  await store.sessions.put(record);
  const keep = new Set(snap.memory.map((f) => f.key));
  for (const f of await store.memory.list(record.id)) {
    if (!keep.has(f.key)) await store.memory.delete(f.key, record.id);
  }
  for (const f of snap.memory) {
    await store.memory.set({
      key: f.key,
      value: f.value,
      scope: record.id,
      createdAt: Date.parse(f.createdAt),
      updatedAt: Date.parse(f.updatedAt),
    });
  }
  return record;
}
