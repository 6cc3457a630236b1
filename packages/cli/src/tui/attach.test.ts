// `/attach` in the chat (the terminal UI and the plain REPL share it), on the canned echo
// model: its answer is the user's message as the model received it, files included.
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createParley, type ConfigLayer } from '@parley/core';
import { afterEach, describe, expect, it } from 'vitest';
import { makePdf } from '../../../../test/helpers/pdf.js';
import { runSlash, splitWords } from './commands.js';
import { ChatSession } from './session.js';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0)) await c();
});

function setup(config: ConfigLayer = {}) {
  const home = mkdtempSync(path.join(os.tmpdir(), 'parley-attach-'));
  const work = path.join(home, 'work');
  mkdirSync(work);
  const parley = createParley({ env: { PARLEY_HOME: home }, config: { model: 'canned:echo', ...config } });
  cleanups.push(async () => {
    await parley.dispose();
    rmSync(home, { recursive: true, force: true });
  });
  const s = new ChatSession(parley, parley.conversation({ source: 'tui' }));
  const prev = process.cwd();
  process.chdir(work);
  cleanups.push(() => Promise.resolve(process.chdir(prev)));
  return { s, parley, home, work };
}

async function say(s: ChatSession, text: string) {
  let out = '';
  const notices: string[] = [];
  const errors: string[] = [];
  for await (const e of s.send(text, new AbortController().signal)) {
    if (e.type === 'text-delta') out += e.text;
    if (e.type === 'notice') notices.push(e.message);
    if (e.type === 'error') errors.push(`${e.error.code}: ${e.error.message}`);
  }
  return { out, notices, errors };
}

describe('/attach', () => {
  it('splits paths on spaces, keeping quoted ones whole', () => {
    expect(splitWords('a.md "my notes.md" \'x y.txt\' docs/*.md')).toEqual([
      'a.md',
      'my notes.md',
      'x y.txt',
      'docs/*.md',
    ]);
  });

  it('attaches files to the next message only, between delimiters naming them', async () => {
    const { s, parley, work } = setup();
    writeFileSync(path.join(work, 'notes.md'), '# Notes\n\nThe cat is Whiskers.\n');
    writeFileSync(path.join(work, 'paper.pdf'), makePdf([['Page one words'], ['Page two words']]));
    const r = await runSlash(s, '/attach notes.md paper.pdf', 'tui');
    expect(r).toMatchObject({ kind: 'info', text: expect.stringContaining('attached notes.md (markdown') });
    expect(await runSlash(s, '/attach', 'tui')).toMatchObject({
      kind: 'info',
      text: expect.stringMatching(/notes\.md \(markdown.*\n.*paper\.pdf \(pdf/),
    });
    expect(await runSlash(s, '/attach notes.md', 'tui')).toMatchObject({
      text: 'those files are attached already',
    });

    const first = await say(s, 'What is the cat called?');
    expect(first.out).toContain(
      '<file path="notes.md" kind="markdown">\n# Notes\n\nThe cat is Whiskers.\n</file>',
    );
    expect(first.out).toContain(
      '<file path="paper.pdf" kind="pdf" pages="2">\n[page 1]\nPage one words\n\n[page 2]\nPage two words\n</file>',
    );
    expect(first.out).toMatch(/What is the cat called\?$/);
    expect(s.attachments).toEqual([]);
    const second = await say(s, 'And now?');
    expect(second.out).toBe('And now?');

    // The stored message keeps the files, and the title is what was typed.
    const id = s.conversationId as string;
    const stored = await parley.store().messages.list(id);
    const parts = stored[0]?.parts ?? [];
    expect(parts.map((p) => (p.type === 'text' ? (p.attachment?.path ?? 'typed') : p.type))).toEqual([
      'notes.md',
      'paper.pdf',
      'typed',
    ]);
    expect((await parley.store().conversations.get(id))?.title).toBe('What is the cat called?');
  });

  it('names the file and the reason when one cannot go, and attaches none of the set', async () => {
    const { s, home, work } = setup({ attachments: { max_file_bytes: 100 } });
    writeFileSync(path.join(work, 'ok.md'), 'fine\n');
    writeFileSync(path.join(work, 'big.txt'), 'x'.repeat(500));
    writeFileSync(path.join(work, 'blob.txt'), Buffer.from([0, 159, 146, 150, 0, 1]));
    mkdirSync(path.join(work, 'docs'));
    writeFileSync(path.join(home, 'secret.md'), 'outside\n');
    symlinkSync(path.join(home, 'secret.md'), path.join(work, 'docs', 'secret.md'));

    const cases: [string, RegExp][] = [
      ['/attach missing.md', /^\/attach: missing\.md: no such file or folder$/],
      ['/attach ok.md big.txt', /big\.txt: it is 500 bytes, over the limit of 100 bytes/],
      ['/attach blob.txt', /blob\.txt: it is a binary file/],
      ['/attach docs', /docs\/secret\.md: it links to .*outside the folder that was asked for/],
      ['/attach docs/*.md', /outside the folder/],
      ['/attach docs/*/../../*.md', /must not climb out/],
      ['/attach .', /docs\/secret\.md: it links to .*outside/],
      ['/attach ""', /empty path/],
    ];
    for (const [line, message] of cases) {
      const r = await runSlash(s, line, 'tui');
      expect(r, line).toMatchObject({ kind: 'error', text: expect.stringMatching(message) });
    }
    expect(s.attachments).toEqual([]);
  });

  it('/attach --clear drops the files waiting', async () => {
    const { s, work } = setup();
    writeFileSync(path.join(work, 'a.txt'), 'a\n');
    await runSlash(s, '/attach a.txt', 'repl');
    expect(await runSlash(s, '/attach --clear', 'repl')).toMatchObject({
      text: '1 attached file(s) dropped',
    });
    expect((await say(s, 'hi')).out).toBe('hi');
  });

  it('a file too large for the model context goes through retrieval, with a notice', async () => {
    const { s, work } = setup({ attachments: { inline_fraction: 0.0001 } });
    const filler = Array.from({ length: 60 }, (_, i) => `Paragraph ${i} talks about gardening and soil.`);
    filler.splice(31, 0, 'The launch code for the rocket is Bluebird.');
    writeFileSync(path.join(work, 'long.md'), filler.join('\n\n'));
    await runSlash(s, '/attach long.md', 'tui');
    const r = await say(s, 'What is the launch code for the rocket?');
    expect(r.errors).toEqual([]);
    expect(r.notices).toEqual([
      expect.stringMatching(/^long\.md is too large to send whole .*closest to the question/),
    ]);
    expect(r.out).toMatch(/^<file path="long\.md" kind="markdown" excerpts="\d+">/);
    expect(r.out).toContain('The launch code for the rocket is Bluebird.');
    expect(r.out).not.toContain('Paragraph 59 talks');
    // The chat goes on.
    expect((await say(s, 'still here?')).out).toBe('still here?');
  });
});
