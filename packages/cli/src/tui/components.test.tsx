/* eslint-disable no-control-regex -- terminal escape sequences are what this file is about */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createParley, type ConfigLayer, type Parley } from '@parley/core';
import { render } from 'ink-testing-library';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { App, InputView, MessagesView, Popup, Rule, StatusBar } from './components.js';
import { ChatController } from './controller.js';
import { ChatSession } from './session.js';
import { plain } from './text.js';
import { THEMES } from './theme.js';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0)) await c();
});

function session(config: ConfigLayer = {}): { s: ChatSession; parley: Parley; home: string } {
  const home = mkdtempSync(path.join(os.tmpdir(), 'parley-tui-'));
  const parley = createParley({ env: { PARLEY_HOME: home }, config: { model: 'canned:echo', ...config } });
  cleanups.push(async () => {
    await parley.dispose();
    rmSync(home, { recursive: true, force: true });
  });
  return { s: new ChatSession(parley, parley.conversation({ source: 'tui' })), parley, home };
}

const SIZE = { columns: 100, rows: 18 };

function app(config: ConfigLayer = {}, opts: { noColor?: boolean } = {}) {
  const { s } = session(config);
  const onQuit = vi.fn();
  const onRepaint = vi.fn();
  const c = new ChatController({ session: s, ...SIZE, noColor: opts.noColor ?? true, onQuit, onRepaint });
  const r = render(<App controller={c} size={SIZE} />);
  cleanups.push(async () => r.unmount());
  const screen = (): string => plain(r.lastFrame() ?? '');
  const press = async (...seqs: string[]): Promise<void> => {
    for (const s of seqs) {
      r.stdin.write(s);
      // A lone Esc waits for Ink to tell it from the start of a sequence.
      await new Promise((res) => setTimeout(res, s === '\u001b' ? 60 : 5));
    }
  };
  const until = async (test: (screen: string) => boolean, ms = 5000): Promise<string> => {
    const end = Date.now() + ms;
    while (Date.now() < end) {
      if (test(screen())) return screen();
      await new Promise((res) => setTimeout(res, 10));
    }
    throw new Error(`screen never matched:\n${screen()}`);
  };
  return { c, r, screen, press, until, onQuit, onRepaint };
}

const KEY = {
  enter: '\r',
  altEnter: '\u001b\r',
  ctrlC: '\u0003',
  ctrlD: '\u0004',
  ctrlQ: '\u0011',
  ctrlL: '\u000c',
  ctrlR: '\u0012',
  ctrlP: '\u0010',
  esc: '\u001b',
  tab: '\t',
  up: '\u001b[A',
  down: '\u001b[B',
  pgUp: '\u001b[5~',
  pgDn: '\u001b[6~',
  home: '\u001b[H',
  end: '\u001b[F',
  f1: '\u001bOP',
  f2: '\u001bOQ',
  f5: '\u001b[15~',
  f6: '\u001b[17~',
};

describe('components', () => {
  it('StatusBar fills the width in inverse video', () => {
    const r = render(<StatusBar text=" local:m │ ready" width={30} theme={THEMES.plain} />);
    const f = r.lastFrame() ?? '';
    // (Without a terminal, Ink drops the inverse spaces at the end.)
    expect(plain(f).trimEnd()).toBe(' local:m │ ready');
    expect(f).not.toMatch(/\u001b\[3\dm/); // NO_COLOR: no colour
  });

  it('Popup marks the selected item', () => {
    const items = [
      { label: '/model [NAME]', hint: 'switch model', selected: false },
      { label: '/mode', hint: 'list the modes', selected: true },
    ];
    const lines = plain(
      render(<Popup items={items} theme={THEMES.plain} width={60} />).lastFrame() ?? '',
    ).split('\n');
    expect(lines[0]).toMatch(/^ {2}\/model \[NAME\] {2}switch model/);
    expect(lines[1]).toMatch(/^› \/mode {10}list the modes/);
  });

  it('MessagesView shows the lines it is given, blank ones too', () => {
    const f = render(<MessagesView lines={['one', '', 'three']} height={3} />).lastFrame() ?? '';
    expect(
      plain(f)
        .split('\n')
        .map((l) => l.trimEnd()),
    ).toEqual(['one', '', 'three']);
  });

  it('Rule and InputView draw their text', () => {
    expect(plain(render(<Rule text="── hint ──" theme={THEMES.color} />).lastFrame() ?? '')).toBe(
      '── hint ──',
    );
    expect(plain(render(<InputView lines={['❯ a', '  b']} />).lastFrame() ?? '')).toBe('❯ a\n  b');
  });
});

describe('the chat, key by key', () => {
  it('sends on Enter and streams the answer; the status bar tells model, state and id', async () => {
    const t = app();
    expect(t.screen()).toContain('canned:echo │ ready │ new conversation');
    await t.press('hello there', KEY.enter);
    const s = await t.until((x) => x.includes('ready') && x.includes('#'));
    expect(s).toContain('❯ hello there');
    expect(s).toMatch(/\n {2}hello there/); // the echo
    expect(s).toMatch(/canned:echo │ ready │ ttft \d+ ms │ .*tok\/s │ 2 in · 2 out │ #[0-9A-Z]{26}/);
    expect(s.split('\n').length).toBe(SIZE.rows);
  });

  it('Alt+Enter, and a line ending in \\, add a new line instead of sending', async () => {
    const t = app();
    await t.press('first', KEY.altEnter, 'second\\', KEY.enter, 'third');
    expect(t.screen()).toMatch(/❯ first\n {2}second\n {2}third/);
    expect(t.c.state).toBe('ready');
    await t.press(KEY.enter);
    await t.until((x) => x.includes('3 out'));
  });

  it('pastes several lines without sending them', async () => {
    const t = app();
    await t.press('\u001b[200~', 'one\rtwo', '\u001b[201~');
    expect(t.screen()).toMatch(/❯ one\n {2}two/);
    expect(t.c.transcript.entries.length).toBe(0);
  });

  it('Ctrl+C cancels a streaming answer, and quits when pressed again', async () => {
    const t = app({ model: 'canned:lorem', max_tokens: 5_000_000 });
    await t.press('go', KEY.enter);
    await t.until((x) => x.includes('streaming'));
    await t.press(KEY.ctrlC);
    const s = await t.until((x) => x.includes('cancelled'));
    await t.c.turn;
    expect(t.screen()).toContain('[interrupted]');
    expect(s).toContain('Ctrl+C again to quit');
    expect(t.onQuit).not.toHaveBeenCalled();
    await t.press(KEY.ctrlC);
    expect(t.onQuit).toHaveBeenCalledTimes(1);
  });

  it('Esc cancels a streaming answer too', async () => {
    const t = app({ model: 'canned:lorem', max_tokens: 5_000_000 });
    await t.press('go', KEY.enter);
    await t.until((x) => x.includes('streaming'));
    await t.press(KEY.esc);
    await t.until((x) => x.includes('cancelled'));
  });

  it('Ctrl+C on text clears it first; Ctrl+D quits only on an empty input; Ctrl+Q quits', async () => {
    const t = app();
    await t.press('draft', KEY.ctrlC);
    expect(t.screen()).toContain('input cleared');
    expect(t.onQuit).not.toHaveBeenCalled();
    await t.press('abc', '\u001b[D', KEY.ctrlD); // Ctrl+D deletes under the cursor
    expect(t.screen()).toContain('❯ ab');
    expect(t.onQuit).not.toHaveBeenCalled();
    await t.press('\u0015', KEY.ctrlD); // Ctrl+U empties the line, then Ctrl+D
    expect(t.onQuit).toHaveBeenCalledTimes(1);
    const q = app();
    await q.press(KEY.ctrlQ);
    expect(q.onQuit).toHaveBeenCalledTimes(1);
  });

  it('F6 toggles high contrast: no colour at all, bold and inverse only', async () => {
    const t = app({}, { noColor: false });
    await t.press('hi', KEY.enter);
    await t.until((x) => x.includes('#'));
    expect(t.r.lastFrame()).toMatch(/\u001b\[3\dm/);
    await t.press(KEY.f6);
    expect(t.screen()).toContain('high contrast on (F6)');
    expect(t.screen()).toContain('│ high contrast │');
    expect(t.r.lastFrame()).not.toMatch(/\u001b\[(3\d|9\d|4\d|38;)/);
    await t.press(KEY.f6);
    expect(t.screen()).toContain('high contrast off');
    expect(t.r.lastFrame()).toMatch(/\u001b\[3\dm/);
  });

  it('scrolls with ↑ ↓ PgUp PgDn Home End, and F5 turns following off', async () => {
    const t = app();
    const long = Array.from({ length: 40 }, (_, i) => `row ${i + 1}`).join('\n');
    await t.press('\u001b[200~', long, '\u001b[201~', KEY.enter);
    await t.until((x) => x.includes('#') && x.includes('ready'));
    expect(t.screen()).toContain('  row 40');
    await t.press(KEY.pgUp);
    expect(t.screen()).toContain('scrolled');
    expect(t.screen()).not.toContain('  row 40');
    await t.press(KEY.home);
    expect(t.screen()).toMatch(/❯ row 1\n/);
    await t.press(KEY.down, KEY.down);
    expect(t.screen()).not.toMatch(/❯ row 1\n/);
    await t.press(KEY.up);
    await t.press(KEY.pgDn, KEY.pgDn, KEY.pgDn, KEY.pgDn, KEY.pgDn, KEY.pgDn);
    expect(t.c.transcript.following).toBe(true);
    await t.press(KEY.home, KEY.end);
    expect(t.screen()).toContain('  row 40');
    await t.press(KEY.f5);
    expect(t.screen()).toContain('not following');
    expect(t.screen()).toContain('follow off');
    await t.press(KEY.f5);
    expect(t.screen()).toContain('following the answer');
  });

  it('Ctrl+L clears the screen and repaints; the conversation goes on', async () => {
    const t = app();
    await t.press('hello', KEY.enter);
    await t.until((x) => x.includes('#'));
    await t.press(KEY.ctrlL);
    expect(t.screen()).not.toContain('hello');
    expect(t.onRepaint).toHaveBeenCalled();
    expect(t.c.session.conversation.messages.length).toBe(2);
  });

  it('F1–F4 switch to the favourite models; a missing one says how to set it', async () => {
    const t = app({ tui: { favorites: ['canned:lorem'] } });
    await t.press(KEY.f1);
    expect(t.screen()).toContain('model: canned:lorem (F1)');
    expect(t.screen()).toContain('canned:lorem │ ready');
    await t.press(KEY.f2);
    expect(t.screen()).toContain('F2: no favourite model; set tui.favorites');
  });

  it('completes slash commands with Tab, and their arguments', async () => {
    const t = app({ tui: { favorites: ['canned:lorem'] } });
    await t.press('/mo');
    const menu = t.screen();
    expect(menu).toContain('/model [NAME]');
    expect(menu).toContain('/mode');
    await t.press(KEY.down, KEY.tab);
    expect(t.screen()).toContain('❯ /mode');
    await t.press('\u0015', '/mod', KEY.tab);
    expect(t.screen()).toContain('❯ /model');
    await t.until((x) => /canned:lorem +F1/.test(x));
    await t.press(KEY.esc);
    expect(t.screen()).not.toMatch(/canned:lorem +F1/);
    await t.press(KEY.tab);
    expect(t.screen()).toContain('❯ /model canned:lorem');
    await t.press(KEY.enter);
    await t.until((x) => x.includes('canned:lorem │ ready'));
  });

  it('Ctrl+R finds what you typed before; Ctrl+P brings back the last one', async () => {
    const t = app();
    await t.press('first question', KEY.enter);
    await t.until((x) => x.includes('#'));
    await t.press('second one', KEY.enter);
    await t.until((x) => x.match(/ {2}second one/) !== null && x.includes('ready'));
    await t.press(KEY.ctrlR, 'fir');
    expect(t.screen()).toContain('search: fir');
    expect(t.screen()).toContain('first question');
    await t.press(KEY.esc);
    expect(t.screen()).toContain('❯  type a message');
    await t.press(KEY.ctrlR, 'ques', KEY.enter);
    await t.until((x) => x.includes('6 out') || (x.match(/first question/g) ?? []).length >= 3);
    await t.press(KEY.ctrlP);
    expect(t.screen()).toContain('❯ first question');
  });

  it('runs slash commands: /mode, /system, /model, /help, /clear, and says what it does not know', async () => {
    const t = app();
    await t.press('/mode', KEY.enter);
    let s = await t.until((x) => /text\s+type and read.*\(current\)/.test(x));
    expect(s).toContain('deep-dive');
    await t.press('/system Be brief.', KEY.enter);
    await t.until((x) => x.includes('system prompt set'));
    expect(t.c.session.system).toBe('Be brief.');
    await t.press('/model canned:lorem', KEY.enter);
    await t.until((x) => x.includes('canned:lorem │ ready'));
    await t.press('/frobnicate', KEY.enter);
    await t.until((x) => x.includes('unknown command /frobnicate'));
    await t.press('/help', KEY.enter);
    s = await t.until((x) => x.includes('Ctrl+L'));
    await t.press('/clear', KEY.enter);
    s = await t.until((x) => x.includes('new conversation') && !x.includes('Ctrl+L'));
    expect(s).not.toContain('chat (current)');
  });

  it('reflows when the terminal is resized', async () => {
    const t = app();
    await t.press('a b c d e f g h i j k l m n o p q r s t u v w x y z '.repeat(3), KEY.enter);
    await t.until((x) => x.includes('#'));
    expect(
      t
        .screen()
        .split('\n')
        .some((l) => l.length > 60),
    ).toBe(true);
    t.r.rerender(<App controller={t.c} size={{ columns: 30, rows: 18 }} />);
    await t.until((x) => x.split('\n').every((l) => l.length <= 30));
    expect(
      t
        .screen()
        .split('\n')
        .some((l) => l.startsWith('  a b c')),
    ).toBe(true);
  });
});
