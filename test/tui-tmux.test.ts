/* eslint-disable no-control-regex -- terminal escape sequences are what this file is about */
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { PARLEY_BIN, tempHome } from './helpers/cli.js';
import { STORIES } from './helpers/models.js';
import { sseReply, startWireServer } from './helpers/wire-server.js';

// `parley chat` end to end, as a person sees it: in tmux, typing with send-keys and
// reading the screen with capture-pane. Every wait polls the screen against a deadline.

const hasTmux = spawnSync('tmux', ['-V']).status === 0;
const SOCKET = `parley-test-${process.pid}`;
const COLS = 100;
const ROWS = 30;
let counter = 0;

function tmux(...args: string[]): string {
  return execFileSync('tmux', ['-L', SOCKET, ...args], { encoding: 'utf8' });
}

const shellQuote = (s: string): string => `'${s.replace(/'/g, `'\\''`)}'`;

class Pane {
  readonly name = `chat${++counter}`;
  readonly home = tempHome();

  /** Run parley in a new tmux window; after it exits, print its exit code and `stty -a`. */
  start(args: string[], env: Record<string, string> = {}, cwd?: string): this {
    const vars = Object.entries({ PARLEY_HOME: this.home.home, PARLEY_GPU: 'false', ...env })
      .map(([k, v]) => `${k}=${shellQuote(v)}`)
      .join(' ');
    const parley = [process.execPath, PARLEY_BIN, ...args].map(shellQuote).join(' ');
    // CI is unset as a user's terminal has it; the chat ignores it anyway (see tui/index.ts).
    const cmd = `env -u CI ${vars} ${parley}; echo "EXIT:$?"; stty -a | tr '\\n' ' '; echo; sleep 600`;
    const dir = cwd ? ['-c', cwd] : [];
    tmux('new-session', '-d', '-s', this.name, ...dir, '-x', String(COLS), '-y', String(ROWS), cmd);
    return this;
  }

  screen(escapes = false): string {
    return tmux('capture-pane', '-p', ...(escapes ? ['-e'] : []), '-t', this.name);
  }

  lines(): string[] {
    return this.screen().split('\n');
  }

  /** The status bar: the last line of the chat's screen. */
  status(): string {
    return this.lines()[ROWS - 1] ?? '';
  }

  type(text: string): void {
    tmux('send-keys', '-t', this.name, '-l', text);
  }

  key(...keys: string[]): void {
    tmux('send-keys', '-t', this.name, ...keys);
  }

  query(format: string): string {
    return tmux('display-message', '-p', '-t', this.name, format).trim();
  }

  async waitFor(what: string | RegExp | ((screen: string) => boolean), ms = 60_000): Promise<string> {
    const test =
      typeof what === 'function'
        ? what
        : (s: string): boolean => (typeof what === 'string' ? s.includes(what) : what.test(s));
    const deadline = Date.now() + ms;
    let s = '';
    while (Date.now() < deadline) {
      s = this.screen();
      if (test(s)) return s;
      await new Promise((r) => setTimeout(r, 100));
    }
    throw new Error(`timed out waiting for ${String(what)}; the screen:\n${s}`);
  }

  /** Send a message: the text, then Enter in a separate call. */
  async send(text: string): Promise<void> {
    this.type(text);
    await this.waitFor((s) => s.includes(text.slice(0, 40)));
    this.key('Enter');
  }

  /** After the chat has exited: its exit code, and `stty -a` shows a sane terminal. */
  async exited(): Promise<{ code: number; stty: string; screen: string }> {
    const screen = await this.waitFor(/EXIT:\d+[\s\S]*speed/);
    const code = Number(/EXIT:(\d+)/.exec(screen)?.[1]);
    const stty = screen.slice(screen.indexOf('speed'));
    return { code, stty, screen };
  }

  close(): void {
    try {
      tmux('kill-session', '-t', this.name);
    } catch {
      // Already gone.
    }
    this.home.cleanup();
  }
}

const panes: Pane[] = [];
const pane = (): Pane => {
  const p = new Pane();
  panes.push(p);
  return p;
};
afterEach(() => {
  for (const p of panes.splice(0)) p.close();
});
afterAll(() => {
  if (hasTmux) spawnSync('tmux', ['-L', SOCKET, 'kill-server']);
});

/** `stty -a` of a terminal in its normal (cooked) mode. */
function expectSane(stty: string): void {
  expect(stty).toMatch(/(^|\s)icanon(\s|$)/);
  expect(stty).toMatch(/(^|\s)echo(\s|$)/);
  expect(stty).not.toMatch(/-icanon|(^|\s)-echo(\s|$)/);
}

const local = ['-m', STORIES, '--threads', '1'];

// CI installs tmux (.ci/run); a developer machine without it skips these.
describe.skipIf(!hasTmux && !process.env.CI)('parley chat under tmux', () => {
  it('streams an answer from the local engine, and quitting leaves a sane terminal', async () => {
    const p = pane().start([...local, '--max-tokens', '40']); // `parley` with no prompt, on a TTY
    await p.waitFor((s) => s.includes('│ ready │') && s.includes('new conversation'));
    await p.send('Once upon a time');
    const s = await p.waitFor((x) => /│ ready │ ttft \d+ ms/.test(x) && /#[0-9A-Z]{10}/.test(x));
    expect(p.status()).toMatch(
      /^ local:stories260K │ ready │ ttft \d+ ms │ [\d.]+ tok\/s │ \d+ in · \d+ out/,
    );
    const answer = s
      .split('\n')
      .slice(3, ROWS - 3)
      .join(' ')
      .trim();
    expect(answer.length).toBeGreaterThan(10);
    expect(p.query('#{alternate_on}')).toBe('1');
    p.key('C-q');
    const { code, stty, screen } = await p.exited();
    expect(code).toBe(0);
    expectSane(stty);
    expect(screen).toMatch(/The conversation is saved: parley chat --conversation [0-9A-Z]{26}/);
    expect(p.query('#{alternate_on}')).toBe('0');
    expect(p.query('#{cursor_flag}')).toBe('1');
  }, 180_000);

  it('Ctrl+C cancels a streaming answer; a second Ctrl+C quits', async () => {
    const p = pane().start(['chat', ...local, '--max-tokens', '100000']);
    await p.waitFor('│ ready │');
    await p.send('Once upon a time');
    await p.waitFor('│ streaming │');
    p.key('C-c');
    const s = await p.waitFor('│ cancelled │');
    await p.waitFor('[interrupted]');
    expect(s).toContain('Ctrl+C again to quit');
    p.key('C-c');
    const { code, stty } = await p.exited();
    expect(code).toBe(0);
    expectSane(stty);
  }, 180_000);

  it('F6 toggles high contrast: no colour, then colour again', async () => {
    const p = pane().start(['chat', '-m', 'canned:lorem']);
    await p.waitFor('│ ready │');
    const colour = /\u001b\[[\d;]*(3[0-7]|9[0-7]|38;)/;
    expect(p.screen(true)).toMatch(colour);
    p.key('F6');
    await p.waitFor('high contrast on');
    expect(p.status()).toContain('│ high contrast │');
    expect(p.screen(true)).not.toMatch(colour);
    p.key('F6');
    await p.waitFor('high contrast off');
    expect(p.screen(true)).toMatch(colour);
    p.key('C-d');
    expectSane((await p.exited()).stty);
  });

  it('/clear starts a new conversation and clears the screen', async () => {
    const p = pane().start(['chat', '-m', 'canned:echo']);
    await p.waitFor('│ ready │');
    await p.send('remember the lighthouse');
    await p.waitFor(/#[0-9A-Z]{10}/);
    expect(p.screen().match(/remember the lighthouse/g)?.length).toBe(2); // yours, and the echo
    await p.send('/clear');
    const s = await p.waitFor((x) => x.includes('new conversation (the last one is'));
    expect(s).not.toContain('remember the lighthouse');
    expect(p.status()).toContain('│ new conversation');
    p.key('C-q');
    expectSane((await p.exited()).stty);
  });

  it('a 300-line reply scrolls to its last line, and back', async () => {
    const p = pane();
    const dir = path.join(p.home.home, 'config', 'templates');
    mkdirSync(dir, { recursive: true });
    const body = Array.from({ length: 300 }, (_, i) => `line ${i + 1} of 300`).join('\n');
    writeFileSync(path.join(dir, 'long.hbs'), `${body}\n`);
    p.start(['chat', '-m', 'canned:echo']);
    await p.waitFor('│ ready │');
    await p.send('/template long {}');
    await p.waitFor((s) => /│ ready │ ttft/.test(s) && s.includes('line 300 of 300'));
    const lines = p.lines();
    const rule = lines.findIndex((l) => l.startsWith('───'));
    expect(lines[rule - 1]?.trim()).toBe('line 300 of 300');
    p.key('PPage');
    await p.waitFor((s) => s.includes('scrolled') && !s.includes('line 300 of 300'));
    p.key('End');
    await p.waitFor((s) => !s.includes('scrolled') && s.includes('line 300 of 300'));
    p.key('C-q');
    expectSane((await p.exited()).stty);
  });

  it('a forced crash mid-stream restores the terminal and says what happened', async () => {
    const p = pane().start(['chat', '-m', 'canned:lorem', '--max-tokens', '100000'], {
      PARLEY_DEBUG_CRASH: '1',
    });
    await p.waitFor('│ ready │');
    await p.send('crash, please');
    const { code, stty, screen } = await p.exited();
    expect(code).toBe(1);
    expectSane(stty);
    expect(screen).toContain('parley chat crashed: PARLEY_DEBUG_CRASH is set');
    expect(screen).toContain('The terminal has been restored');
    expect(screen).toMatch(/chat-crash\.log/);
    expect(p.query('#{alternate_on}')).toBe('0');
    expect(p.query('#{cursor_flag}')).toBe('1');
  });

  it('SIGTERM restores the terminal too', async () => {
    const p = pane().start(['chat', '-m', 'canned:lorem']);
    await p.waitFor('│ ready │');
    const shell = p.query('#{pane_pid}');
    const pid = execFileSync('ps', ['--ppid', shell, '-o', 'pid='], { encoding: 'utf8' })
      .trim()
      .split('\n')[0];
    process.kill(Number(pid), 'SIGTERM');
    const { code, stty, screen } = await p.exited();
    expect(code).toBe(143);
    expectSane(stty);
    expect(screen).toContain('stopped by SIGTERM');
    expect(p.query('#{alternate_on}')).toBe('0');
  });

  it('asks y/n before a tool runs: y writes the file, n does not', async () => {
    // The model is a local server in the OpenAI chat-completions format: a tiny local model
    // cannot call tools, and no cloud API can be reached from a test.
    const wire = await startWireServer();
    const workspace = mkdtempSync(path.join(os.tmpdir(), 'parley-tmux-tools-'));
    const chunk = (delta: object, finish: string | null = null): string =>
      `data: ${JSON.stringify({ id: 'c', object: 'chat.completion.chunk', created: 1, model: 'm', choices: [{ index: 0, delta, finish_reason: finish }] })}\n\n`;
    const call = (file: string) =>
      sseReply([
        chunk({
          role: 'assistant',
          tool_calls: [
            {
              index: 0,
              id: `call_${file}`,
              type: 'function',
              function: { name: 'write_file', arguments: JSON.stringify({ path: file, content: 'hi' }) },
            },
          ],
        }),
        chunk({}, 'tool_calls'),
        'data: [DONE]\n\n',
      ]);
    const text = (t: string) =>
      sseReply([chunk({ role: 'assistant', content: t }), chunk({}, 'stop'), 'data: [DONE]\n\n']);
    try {
      wire.reply(call('yes.txt'), text('Saved it.'), call('no.txt'), text('Left it.'));
      const p = pane().start(
        ['chat', '-m', 'openai-compatible:m', '--tools', 'write_file'],
        { PARLEY_BASE_URL: `${wire.url}/v1`, PARLEY_MAX_RETRIES: '0' },
        workspace,
      );
      await p.waitFor('│ ready │');
      await p.send('save yes.txt');
      const asked = await p.waitFor('allow write_file?');
      expect(asked).toContain('"path": "yes.txt"');
      expect(asked).toContain('y runs it · n or Esc refuses');
      p.type('y');
      await p.waitFor((x) => x.includes('Saved it.') && x.includes('│ ready │'));
      expect(readFileSync(path.join(workspace, 'yes.txt'), 'utf8')).toBe('hi');
      await p.send('save no.txt');
      await p.waitFor('allow write_file?');
      p.type('n');
      const s = await p.waitFor((x) => x.includes('Left it.') && x.includes('refused write_file'));
      expect(s).toContain('allowed write_file');
      expect(existsSync(path.join(workspace, 'no.txt'))).toBe(false);
      p.key('C-q');
      expectSane((await p.exited()).stty);
    } finally {
      await wire.close();
      rmSync(workspace, { recursive: true, force: true });
    }
  });
});
