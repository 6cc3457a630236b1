/**
 * Spoken turns are saved in the history like typed ones: a turn in voice mode lands in the
 * real SQLite store of a temp PARLEY_HOME as the user's words and the reply, `complete` when
 * it finished and `partial` when it was interrupted, in the same conversation as the
 * session's typed turns; a deleted conversation is not written to again. Replies come from
 * the local engine (stories260K, one thread) and are spoken by espeak-ng.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually, startTestServer, WsClient, type Envelope, type TestServer } from '../server/helpers.js';

type Message = { role: string; status: string; parts: { type: string; text?: string }[] };
type Conversation = { id: string; title: string | null; messages?: Message[] };

let t: TestServer;
beforeAll(async () => {
  t = await startTestServer({ config: { pipelines: { voice_max_tokens: 40 } } });
});
afterAll(() => t?.close());

async function conversation(id: string): Promise<Conversation | undefined> {
  const r = await fetch(`${t.url}/api/conversations/${id}`);
  return r.status === 200 ? ((await r.json()) as Conversation) : undefined;
}
async function conversations(): Promise<Conversation[]> {
  const r = await fetch(`${t.url}/api/conversations?limit=200`);
  return ((await r.json()) as { data: Conversation[] }).data;
}
const words = (m: Message | undefined): string => (m?.parts ?? []).map((p) => p.text ?? '').join('');

async function voiceSession(): Promise<WsClient> {
  const c = await WsClient.open(t.wsUrl);
  await c.request({ type: 'hello' });
  const ack = await c.request(
    { type: 'control', action: 'switch_mode', mode: 'voice' },
    (e) => e.type === 'ack' || e.type === 'error',
  );
  expect(ack).toMatchObject({ type: 'ack', mode: 'voice' });
  return c;
}

/** One typed turn in voice mode, to its end (`done`, `interrupted` or `error`). */
async function spokenTurn(c: WsClient, text: string, interrupt = false): Promise<Envelope> {
  const from = c.received.length;
  c.send({ type: 'text', text });
  const turn = await c.next((e) => e.type === 'turn', from);
  if (interrupt) {
    await c.next((e) => e.type === 'text-delta' && e.turn === turn.turn, from);
    c.send({ type: 'control', action: 'interrupt' });
  }
  return c.next((e) => e.turn === turn.turn && ['done', 'interrupted', 'error'].includes(e.type), from);
}

describe('spoken turns in the history', () => {
  it('saves a voice turn as the words and the reply, in the session conversation', async () => {
    const before = (await conversations()).length;
    const c = await voiceSession();
    try {
      const end = await spokenTurn(c, 'Tell me about the sea.');
      expect(end.type).toBe('done');
      const saved = await eventually(async () => {
        const all = await conversations();
        return all.length > before ? all.find((x) => x.title === 'Tell me about the sea.') : undefined;
      }, 'the voice turn saved');
      const full = await eventually(async () => {
        const conv = await conversation(saved.id);
        return conv?.messages?.length === 2 && conv.messages[1]?.status === 'complete' ? conv : undefined;
      }, 'its reply complete');
      expect(full.messages?.[0]).toMatchObject({ role: 'user', status: 'complete' });
      expect(words(full.messages?.[0])).toBe('Tell me about the sea.');
      expect(full.messages?.[1]).toMatchObject({ role: 'assistant', status: 'complete' });
      expect(words(full.messages?.[1]).length).toBeGreaterThan(0);

      // The next turn, interrupted while it speaks, joins the same conversation as partial.
      const cut = await spokenTurn(c, 'And the moon?', true);
      expect(cut.type).toBe('interrupted');
      const two = await eventually(async () => {
        const conv = await conversation(saved.id);
        return conv?.messages?.length === 4 && conv.messages[3]?.status !== 'streaming' ? conv : undefined;
      }, 'the interrupted turn saved');
      expect(words(two.messages?.[2])).toBe('And the moon?');
      expect(two.messages?.[3]).toMatchObject({ role: 'assistant', status: 'partial' });
      expect(words(two.messages?.[3])).toBe(String(cut.partialText ?? ''));

      // Deleted while the session goes on: the next turn starts a new conversation.
      expect((await fetch(`${t.url}/api/conversations/${saved.id}`, { method: 'DELETE' })).status).toBe(200);
      expect((await spokenTurn(c, 'A new start.')).type).toBe('done');
      const fresh = await eventually(
        async () => (await conversations()).find((x) => x.title === 'A new start.'),
        'a new conversation',
      );
      expect(fresh.id).not.toBe(saved.id);
      expect(await conversation(saved.id)).toBeUndefined();
    } finally {
      c.close();
    }
  }, 180_000);

  it('a typed message with attachments or docs in voice mode is refused by name, and the session goes on', async () => {
    const c = await voiceSession();
    try {
      const withDocs = await c.request(
        { type: 'text', text: 'What do my notes say?', docs: 'notes' },
        (e) => e.type === 'error' || e.type === 'turn',
      );
      expect(withDocs.type).toBe('error');
      expect(withDocs.error).toMatchObject({ code: 'unsupported' });
      expect(withDocs.error?.message).toMatch(/^docs: mode voice answers aloud without them/);
      const withFile = await c.request(
        {
          type: 'text',
          text: 'Read this',
          attachments: [{ name: 'a.txt', data: Buffer.from('hello').toString('base64') }],
          docs: 'notes',
        },
        (e) => e.type === 'error' || e.type === 'turn',
      );
      expect(withFile.error?.message).toMatch(/^attachments and docs: mode voice/);
      // Nothing ran; the same text without them is answered.
      expect((await spokenTurn(c, 'Then tell me a story.')).type).toBe('done');
    } finally {
      c.close();
    }
  }, 120_000);
});
