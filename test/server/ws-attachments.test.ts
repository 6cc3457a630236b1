import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makePdf } from '../helpers/pdf.js';
import { startTestServer, WsClient, type Envelope } from './helpers.js';

// Files attached to a WebSocket `text` turn (docs/PROTOCOL.md), on the real local engine.
let t: Awaited<ReturnType<typeof startTestServer>>;
beforeAll(async () => {
  t = await startTestServer({
    config: { max_tokens: 8, attachments: { max_file_bytes: 20_000, max_files: 3 } },
  });
});
afterAll(() => t.close());

const b64 = (s: string | Buffer): string => Buffer.from(s).toString('base64');

async function connect(): Promise<{ c: WsClient; ready: Envelope }> {
  const c = await WsClient.open(t.wsUrl);
  return { c, ready: await c.request({ type: 'hello' }) };
}

describe('text with attachments', () => {
  it('the files join the user message the model gets, saved with it, listed in the history', async () => {
    const { c, ready } = await connect();
    c.send({
      type: 'text',
      id: 'a1',
      text: 'What is the cat called?',
      attachments: [
        { name: 'notes.md', data: b64('# Notes\n\nThe cat is Whiskers.\n') },
        { name: 'paper.pdf', data: b64(makePdf([['Cats sleep a lot.']])), media_type: 'application/pdf' },
      ],
    });
    const events = await c.turn('a1');
    expect(events.map((e) => e.type)).toContain('done');
    expect(events.filter((e) => e.type === 'notice')).toEqual([]);

    const conversations = await t.parley.store().conversations.list({ limit: 5 });
    const conv = conversations.find((x) => x.title === 'What is the cat called?');
    expect(conv).toBeDefined();
    const [user] = await t.parley.store().messages.list(conv?.id as string);
    expect(user?.parts).toEqual([
      {
        type: 'text',
        text: '<file path="notes.md" kind="markdown">\n# Notes\n\nThe cat is Whiskers.\n</file>\n\n',
        attachment: expect.objectContaining({
          path: 'notes.md',
          kind: 'markdown',
          mode: 'inline',
        }) as unknown,
      },
      {
        type: 'text',
        text: '<file path="paper.pdf" kind="pdf" pages="1">\n[page 1]\nCats sleep a lot.\n</file>\n\n',
        attachment: expect.objectContaining({ path: 'paper.pdf', kind: 'pdf', pages: 1 }) as unknown,
      },
      { type: 'text', text: 'What is the cat called?' },
    ]);

    // Resumed: the history shows what was typed and the files by name, not their text.
    const again = await WsClient.open(t.wsUrl);
    const resumed = await again.request({ type: 'hello', session: ready.session });
    const history = resumed.history as { role: string; text: string; attachments?: unknown[] }[];
    expect(history[0]).toMatchObject({
      role: 'user',
      text: 'What is the cat called?',
      attachments: [
        { path: 'notes.md', kind: 'markdown', mode: 'inline' },
        { path: 'paper.pdf', kind: 'pdf', mode: 'inline' },
      ],
    });
    c.close();
    again.close();
  });

  it('a file too large for the model context goes through retrieval, and a notice says so', async () => {
    const { c } = await connect();
    const lines = Array.from({ length: 200 }, (_, i) => `Line ${i} is about gardens and rain.`);
    lines[120] = 'The secret word is marmalade.';
    c.send({
      type: 'text',
      id: 'big',
      text: 'What is the secret word?',
      attachments: [{ name: 'long.txt', data: b64(lines.join('\n')) }],
    });
    const events = await c.turn('big');
    const notices = events.filter((e) => e.type === 'notice');
    expect(notices).toEqual([
      expect.objectContaining({ code: 'attachment_retrieval', level: 'info', turn: 'big' }),
    ]);
    expect(String(notices[0]?.message)).toMatch(/^long\.txt is too large to send whole/);
    expect(events.at(-1)?.type).toBe('done');
    c.close();
  });

  it('refuses bad attachments with an error naming them; no turn starts and the connection lives', async () => {
    const { c } = await connect();
    const frames: [unknown, string, RegExp][] = [
      [{ name: 'a.md', data: '!!!not base64' }, 'bad_request', /attachments\[0\]\.data: must be base64/],
      [{ name: 'a.md', data: 'abc' }, 'bad_request', /not a multiple of 4/],
      [{ name: '../etc/passwd', data: b64('x') }, 'bad_request', /attachments\[0\]\.name: a file name/],
      [{ name: 'a\u0007.md', data: b64('x') }, 'bad_request', /attachments\[0\]\.name/],
      [{ name: '', data: b64('x') }, 'bad_request', /attachments\[0\]\.name/],
      [{ name: 'a.md', data: b64('x'), extra: 1 }, 'bad_request', /attachments\[0\]/],
      [{ name: 'a.md' }, 'bad_request', /attachments\[0\]\.data/],
      [
        { name: 'huge.txt', data: 'QUFB'.repeat(10_000) },
        'too_large',
        /huge\.txt: it is 29 KB, over the limit of 20 KB/,
      ],
      [
        { name: 'blob.txt', data: b64(Buffer.from([0, 1, 2, 255, 0])) },
        'unsupported',
        /blob\.txt: it is a binary file/,
      ],
      [
        { name: 'report.docx', data: b64('PK\u0003\u0004') },
        'unsupported',
        /report\.docx: it is a Word document/,
      ],
      [
        { name: 'fake.pdf', data: b64('hello') },
        'unsupported',
        /fake\.pdf: it is named \.pdf but is not a PDF/,
      ],
    ];
    for (const [attachment, code, message] of frames) {
      const e = await c.request({ type: 'text', id: 'x', text: 'hi', attachments: [attachment] });
      expect(e, JSON.stringify(attachment).slice(0, 80)).toMatchObject({
        type: 'error',
        error: { code },
      });
      // A refused file is the turn's error (the frame was valid); a bad field fails the frame.
      expect(e.turn).toBe(code === 'bad_request' ? undefined : 'x');
      expect(e.error?.message).toMatch(message);
    }
    const four = Array.from({ length: 4 }, (_, i) => ({ name: `f${i}.txt`, data: b64('x') }));
    const many = await c.request({ type: 'text', id: 'y', text: 'hi', attachments: four });
    expect(many).toMatchObject({
      type: 'error',
      error: { code: 'too_large', message: expect.stringMatching(/at most 3/) },
    });
    const notArray = await c.request({ type: 'text', text: 'hi', attachments: 'notes.md' });
    expect(notArray).toMatchObject({ type: 'error', error: { code: 'bad_request' } });
    expect(c.received.some((e) => e.type === 'turn')).toBe(false);
    expect(await c.request({ type: 'ping', id: 1 })).toEqual({ type: 'pong', id: 1 });
    c.close();
  });
});
