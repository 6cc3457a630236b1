/**
 * MCP over stdio (and streamable HTTP) against a real server: test/fixtures/mcp-demo-server.mjs, written with the
 * same SDK, started as a child process by parley's client.
 */
import { spawn } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ConfigLayer, ParleyConfig, ToolSession } from '@parley/core';
import { createToolSession, DEFAULTS } from '@parley/core';
import { runParley, tempHome } from '../helpers/cli.js';

const SERVER = fileURLToPath(new URL('../fixtures/mcp-demo-server.mjs', import.meta.url));
const yes = async (): Promise<boolean> => true;

function config(mcp: ConfigLayer['mcp']): ParleyConfig {
  return { ...DEFAULTS, mcp } as ParleyConfig;
}
const demo = { command: process.execPath, args: [SERVER] };

describe('MCP over stdio', () => {
  let s: ToolSession;
  beforeAll(async () => {
    s = await createToolSession(config({ servers: { demo } }), { enabled: ['demo__*'], confirm: yes });
  });
  afterAll(async () => {
    await s.close();
  });
  const call = (name: string, args: unknown) =>
    s.registry.call(name, 'c1', args, { confirm: yes, signal: new AbortController().signal });

  it('lists the server and joins its tools as NAME__tool, asking first by default', () => {
    expect(s.mcp).toEqual([
      expect.objectContaining({
        name: 'demo',
        transport: 'stdio',
        status: 'connected',
        tools: [
          { name: 'demo__add', description: 'Add two numbers' },
          { name: 'demo__shout', description: 'Upper-case a text' },
          { name: 'demo__fail', description: 'Always fails' },
          { name: 'demo__env_keys', description: 'List environment variable names' },
        ],
      }),
    ]);
    expect(s.registry.list().map((t) => [t.name, t.safety])).toEqual([
      ['demo__add', 'confirm'],
      ['demo__shout', 'confirm'],
      ['demo__fail', 'confirm'],
      ['demo__env_keys', 'confirm'],
    ]);
    // The server's JSON schema is what models see.
    expect(s.registry.definitions()[0]?.inputSchema).toMatchObject({
      type: 'object',
      properties: { a: { type: 'number' }, b: { type: 'number' } },
      required: ['a', 'b'],
    });
  });

  it('calls its tools', async () => {
    expect(await call('demo__add', { a: 2, b: 40 })).toEqual({ ok: true, forModel: '42', forUser: '42' });
    expect(await call('demo__shout', { text: 'tea' })).toMatchObject({ ok: true, forModel: 'TEA' });
  });

  it('a tool error and bad arguments are typed failures', async () => {
    expect(await call('demo__fail', {})).toEqual({
      ok: false,
      code: 'failed',
      message: 'demo__fail: the demo tool failed on purpose',
    });
    const bad = await call('demo__add', { a: 'two', b: 1 });
    expect(bad).toMatchObject({ ok: false, code: 'failed' });
    expect(!bad.ok && bad.message).toMatch(/demo__add: .*a/);
    expect(await call('demo__add', 'not an object')).toMatchObject({ ok: false, code: 'invalid_args' });
  });

  it('passes no secrets from parley environment to the server', async () => {
    process.env.OPENAI_API_KEY = 'sk-mcp-leak-test-0000';
    const fresh = await createToolSession(config({ servers: { demo } }), {
      enabled: ['demo__env_keys'],
      confirm: yes,
    });
    try {
      const r = await fresh.registry.call(
        'demo__env_keys',
        'e',
        {},
        { confirm: yes, signal: new AbortController().signal },
      );
      expect(r.ok).toBe(true);
      expect(r.ok && r.forModel.split(',')).not.toContain('OPENAI_API_KEY');
      expect(r.ok && r.forModel.split(',')).toContain('PATH');
    } finally {
      delete process.env.OPENAI_API_KEY;
      await fresh.close();
    }
  });

  it('takes the safety flag from config', async () => {
    const safe = await createToolSession(config({ servers: { demo: { ...demo, safety: 'safe' } } }), {
      enabled: ['demo__add'],
      confirm: async () => false,
    });
    try {
      expect(safe.registry.list().map((t) => [t.name, t.safety])).toEqual([['demo__add', 'safe']]);
      const r = await safe.registry.call(
        'demo__add',
        'x',
        { a: 1, b: 1 },
        { confirm: async () => false, signal: new AbortController().signal },
      );
      expect(r).toMatchObject({ ok: true, forModel: '2' });
    } finally {
      await safe.close();
    }
  });

  it('a server that cannot start is reported, and asking for its tools is an error naming it', async () => {
    const cfg = config({
      servers: { demo, broken: { command: '/nonexistent/mcp-server', timeout_ms: 5000 } },
    });
    await expect(createToolSession(cfg, { enabled: ['broken__x'], confirm: yes })).rejects.toThrow(
      /MCP server broken is failed/,
    );
    const all = await createToolSession(cfg, { enabled: ['all'], confirm: yes });
    try {
      expect(all.mcp.map((m) => [m.name, m.status])).toEqual([
        ['demo', 'connected'],
        ['broken', 'failed'],
      ]);
      expect(all.registry.get('demo__add')).toBeDefined();
    } finally {
      await all.close();
    }
  });

  it('parley mcp list shows servers, status and tools', async () => {
    const home = tempHome();
    try {
      mkdirSync(home.home, { recursive: true });
      const file = path.join(home.home, 'config.toml');
      writeFileSync(
        file,
        `[mcp.servers.demo]\ncommand = ${JSON.stringify(process.execPath)}\nargs = [${JSON.stringify(SERVER)}]\n\n[mcp.servers.off]\ncommand = "nothing"\nenabled = false\n`,
      );
      const r = await runParley(['--config', file, 'mcp', 'list'], { env: { PARLEY_HOME: home.home } });
      expect(r.code).toBe(0);
      expect(r.stdout).toBe(
        'demo  stdio  connected\n  demo__add  Add two numbers\n  demo__shout  Upper-case a text\n  demo__fail  Always fails\n  demo__env_keys  List environment variable names\noff  stdio  disabled\n',
      );
      const tools = await runParley(['--config', file, 'tools', 'list', '--json'], {
        env: { PARLEY_HOME: home.home },
      });
      const names = (JSON.parse(tools.stdout) as { tools: { name: string; source: string }[] }).tools.filter(
        (t) => t.source === 'mcp:demo',
      );
      expect(names.map((t) => t.name)).toEqual(['demo__add', 'demo__shout', 'demo__fail', 'demo__env_keys']);
      const bad = await runParley(['--config', file, 'mcp', 'frob'], { env: { PARLEY_HOME: home.home } });
      expect(bad.code).toBe(2);
      expect(bad.stderr).toContain('use parley mcp list');
    } finally {
      home.cleanup();
    }
  });

  it('reaches a server over streamable HTTP', async () => {
    const child = spawn(process.execPath, [SERVER, '--http'], { stdio: ['ignore', 'pipe', 'inherit'] });
    try {
      const url = await new Promise<string>((resolve, reject) => {
        child.stdout.setEncoding('utf8').once('data', (d: string) => resolve(d.trim()));
        child.once('exit', () => reject(new Error('the HTTP MCP server exited')));
      });
      const remote = await createToolSession(config({ servers: { web: { url } } }), {
        enabled: ['web__shout'],
        confirm: yes,
      });
      try {
        expect(remote.mcp).toEqual([
          expect.objectContaining({ name: 'web', transport: 'http', status: 'connected' }),
        ]);
        const r = await remote.registry.call(
          'web__shout',
          'h',
          { text: 'over http' },
          { confirm: yes, signal: new AbortController().signal },
        );
        expect(r).toMatchObject({ ok: true, forModel: 'OVER HTTP' });
      } finally {
        await remote.close();
      }
    } finally {
      child.kill();
    }
  });

  it('the config refuses a server with both command and url, or neither', async () => {
    const { ConfigSchema } = await import('@parley/core');
    const both = ConfigSchema.safeParse({ mcp: { servers: { x: { command: 'a', url: 'http://h/' } } } });
    expect(both.success).toBe(false);
    expect(JSON.stringify(both.error?.issues)).toContain('give either command (stdio) or url');
    expect(ConfigSchema.safeParse({ mcp: { servers: { x: {} } } }).success).toBe(false);
    expect(ConfigSchema.safeParse({ mcp: { servers: { 'bad name!': { command: 'a' } } } }).success).toBe(
      false,
    );
    expect(ConfigSchema.safeParse({ tools: { max_steps: 0 } }).success).toBe(false);
    expect(ConfigSchema.safeParse({ tools: { unknown_key: 1 } }).success).toBe(false);
  });
});
