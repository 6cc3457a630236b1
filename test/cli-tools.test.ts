/**
 * Tools in the one-shot CLI, run as a user would: `parley tools list`, `--tools`, and the
 * confirmation rules (no TTY: refuse unless --yes, never shell; a TTY: ask y/n).
 *
 * The model here is a local wire server speaking the OpenAI chat-completions format: a tiny
 * local model cannot call tools, and no cloud API can be reached from a test. It asks for
 * one tool call, then answers with text once it has the result.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { cleanEnv, PARLEY_BIN, runParley, tempHome } from './helpers/cli.js';
import {
  sseReply,
  startWireServer,
  type WireServer,
  openAIChunk,
  openAITextReply,
} from './helpers/wire-server.js';

function toolCallReply(name: string, args: object) {
  return sseReply([
    openAIChunk({
      role: 'assistant',
      content: null,
      tool_calls: [{ index: 0, id: 'call_1', type: 'function', function: { name, arguments: '' } }],
    }),
    openAIChunk({ tool_calls: [{ index: 0, function: { arguments: JSON.stringify(args) } }] }),
    openAIChunk({}, 'tool_calls'),
    'data: [DONE]\n\n',
  ]);
}
const textReply = (text: string) => openAITextReply(text);

type Json = { messages: { role: string; content: unknown }[] };

describe('parley with tools', () => {
  let server: WireServer;
  let home: ReturnType<typeof tempHome>;
  let workspace: string;
  let configFile: string;
  beforeAll(async () => {
    server = await startWireServer();
    home = tempHome();
    workspace = path.join(home.home, 'ws');
    mkdirSync(workspace);
    configFile = path.join(home.home, 'config.toml');
    writeFileSync(configFile, `[tools]\nworkspace = ${JSON.stringify(workspace)}\n`);
  });
  afterAll(async () => {
    await server.close();
    home.cleanup();
  });
  beforeEach(() => server.reset());

  const modelArgs = () => [
    '--config',
    configFile,
    '-m',
    'openai-compatible:m',
    '--base-url',
    `${server.url}/v1`,
    '--no-log',
  ];
  const env = () => ({ PARLEY_HOME: home.home, PARLEY_MAX_RETRIES: '0' });
  const toolMessage = () =>
    (server.requests[1]?.body as Json | undefined)?.messages.find((m) => m.role === 'tool');

  it('tools list shows every built-in tool with its safety', async () => {
    const r = await runParley(['--config', configFile, 'tools', 'list', '--json'], { env: env() });
    expect(r.code).toBe(0);
    const tools = (JSON.parse(r.stdout) as { tools: { name: string; safety: string; enabled: boolean }[] })
      .tools;
    expect(tools.map((t) => [t.name, t.safety])).toEqual([
      ['fetch_url', 'safe'],
      ['web_search', 'safe'],
      ['read_file', 'safe'],
      ['write_file', 'confirm'],
      ['list_dir', 'safe'],
      ['run_code', 'confirm'],
      ['shell', 'dangerous'],
    ]);
    const text = await runParley(['--config', configFile, 'tools', 'list', '--tools', 'read_file'], {
      env: env(),
    });
    expect(text.stdout).toMatch(/^read_file\s+safe\s+built-in\s+yes\s+Read a text file/m);
    expect(text.stdout).toMatch(/^shell\s+dangerous\s+built-in\s+-/m);
  });

  it('an unknown tool in --tools is a usage error naming it', async () => {
    const r = await runParley([...modelArgs(), '--tools', 'read_file,nope', 'hi'], { env: env() });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('unknown tool "nope"');
    expect(server.requests).toHaveLength(0);
    const empty = await runParley([...modelArgs(), '--tools', ',', 'hi'], { env: env() });
    expect(empty.code).toBe(2);
    expect(empty.stderr).toContain('--tools needs tool names');
  });

  it('runs a safe tool without asking and prints the call on stderr', async () => {
    writeFileSync(path.join(workspace, 'notes.txt'), 'the kettle is blue');
    server.reply(toolCallReply('read_file', { path: 'notes.txt' }), textReply('It is blue.'));
    const r = await runParley([...modelArgs(), '--tools', 'read_file', 'what colour is the kettle?'], {
      env: env(),
    });
    expect(r.code).toBe(0);
    expect(r.stdout).toBe('It is blue.\n');
    expect(r.stderr).toContain('→ read_file {"path":"notes.txt"}');
    expect(r.stderr).toContain('✓ read_file: read notes.txt (18 bytes)');
    expect(toolMessage()?.content).toBe('the kettle is blue');
  });

  it('--json lists the tool calls with their results', async () => {
    server.reply(toolCallReply('read_file', { path: 'missing.txt' }), textReply('No such file.'));
    const r = await runParley([...modelArgs(), '--tools', 'read_file', '--json', 'read it'], { env: env() });
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout) as { text: string; tool_calls: unknown[] };
    expect(out.text).toBe('No such file.');
    expect(out.tool_calls).toEqual([
      {
        id: 'call_1',
        name: 'read_file',
        args: { path: 'missing.txt' },
        result: { code: 'not_found', message: 'missing.txt: no such file or folder' },
        is_error: true,
      },
    ]);
  });

  it('without a TTY and without --yes, a confirm tool is refused and the model is told', async () => {
    server.reply(
      toolCallReply('write_file', { path: 'out.txt', content: 'hello' }),
      textReply('I could not write it.'),
    );
    const r = await runParley([...modelArgs(), '--tools', 'write_file', 'write hello'], { env: env() });
    expect(r.code).toBe(0);
    expect(existsSync(path.join(workspace, 'out.txt'))).toBe(false);
    expect(r.stderr).toContain('refused write_file {"path":"out.txt","content":"hello"}');
    expect(r.stderr).toContain('add --yes');
    expect(String(toolMessage()?.content)).toContain('error (denied)');
  });

  it('with --yes a confirm tool runs', async () => {
    server.reply(toolCallReply('write_file', { path: 'yes.txt', content: 'hello' }), textReply('Done.'));
    const r = await runParley([...modelArgs(), '--tools', 'all', '--yes', 'write hello'], { env: env() });
    expect(r.code).toBe(0);
    expect(readFileSync(path.join(workspace, 'yes.txt'), 'utf8')).toBe('hello');
    expect(toolMessage()?.content).toBe('wrote 5 bytes to yes.txt');
  });

  it('--yes never allows shell: it needs a yes at a terminal', async () => {
    const marker = path.join(workspace, 'shell-ran');
    server.reply(toolCallReply('shell', { command: `touch ${marker}` }), textReply('ok'));
    const r = await runParley([...modelArgs(), '--tools', 'shell', '--yes', 'touch it'], { env: env() });
    expect(r.code).toBe(0);
    expect(existsSync(marker)).toBe(false);
    expect(r.stderr).toContain('shell is dangerous');
  });

  // A real pseudo-terminal through util-linux `script`; the answer is typed once the question shows.
  function onTty(args: string[], typed: string): Promise<string> {
    const quoted = args.map((a) => `'${a.replace(/'/g, `'\\''`)}'`).join(' ');
    return new Promise((resolve, reject) => {
      const child = spawn(
        'script',
        ['-qec', `"${process.execPath}" "${PARLEY_BIN}" ${quoted}`, '/dev/null'],
        {
          env: cleanEnv({ ...env(), NO_COLOR: '1' }),
        },
      );
      let out = '';
      let answered = false;
      const timer = setTimeout(() => child.kill('SIGKILL'), 60_000);
      child.stdout.setEncoding('utf8').on('data', (d: string) => {
        out += d;
        if (!answered && out.includes('[y/N]')) {
          answered = true;
          child.stdin.write(typed);
        }
      });
      child.on('error', reject);
      child.on('close', () => {
        clearTimeout(timer);
        resolve(out);
      });
      child.on('exit', () => child.stdin.end());
    });
  }

  it('on a TTY it asks, and y runs the tool', async () => {
    server.reply(
      toolCallReply('write_file', { path: 'tty.txt', content: 'typed yes' }),
      textReply('Written.'),
    );
    const out = await onTty([...modelArgs(), '--tools', 'write_file', 'write it'], 'y\n');
    expect(out).toContain('parley: allow write_file {"path":"tty.txt","content":"typed yes"}? [y/N]');
    expect(readFileSync(path.join(workspace, 'tty.txt'), 'utf8')).toBe('typed yes');
    expect(out).toContain('Written.');
  });

  it('on a TTY, n (or anything but y) refuses', async () => {
    server.reply(toolCallReply('shell', { command: 'touch nope' }), textReply('Not run.'));
    const out = await onTty([...modelArgs(), '--tools', 'shell', 'run it'], 'n\n');
    expect(out).toContain('parley: DANGEROUS shell {"command":"touch nope"}? [y/N]');
    expect(existsSync(path.join(workspace, 'nope'))).toBe(false);
    expect(String(toolMessage()?.content)).toContain('error (denied)');
  });
});
