/**
 * Export and import: a JSON round trip is lossless (checked on hand-picked awkward records and
 * on generated ones), Markdown reads well, and hostile import files fail with a clear error
 * that leaves the store as it was.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import fc from 'fast-check';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { UsageError, exitCodeFor } from '../../packages/core/src/errors.js';
import {
  exportConversation,
  importConversation,
  parseConversationExport,
} from '../../packages/core/src/store/conversation-export.js';
import { conversationToMarkdown } from '../../packages/core/src/store/markdown.js';
import { SqliteConversationStore } from '../../packages/core/src/store/sqlite/sqlite-conversation-store.js';
import { ConflictError, NotFoundError } from '../../packages/core/src/store/store-errors.js';
import type { StoredPart } from '../../packages/core/src/store/types.js';
import { RICH_PARTS } from './store.conformance.case.js';

let dir: string;
let n = 0;
const open = (): SqliteConversationStore =>
  SqliteConversationStore.open({ path: path.join(dir, `s${++n}.db`) });
beforeEach(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'parley-export-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

async function sample(store: SqliteConversationStore): Promise<string> {
  const c = await store.conversations.create({
    title: 'Rivers `and` lakes',
    model: 'local:./m.gguf',
    system: 'Be brief.',
    metadata: { source: 'cli', n: 1.5 },
  });
  await store.messages.append(c.id, { role: 'user', parts: [{ type: 'text', text: 'Name a river' }] });
  await store.messages.append(c.id, {
    role: 'assistant',
    parts: RICH_PARTS,
    model: 'local:stories260K',
    finishReason: 'stop',
    usage: { inputTokens: 4, outputTokens: 9, totalTokens: 13 },
    timings: { ttftMs: 12.5, totalMs: 40, tokensPerSecond: 321.7 },
  });
  await store.messages.append(c.id, { role: 'user', parts: [{ type: 'text', text: 'and ```code```?' }] });
  await store.messages.append(c.id, {
    role: 'assistant',
    parts: [{ type: 'text', text: 'The Nile is' }],
    status: 'partial',
    finishReason: 'interrupted',
  });
  await store.messages.append(c.id, {
    role: 'assistant',
    parts: [],
    status: 'error',
    finishReason: 'error',
    error: {
      code: 'rate_limited',
      message: 'slow down',
      retryable: true,
      provider: 'groq',
      status: 429,
      retryAfterMs: 1000,
    },
  });
  return c.id;
}

describe('JSON export and import', () => {
  it('round-trips a conversation exactly, through text, into another store', async () => {
    const a = open();
    const b = open();
    const id = await sample(a);
    const text = JSON.stringify(await exportConversation(a, id), null, 2);
    const imported = await importConversation(b, text, 'x.json');
    expect(imported).toEqual(await a.conversations.get(id));
    expect(await b.messages.list(id)).toEqual(await a.messages.list(id));
    expect(JSON.stringify(await exportConversation(b, id), null, 2)).toBe(text);
    // and back after deleting it from the first store
    await a.conversations.delete(id);
    await importConversation(a, text);
    expect(JSON.stringify(await exportConversation(a, id), null, 2)).toBe(text);
    expect((await b.search('Nile')).map((h) => h.conversationId)).toEqual([id]);
    await a.close();
    await b.close();
  });

  it('round-trips generated conversations exactly', async () => {
    const text = fc.string({ unit: 'binary', maxLength: 40 });
    const part: fc.Arbitrary<StoredPart> = fc.oneof(
      fc.record({ type: fc.constant('text' as const), text }),
      fc.record({ type: fc.constant('reasoning' as const), text }),
      fc.record({
        type: fc.constant('image' as const),
        mediaType: fc.constant('image/jpeg'),
        data: fc.uint8Array({ maxLength: 20 }).map((u) => Buffer.from(u).toString('base64')),
      }),
      fc.record({ type: fc.constant('tool-call' as const), id: text, name: text, args: fc.jsonValue() }),
    );
    const message = fc.record({
      role: fc.constantFrom('user' as const, 'assistant' as const, 'system' as const),
      parts: fc.array(part, { maxLength: 4 }),
      status: fc.constantFrom('complete' as const, 'partial' as const, 'error' as const),
      model: fc.option(text),
    });
    const conversation = fc.record({
      title: fc.option(text),
      system: fc.option(text),
      metadata: fc.dictionary(fc.string({ minLength: 1, maxLength: 8 }), fc.jsonValue({ maxDepth: 2 })),
    });
    const a = open();
    const b = open();
    await fc.assert(
      fc.asyncProperty(conversation, fc.array(message, { maxLength: 6 }), async (conv, messages) => {
        const c = await a.conversations.create(conv);
        for (const m of messages) await a.messages.append(c.id, m);
        const doc = JSON.stringify(await exportConversation(a, c.id));
        await importConversation(b, doc);
        expect(JSON.stringify(await exportConversation(b, c.id))).toBe(doc);
      }),
      { numRuns: 60 },
    );
    await a.close();
    await b.close();
  });
});

describe('Markdown export', () => {
  it('has the title, the system prompt, each message with its state, and safe code fences', async () => {
    const s = open();
    const id = await sample(s);
    const md = conversationToMarkdown(await exportConversation(s, id));
    expect(md.startsWith('# Rivers `and` lakes\n')).toBe(true);
    expect(md).toContain(`id \`${id}\``);
    expect(md).toContain('**System:**\n\nBe brief.');
    expect(md).toContain('## User\n\nName a river');
    expect(md).toContain('## Assistant (local:stories260K)');
    expect(md).toContain('## Assistant (interrupted)\n\nThe Nile is');
    expect(md).toContain('## Assistant (error)\n\n> **error** (rate_limited): slow down');
    expect(md).toContain('*[image: image/png, 5 bytes]*');
    expect(md).toContain('**tool call** `lookup`');
    expect(md).toContain('<details><summary>reasoning</summary>');
    expect(md.match(/^#{1,2} /gm)).toHaveLength(6);
    await s.close();
  });
});

describe('hostile import files', () => {
  let s: SqliteConversationStore;
  let good: Record<string, unknown>;
  beforeEach(async () => {
    s = open();
    const src = open();
    good = (await exportConversation(src, await sample(src))) as unknown as Record<string, unknown>;
    await src.close();
  });
  afterEach(() => s.close());

  const reject = async (input: unknown, message: RegExp | string): Promise<void> => {
    const e = await importConversation(s, input, 'bad.json').catch((x: unknown) => x);
    expect(e).toBeInstanceOf(UsageError);
    expect(exitCodeFor(e)).toBe(2);
    expect((e as Error).message).toMatch(message);
    expect(await s.conversations.list()).toEqual([]);
  };
  const withMessage = (i: number, patch: Record<string, unknown>): unknown => {
    const messages = structuredClone(good.messages) as Record<string, unknown>[];
    messages[i] = { ...messages[i], ...patch };
    return { ...good, messages };
  };
  const withConversation = (patch: Record<string, unknown>): unknown => ({
    ...good,
    conversation: { ...(good.conversation as object), ...patch },
  });

  it('rejects a corrupt or truncated JSON file', async () => {
    const text = JSON.stringify(good);
    await reject(text.slice(0, text.length / 2), /^bad\.json is not valid JSON: /);
    await reject('', /not valid JSON/);
    await reject('\u0000\u0001binary', /not valid JSON/);
  });

  it('rejects documents that are not a parley conversation, saying where', async () => {
    await reject([], /bad\.json is not a parley conversation: \(root\)/);
    await reject({ ...good, format: 'something.else' }, /format: .*parley\.conversation version 1/);
    await reject({ ...good, version: 2 }, /version: /);
    await reject({ ...good, extra: 1 }, /\(root\): Unrecognized key/);
    await reject(withMessage(1, { role: 'tool' }), /messages\.1\.role/);
    await reject(withMessage(0, { status: 'done' }), /messages\.0\.status/);
    await reject(withMessage(2, { seq: 7 }), /messages\.2\.seq: must be 2/);
    await reject(
      withMessage(1, { id: (good.messages as { id: string }[])[0]?.id }),
      /messages\.1\.id: repeated id/,
    );
    await reject(withMessage(0, { createdAt: 'yesterday' }), /messages\.0\.createdAt/);
    await reject(
      withMessage(0, { parts: [{ type: 'image', mediaType: 'image/png', data: 'not base64!' }] }),
      /parts/,
    );
    await reject(withMessage(0, { parts: [{ type: 'script', text: 'x' }] }), /messages\.0\.parts\.0/);
  });

  it('rejects ids that are not ids', async () => {
    for (const id of [
      '',
      '../../etc/passwd',
      'a b',
      "x'; DROP TABLE conversations; --",
      'é',
      'x'.repeat(65),
    ]) {
      await reject(withConversation({ id }), /conversation\.id: an id is 1 to 64 letters/);
    }
    await reject(withMessage(0, { id: 'no/slash' }), /messages\.0\.id/);
  });

  it('drops a __proto__ key, polluting nothing', async () => {
    const text = JSON.stringify(good).replace('"metadata":{', '"metadata":{"__proto__":{"polluted":true},');
    const c = await importConversation(s, text);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    const back = await exportConversation(s, c.id);
    expect(Object.getPrototypeOf(back.conversation.metadata)).toBe(Object.prototype);
    expect(back.conversation.metadata).toEqual({ source: 'cli', n: 1.5 });
    expect((back.conversation.metadata as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('refuses to import over an existing conversation, leaving it untouched', async () => {
    await importConversation(s, good);
    const before = await exportConversation(s, (good.conversation as { id: string }).id);
    const changed = withMessage(0, { parts: [{ type: 'text', text: 'replaced' }] });
    await expect(importConversation(s, changed)).rejects.toBeInstanceOf(ConflictError);
    expect(await exportConversation(s, before.conversation.id)).toEqual(before);
    await expect(exportConversation(s, 'ghost')).rejects.toBeInstanceOf(NotFoundError);
  });

  it('checks documents without a store too', () => {
    expect(parseConversationExport(JSON.stringify(good)).messages).toHaveLength(5);
  });
});
