import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createParley, type ConfigLayer } from '@parley/core';
import { afterEach, describe, expect, it } from 'vitest';
import { findCommand, helpText, runSlash } from './commands.js';
import { ChatSession } from './session.js';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0)) await c();
});

function session(config: ConfigLayer = {}) {
  const home = mkdtempSync(path.join(os.tmpdir(), 'parley-cmd-'));
  const parley = createParley({ env: { PARLEY_HOME: home }, config: { model: 'canned:echo', ...config } });
  cleanups.push(async () => {
    await parley.dispose();
    rmSync(home, { recursive: true, force: true });
  });
  const s = new ChatSession(parley, parley.conversation({ source: 'tui' }));
  return { s, parley, home };
}

async function say(s: ChatSession, text: string): Promise<string> {
  let out = '';
  for await (const e of s.send(text, new AbortController().signal))
    if (e.type === 'text-delta') out += e.text;
  return out;
}

describe('slash commands', () => {
  it('finds commands by name, alias and unique prefix', () => {
    expect(findCommand('/model x').command?.name).toBe('model');
    expect(findCommand('/exit').command?.name).toBe('quit');
    expect(findCommand('/he').command?.name).toBe('help');
    expect(findCommand('/mo').command).toBeUndefined(); // /model or /mode
  });

  it('/template NAME {json} renders a template to send', async () => {
    const { s, parley } = session();
    mkdirSync(parley.paths.templates, { recursive: true });
    writeFileSync(
      path.join(parley.paths.templates, 'greet.hbs'),
      '+++\n[variables.name]\nrequired = true\n+++\nHello {{name}}!',
    );
    expect(await runSlash(s, '/template greet {"name": "Ada"}', 'tui')).toEqual({
      kind: 'send',
      text: 'Hello Ada!',
    });
    const missing = await runSlash(s, '/template greet', 'tui');
    expect(missing).toMatchObject({ kind: 'error' });
    expect((missing as { text: string }).text).toContain('name');
    expect(await runSlash(s, '/template greet {oops', 'tui')).toMatchObject({ kind: 'error' });
    expect((await s.templateChoices()).map((c) => c.value)).toEqual(['greet']);
  });

  it('/save names the conversation, /load goes back to it, /export writes JSON or Markdown', async () => {
    const { s, home } = session();
    expect(await runSlash(s, '/save', 'tui')).toMatchObject({
      kind: 'error',
      text: expect.stringContaining('nothing'),
    });
    await say(s, 'remember the tea');
    const id = s.conversationId as string;
    expect(await runSlash(s, '/save Tea time', 'tui')).toMatchObject({
      kind: 'info',
      text: expect.stringContaining(id),
    });
    const json = path.join(home, 'c.json');
    const md = path.join(home, 'c.md');
    await runSlash(s, `/export ${json}`, 'tui');
    await runSlash(s, `/export ${md}`, 'tui');
    expect(JSON.parse(readFileSync(json, 'utf8'))).toMatchObject({ conversation: { id, title: 'Tea time' } });
    expect(readFileSync(md, 'utf8')).toContain('remember the tea');

    expect(await runSlash(s, '/clear', 'tui')).toMatchObject({
      kind: 'clear',
      text: expect.stringContaining(id),
    });
    expect(s.conversationId).toBeUndefined();
    expect((await s.conversationChoices()).map((c) => c.value)).toContain(id);
    const loaded = await runSlash(s, `/load ${id}`, 'tui');
    expect(loaded).toMatchObject({ kind: 'load' });
    expect((loaded as { messages: unknown[] }).messages).toHaveLength(2);
    expect(s.conversationId).toBe(id);
    expect(await runSlash(s, '/load 01NOPE', 'tui')).toMatchObject({ kind: 'error' });
  });

  it('/save with history off saves what was said, and the turns after it', async () => {
    const { s, parley } = session({ store: { log: false } });
    await say(s, 'first');
    expect(s.conversationId).toBeUndefined();
    expect(await runSlash(s, '/export x.json', 'tui')).toMatchObject({
      kind: 'error',
      text: expect.stringContaining('/save'),
    });
    await runSlash(s, '/save', 'tui');
    const id = s.conversationId as string;
    await say(s, 'second');
    expect((await parley.store().messages.list(id)).length).toBe(4);
  });

  it('/model checks the name, /system sets the prompt, /mode lists the modes', async () => {
    const { s } = session();
    const shown = await runSlash(s, '/model', 'tui');
    expect(shown).toMatchObject({ kind: 'info', text: expect.stringContaining('model: canned:echo') });
    expect((shown as { text: string }).text).toContain('favourites: none (set tui.favorites');
    await runSlash(s, '/model canned:lorem', 'tui');
    expect(s.modelName).toBe('canned:lorem');
    await runSlash(s, '/system Answer in French.', 'tui');
    expect(s.system).toBe('Answer in French.');
    await runSlash(s, '/system --clear', 'tui');
    expect(s.system).toBeUndefined();
    const mode = await runSlash(s, '/mode', 'repl');
    expect(mode).toMatchObject({
      kind: 'info',
      text: expect.stringMatching(/text +type and read.*\(current\)/),
    });
    for (const id of ['voice', 'broadcast', 'visual', 'monitor']) {
      expect((mode as { text: string }).text).toMatch(new RegExp(`${id} .*\\[browser: parley serve\\]`));
    }
  });

  it('/mode NAME switches between the modes the terminal runs; the others say where they run', async () => {
    const { s } = session({ pipelines: { reasoning_model: 'canned:lorem' } });
    expect(await runSlash(s, '/mode router', 'tui')).toEqual({ kind: 'info', text: 'mode: router' });
    const routed: string[] = [];
    for await (const e of s.send('write a python function', new AbortController().signal))
      routed.push(e.type);
    expect(routed[0]).toBe('route');
    await runSlash(s, '/mode deep-dive', 'tui');
    const dived: { type: string; model?: string }[] = [];
    for await (const e of s.send('think', new AbortController().signal)) dived.push(e as { type: string });
    expect(dived.at(-1)).toMatchObject({ type: 'done', model: 'canned:lorem' });
    expect((await runSlash(s, '/mode', 'tui')) as { text: string }).toMatchObject({
      text: expect.stringMatching(/deep-dive .*\(current\)/),
    });
    const voice = await runSlash(s, '/mode voice', 'tui');
    expect(voice).toMatchObject({
      kind: 'error',
      text: expect.stringMatching(/voice needs a microphone.*parley serve/),
    });
    const bad = await runSlash(s, '/mode ../../etc', 'tui');
    expect(bad).toMatchObject({
      kind: 'error',
      text: expect.stringMatching(/unknown mode "..\/..\/etc": use text, voice/),
    });
    expect(s.mode).toBe('deep-dive');
    await runSlash(s, '/mode text', 'tui');
    expect(await say(s, 'plain')).toBe('plain');
  });

  it('help lists every command, and keys only in the terminal UI', () => {
    expect(helpText('tui')).toContain('F6');
    expect(helpText('repl')).not.toContain('F6');
    for (const c of [
      '/model',
      '/system',
      '/clear',
      '/template',
      '/save',
      '/load',
      '/export',
      '/help',
      '/mode',
    ]) {
      expect(helpText('repl')).toContain(c);
    }
  });
});
