/**
 * What a terminal shows of hostile MCP servers: `parley mcp list`, `parley tools list`, and a
 * one-shot turn whose model calls a tool that answers with terminal escapes (an OSC 52
 * clipboard write, a screen clear). No raw escape or control character reaches stdout or
 * stderr.
 *
 * The model is a local wire server speaking the OpenAI chat-completions format: a tiny local
 * model cannot call tools, and no cloud API can be reached from a test.
 */
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runParley, tempHome } from '../helpers/cli.js';
import {
  startWireServer,
  type WireServer,
  openAITextReply,
  openAIToolCallReply,
} from '../helpers/wire-server.js';
import { alive, HOSTILE, pidDir, RAW_CONTROL } from './mcp-hostile.js';

const pids = pidDir();
let home: ReturnType<typeof tempHome>;
let file: string;
let wire: WireServer;
const env = () => ({ PARLEY_HOME: home.home, PARLEY_MAX_RETRIES: '0' });
// A fake key, given to parley with --api-key and to the `text` server, which echoes it back.
const KEY = 'mcp-cli-hardening-key-3a2b1c0d';

beforeAll(async () => {
  home = tempHome();
  wire = await startWireServer();
  file = path.join(home.home, 'config.toml');
  const server = (mode: string) =>
    `command = ${JSON.stringify(process.execPath)}\nargs = [${JSON.stringify(HOSTILE)}, "${mode}"]\nenv = { PID_DIR = ${JSON.stringify(pids.dir)}, ECHO_KEY = "${KEY}" }\nsafety = "safe"\n`;
  writeFileSync(
    file,
    `[mcp.servers.text]\n${server('hostile-text')}\n[mcp.servers.dup]\n${server('dup-tools')}\n[mcp.servers.dead]\n${server('crash-init')}`,
  );
});
afterAll(async () => {
  await wire.close();
  home.cleanup();
  pids.cleanup();
});

describe('what the terminal shows of hostile servers', () => {
  it('parley mcp list and tools list print no escapes or control characters', async () => {
    const mcp = await runParley(['--config', file, 'mcp', 'list'], { env: env() });
    expect(mcp.code).toBe(1); // a server failed
    expect(mcp.stdout).not.toMatch(RAW_CONTROL);
    expect(mcp.stdout).toContain('  text__echo  Nice toolred bell nul c1 rtlevil\n');
    expect(mcp.stdout).toContain('dup  stdio  connected\n  warning: 2 tools dropped (2 named twice)\n');
    expect(mcp.stdout).toContain('dead  stdio  failed: the server exited (code 1)\n');
    const long = mcp.stdout.split('\n').find((l) => l.startsWith('  text__long'));
    expect(long?.length).toBeLessThan(2100);
    const tools = await runParley(['--config', file, 'tools', 'list'], { env: env() });
    expect(tools.code).toBe(0);
    expect(tools.stdout + tools.stderr).not.toMatch(RAW_CONTROL);
    expect(tools.stderr).toContain('MCP server dup: 2 tools dropped (2 named twice)');
    expect(tools.stderr).toContain('MCP server dead failed: the server exited (code 1)');
  }, 30_000);

  // Found: the one-shot printed a tool's result on stderr as it came, escapes and all; and a
  // result echoing a key went to the model as it was.
  it('a tool result full of escapes is printed without them, and a key in it is redacted', async () => {
    wire.reply(openAIToolCallReply('text__echo', { text: 'escapes' }), openAITextReply('Done.'));
    const started = pids.pids().length;
    const r = await runParley(
      [
        '--config',
        file,
        '-m',
        'openai-compatible:m',
        '--base-url',
        `${wire.url}/v1`,
        '--no-log',
        '--api-key',
        KEY,
        '--tools',
        'text__echo',
        'go',
      ],
      { env: env() },
    );
    expect(r.code).toBe(0);
    expect(r.stdout).toBe('Done.\n');
    expect(r.stderr).toContain('✓ text__echo: ');
    expect(r.stderr).toContain('cleared');
    expect(r.stdout + r.stderr).not.toMatch(RAW_CONTROL);
    expect(r.stderr).toContain('key [REDACTED]');
    expect(r.stdout + r.stderr).not.toContain(KEY);
    // What the model was sent back: the result, without the key.
    const second = JSON.stringify(wire.requests[1]?.body);
    expect(second).toContain('cleared');
    expect(second).not.toContain(KEY);
    // The server went with the turn.
    expect(pids.pids().length).toBeGreaterThan(started);
    expect(alive(pids.pids())).toEqual([]);
  }, 30_000);
});
