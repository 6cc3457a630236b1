/* eslint-disable no-control-regex -- terminal escape sequences are what this file is about */
/**
 * The chat's y/n question before a tool runs, and reasoning shown dimmed and folded, key by
 * key through ink-testing-library.
 *
 * The model is a local wire server speaking the OpenAI chat-completions format, scripted to
 * call `write_file` or to think in a `<think>` block: a tiny local model (stories260K) cannot
 * call tools or reason, and no cloud API can be reached from a test. The provider, the tool
 * loop, the tool session, the sandboxed `write_file` and the SQLite history are the real ones.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createParley, createToolSession, type ConfigLayer } from '@parley/core';
import { render } from 'ink-testing-library';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { sseReply, startWireServer, type WireServer } from '../../../../test/helpers/wire-server.js';
import { App } from './components.js';
import { ChatController } from './controller.js';
import { ChatSession } from './session.js';
import { plain } from './text.js';

function chunk(delta: object, finish: string | null = null): string {
  return `data: ${JSON.stringify({ id: 'c1', object: 'chat.completion.chunk', created: 1, model: 'm', choices: [{ index: 0, delta, finish_reason: finish }] })}\n\n`;
}
function writeCall(file: string, content = 'from the chat') {
  const call = { index: 0, id: `call_${file}`, type: 'function' };
  const fn = { name: 'write_file', arguments: JSON.stringify({ path: file, content }) };
  return sseReply([
    chunk({ role: 'assistant', content: null, tool_calls: [{ ...call, function: fn }] }),
    chunk({}, 'tool_calls'),
    'data: [DONE]\n\n',
  ]);
}
const textReply = (...parts: string[]) =>
  sseReply([
    ...parts.map((p, i) => chunk(i === 0 ? { role: 'assistant', content: p } : { content: p })),
    chunk({}, 'stop'),
    'data: [DONE]\n\n',
  ]);

const SIZE = { columns: 100, rows: 24 };
const KEY = { enter: '\r', esc: '\u001b', ctrlC: '\u0003', ctrlT: '\u0014' };

let wire: WireServer;
let workspace: string;
const cleanups: (() => Promise<void>)[] = [];
beforeAll(async () => {
  wire = await startWireServer();
  workspace = mkdtempSync(path.join(os.tmpdir(), 'parley-tui-tools-'));
});
afterAll(async () => {
  await wire.close();
  rmSync(workspace, { recursive: true, force: true });
});
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
  wire.reset();
});

async function app(opts: { tools?: ConfigLayer['tools']; noColor?: boolean } = {}) {
  const home = mkdtempSync(path.join(os.tmpdir(), 'parley-tui-'));
  const parley = createParley({
    env: { PARLEY_HOME: home },
    config: {
      model: 'openai-compatible:m',
      base_url: `${wire.url}/v1`,
      max_retries: 0,
      tools: { enabled: ['write_file'], workspace, ...opts.tools },
    },
  });
  const s = new ChatSession(parley, parley.conversation({ source: 'tui' }));
  s.tools = await createToolSession(parley.config, { confirm: s.confirm });
  const c = new ChatController({ session: s, ...SIZE, noColor: opts.noColor ?? true });
  const r = render(<App controller={c} size={SIZE} />);
  cleanups.push(async () => {
    r.unmount();
    await c.turn;
    await s.tools?.close();
    await parley.dispose();
    rmSync(home, { recursive: true, force: true });
  });
  const screen = (): string => plain(r.lastFrame() ?? '');
  const press = async (...seqs: string[]): Promise<void> => {
    for (const q of seqs) {
      r.stdin.write(q);
      await new Promise((res) => setTimeout(res, q === KEY.esc ? 60 : 5));
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
  return { c, r, screen, press, until };
}

/** What the model was told about the tool call, in the second request. */
function toolMessage(): string {
  const body = wire.requests[1]?.body as { messages: { role: string; content: unknown }[] };
  return String(body.messages.find((m) => m.role === 'tool')?.content);
}

describe('the y/n question before a tool runs', () => {
  it('shows the tool and its arguments, and y runs it', async () => {
    wire.reply(writeCall('yes.txt'), textReply('written.'));
    const t = await app();
    await t.press('save it', KEY.enter);
    const asked = await t.until((x) => x.includes('allow write_file?'));
    expect(asked).toContain('"path": "yes.txt"');
    expect(asked).toContain('"content": "from the chat"');
    expect(asked).toContain('y runs it · n or Esc refuses');
    expect(asked).toContain('y/n?'); // the status bar
    expect(existsSync(path.join(workspace, 'yes.txt'))).toBe(false);
    await t.press('y');
    const done = await t.until((x) => x.includes('written.') && x.includes('│ ready'));
    expect(done).toContain('→ write_file {"path":"yes.txt","content":"from the chat"}');
    expect(done).toContain('allowed write_file');
    expect(done).toMatch(/✓ write_file: wrote yes\.txt/);
    expect(done).not.toContain('allow write_file?');
    expect(readFileSync(path.join(workspace, 'yes.txt'), 'utf8')).toBe('from the chat');
  });

  it('n refuses: the tool does not run and the model reads that it was denied', async () => {
    wire.reply(writeCall('no.txt'), textReply('fine, I will not.'));
    const t = await app();
    await t.press('save it', KEY.enter);
    await t.until((x) => x.includes('allow write_file?'));
    await t.press('n');
    const done = await t.until((x) => x.includes('fine, I will not.') && x.includes('│ ready'));
    expect(done).toContain('refused write_file');
    expect(done).toMatch(/✗ write_file: denied/);
    expect(existsSync(path.join(workspace, 'no.txt'))).toBe(false);
    expect(toolMessage()).toMatch(/^error \(denied\)/);
  });

  it('Esc refuses, and other keys do not leak into the input while it asks', async () => {
    wire.reply(writeCall('esc.txt'), textReply('ok.'));
    const t = await app();
    await t.press('save it', KEY.enter);
    await t.until((x) => x.includes('allow write_file?'));
    await t.press('x', 'q', KEY.enter);
    expect(t.screen()).toContain('allow write_file?'); // still asking
    await t.press(KEY.esc);
    const done = await t.until((x) => x.includes('ok.') && x.includes('│ ready'));
    expect(done).toContain('refused write_file');
    expect(existsSync(path.join(workspace, 'esc.txt'))).toBe(false);
    expect(t.c.input.text).toBe(''); // x, q and Enter went nowhere
  });

  it('no answer within tools.confirm_timeout_ms means no', async () => {
    wire.reply(writeCall('late.txt'), textReply('no answer, no file.'));
    const t = await app({ tools: { confirm_timeout_ms: 300 } });
    await t.press('save it', KEY.enter);
    await t.until((x) => x.includes('allow write_file?'));
    const done = await t.until((x) => x.includes('no answer, no file.') && x.includes('│ ready'));
    expect(done).toContain('refused write_file: not confirmed in time');
    expect(done).not.toContain('allow write_file?');
    expect(existsSync(path.join(workspace, 'late.txt'))).toBe(false);
    // The chat goes on: the next message is answered.
    wire.reply(textReply('still here'));
    await t.press('hello', KEY.enter);
    await t.until((x) => x.includes('still here'));
  });

  it('Ctrl+C while it asks refuses and cancels the turn', async () => {
    wire.reply(writeCall('cancel.txt'), textReply('never sent'));
    const t = await app();
    await t.press('save it', KEY.enter);
    await t.until((x) => x.includes('allow write_file?'));
    await t.press(KEY.ctrlC);
    const done = await t.until((x) => /│ (cancelled|ready)/.test(x) && !x.includes('allow write_file?'));
    expect(done).toContain('refused write_file');
    expect(done).not.toContain('never sent');
    expect(existsSync(path.join(workspace, 'cancel.txt'))).toBe(false);
  });
});

describe('reasoning in the chat', () => {
  it('is dimmed, folded once the answer comes, and Ctrl+T unfolds it', async () => {
    wire.reply(
      textReply('<think>The user wants ', 'a colour. Blue is calm.</think>', '\n\nBlue.'),
      textReply('<think>Second thought.</think>Green.'),
    );
    const t = await app({ noColor: false });
    await t.press('pick a colour', KEY.enter);
    const done = await t.until((x) => x.includes('Blue.') && x.includes('│ ready'));
    expect(done).toContain('▸ thinking · 8 words · Ctrl+T shows it');
    expect(done).not.toContain('Blue is calm');
    // The answer comes after the folded reasoning.
    expect(done.indexOf('▸ thinking')).toBeLessThan(done.indexOf('Blue.'));
    await t.press(KEY.ctrlT);
    const open = await t.until((x) => x.includes('Blue is calm'));
    expect(open).toContain('▾ thinking · Ctrl+T folds it');
    expect(open).toContain('reasoning shown');
    // Dim (SGR 2) around the reasoning, and nowhere around the answer.
    const raw = t.r.lastFrame() ?? '';
    expect(raw).toMatch(/\u001b\[2mThe user wants a colour\. Blue is calm\.\u001b\[22m/);
    expect(raw).not.toMatch(/\u001b\[2m[^\u001b]*Blue\.\u001b/);
    // With reasoning shown, the next turn's reasoning stays open.
    await t.press('another', KEY.enter);
    const second = await t.until((x) => x.includes('Green.') && x.includes('│ ready'));
    expect(second).toContain('Second thought.');
    await t.press(KEY.ctrlT);
    const folded = await t.until((x) => !x.includes('Second thought.'));
    expect(folded).toContain('▸ thinking · 2 words · Ctrl+T shows it');
    // Reasoning is not part of the saved answer.
    expect(t.c.session.conversation.messages.at(-1)).toEqual({
      role: 'assistant',
      content: [{ type: 'text', text: 'Green.' }],
    });
  });

  it('uses italic, not colour or dim, with NO_COLOR', async () => {
    wire.reply(textReply('<think>quietly</think>Done.'));
    const t = await app({ noColor: true });
    await t.press('go', KEY.enter);
    await t.until((x) => x.includes('Done.') && x.includes('│ ready'));
    await t.press(KEY.ctrlT);
    await t.until((x) => x.includes('quietly'));
    const raw = t.r.lastFrame() ?? '';
    expect(raw).toMatch(/\u001b\[3mquietly\u001b\[23m/);
    expect(raw).not.toContain('\u001b[2m');
  });
});
