/**
 * Every way out of the built-in tools' sandbox, tried for real: paths, symbolic links,
 * requests to the local network (directly, through a redirect and through DNS), and programs
 * that loop, eat memory, fork or flood their output. Servers here are real local HTTP servers.
 */
import {
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
  existsSync,
} from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo, LookupFunction } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ConfigLayer, ParleyConfig, ToolResult, ToolSession } from '@parley/core';
import { createToolSession, DEFAULTS, registerSecret } from '@parley/core';

const yes = async (): Promise<boolean> => true;

function config(tools: ConfigLayer['tools']): ParleyConfig {
  return { ...DEFAULTS, tools } as ParleyConfig;
}

async function session(
  tools: ConfigLayer['tools'],
  extra: { lookup?: LookupFunction; env?: NodeJS.ProcessEnv; fetch?: typeof fetch } = {},
): Promise<ToolSession> {
  return createToolSession(config(tools), { enabled: ['all'], confirm: yes, ...extra });
}

let n = 0;
async function call(s: ToolSession, name: string, args: unknown): Promise<ToolResult> {
  return s.registry.call(name, `t${++n}`, args, { confirm: yes, signal: new AbortController().signal });
}

function failed(r: ToolResult): { code: string; message: string } {
  if (r.ok) throw new Error(`expected a failure, got: ${r.forModel.slice(0, 200)}`);
  return r;
}

describe('file tools stay in the workspace', () => {
  let root: string;
  let outside: string;
  let s: ToolSession;
  beforeAll(async () => {
    const base = mkdtempSync(path.join(tmpdir(), 'parley-ws-'));
    root = path.join(base, 'ws');
    outside = path.join(base, 'outside');
    mkdirSync(path.join(root, 'sub'), { recursive: true });
    mkdirSync(outside);
    writeFileSync(path.join(root, 'notes.txt'), 'inside');
    writeFileSync(path.join(outside, 'secret.txt'), 'outside secret');
    symlinkSync(outside, path.join(root, 'escape'));
    symlinkSync(path.join(outside, 'secret.txt'), path.join(root, 'sub', 'link.txt'));
    symlinkSync(path.join(outside, 'not-yet.txt'), path.join(root, 'dangling'));
    symlinkSync(path.join(root, 'notes.txt'), path.join(root, 'inner-link'));
    s = await session({ workspace: root, limits: { read_max_bytes: 10 } });
  });
  afterAll(() => rmSync(path.dirname(root), { recursive: true, force: true }));

  it('reads, lists and writes inside', async () => {
    expect(await call(s, 'read_file', { path: 'notes.txt' })).toMatchObject({ ok: true, forModel: 'inside' });
    expect(await call(s, 'read_file', { path: 'inner-link' })).toMatchObject({
      ok: true,
      forModel: 'inside',
    });
    const list = await call(s, 'list_dir', {});
    expect(list.ok && list.forModel.split('\n')).toEqual([
      'dangling@',
      'escape@',
      'inner-link@',
      'notes.txt',
      'sub/',
    ]);
    expect(await call(s, 'write_file', { path: 'new/dir/a.txt', content: 'hello' })).toMatchObject({
      ok: true,
    });
    expect(readFileSync(path.join(root, 'new/dir/a.txt'), 'utf8')).toBe('hello');
  });

  it('cuts a file at read_max_bytes and says so', async () => {
    writeFileSync(path.join(root, 'long.txt'), 'abcdefghijklmnopqrstuvwxyz');
    const r = await call(s, 'read_file', { path: 'long.txt' });
    expect(r.ok && r.forModel).toMatch(/^abcdefghij\n\[cut: the file has 26 bytes, 10 were read\]$/);
  });

  it('refuses .. and absolute paths', async () => {
    for (const p of [
      '../outside/secret.txt',
      'sub/../../outside/secret.txt',
      path.join(outside, 'secret.txt'),
      '/etc/passwd',
    ]) {
      expect(failed(await call(s, 'read_file', { path: p }))).toMatchObject({ code: 'blocked' });
    }
    expect(failed(await call(s, 'write_file', { path: '../outside/evil.txt', content: 'x' })).code).toBe(
      'blocked',
    );
    expect(existsSync(path.join(outside, 'evil.txt'))).toBe(false);
    expect(failed(await call(s, 'list_dir', { path: '..' })).code).toBe('blocked');
  });

  it('refuses symbolic links that lead out, for reading, listing and writing', async () => {
    expect(failed(await call(s, 'read_file', { path: 'escape/secret.txt' })).message).toContain(
      'outside the workspace',
    );
    expect(failed(await call(s, 'read_file', { path: 'sub/link.txt' })).code).toBe('blocked');
    expect(failed(await call(s, 'list_dir', { path: 'escape' })).code).toBe('blocked');
    expect(failed(await call(s, 'write_file', { path: 'escape/new.txt', content: 'x' })).code).toBe(
      'blocked',
    );
    expect(failed(await call(s, 'write_file', { path: 'sub/link.txt', content: 'x' })).code).toBe('blocked');
    expect(failed(await call(s, 'write_file', { path: 'dangling', content: 'x' })).code).toBe('blocked');
    expect(readFileSync(path.join(outside, 'secret.txt'), 'utf8')).toBe('outside secret');
    expect(existsSync(path.join(outside, 'not-yet.txt'))).toBe(false);
    expect(existsSync(path.join(outside, 'new.txt'))).toBe(false);
  });

  it('names what is missing, and refuses NUL bytes', async () => {
    expect(failed(await call(s, 'read_file', { path: 'nope.txt' }))).toMatchObject({ code: 'not_found' });
    expect(failed(await call(s, 'read_file', { path: 'notes.txt\0../../x' })).code).toBe('invalid_args');
  });
});

describe('fetch_url stays off the local network', () => {
  let server: Server;
  let port: number;
  beforeAll(async () => {
    server = createServer((req, res) => {
      const u = new URL(req.url ?? '/', 'http://x');
      if (u.pathname === '/loop') {
        res.writeHead(301, { location: '/loop' });
        res.end();
      } else if (u.pathname === '/redirect') {
        res.writeHead(302, { location: u.searchParams.get('to') ?? '/' });
        res.end();
      } else if (u.pathname === '/big') {
        res.writeHead(200, { 'content-type': 'text/plain' });
        res.end('y'.repeat(100_000));
      } else if (u.pathname === '/slow') {
        res.writeHead(200, { 'content-type': 'text/plain' });
        res.write('start');
      } else {
        res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
        res.end(
          '<html><head><title>Router admin</title><style>p{}</style></head><body><script>alert(1)</script><h1>Hello</h1><p>Fish &amp; chips&nbsp;&#x263A;</p></body></html>',
        );
      }
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    port = (server.address() as AddressInfo).port;
  });
  afterAll(() => {
    server.closeAllConnections();
    server.close();
  });

  it('refuses 127.0.0.1, localhost, 10.x, 169.254.169.254 and IPv6 loopback', async () => {
    const s = await session({});
    for (const url of [
      `http://127.0.0.1:${port}/`,
      `http://localhost:${port}/`,
      'http://10.1.2.3/',
      'http://169.254.169.254/latest/meta-data/',
      `http://[::1]:${port}/`,
      `http://[::ffff:127.0.0.1]:${port}/`,
      'http://0.0.0.0/',
      'http://2130706433/',
    ]) {
      const r = failed(await call(s, 'fetch_url', { url }));
      expect(r.code, url).toBe('blocked');
    }
  });

  it('refuses other schemes', async () => {
    const s = await session({});
    for (const url of ['file:///etc/passwd', 'ftp://example.com/', 'gopher://x/']) {
      expect(failed(await call(s, 'fetch_url', { url })).code).toBe('blocked');
    }
    expect(failed(await call(s, 'fetch_url', { url: 'not a url' })).code).toBe('invalid_args');
  });

  // `allowed.test` stands for an allowed public host: its name is exempt from the check
  // (tools.allow_hosts) and a lookup of our own sends it to the local test server.
  const lookupTo =
    (address: string): LookupFunction =>
    (_host, options, cb) =>
      options.all
        ? (cb as unknown as (e: null, a: { address: string; family: number }[]) => void)(null, [
            { address, family: 4 },
          ])
        : cb(null, address, 4);

  it('re-checks after a redirect from an allowed host', async () => {
    const s = await session({ allow_hosts: ['allowed.test'] }, { lookup: lookupTo('127.0.0.1') });
    const ok = await call(s, 'fetch_url', { url: `http://allowed.test:${port}/page` });
    expect(ok.ok).toBe(true);
    for (const to of [
      `http://127.0.0.1:${port}/`,
      'http://10.0.0.1/',
      'http://169.254.169.254/latest/meta-data/',
      `http://rebind.test:${port}/`,
    ]) {
      const r = failed(
        await call(s, 'fetch_url', {
          url: `http://allowed.test:${port}/redirect?to=${encodeURIComponent(to)}`,
        }),
      );
      expect(r.code, to).toBe('blocked');
    }
  });

  it('re-checks after DNS: a public-looking name that resolves to a private address', async () => {
    for (const address of ['127.0.0.1', '10.0.0.7', '169.254.169.254']) {
      const s = await session({}, { lookup: lookupTo(address) });
      const r = failed(await call(s, 'fetch_url', { url: `http://innocent.example:${port}/` }));
      expect(r).toMatchObject({ code: 'blocked' });
      expect(r.message).toContain(`resolves to ${address}`);
    }
  });

  it('with allow_private_network it reads the page as text, and keeps its limits', async () => {
    const s = await session({
      allow_private_network: true,
      limits: { fetch_max_bytes: 1000, fetch_timeout_ms: 300 },
    });
    const page = await call(s, 'fetch_url', { url: `http://127.0.0.1:${port}/` });
    expect(page.ok && page.forModel).toBe(
      `URL: http://127.0.0.1:${port}/\nStatus: 200\n\nRouter admin\n\nHello\n\nFish & chips \u263A`,
    );
    const big = await call(s, 'fetch_url', { url: `http://127.0.0.1:${port}/big` });
    expect(big.ok && big.forModel.length).toBeLessThan(1100);
    expect(big.ok && big.forUser).toContain('cut at the size limit');
    expect(failed(await call(s, 'fetch_url', { url: `http://127.0.0.1:${port}/slow` })).code).toBe('timeout');
    const loop = failed(await call(s, 'fetch_url', { url: `http://127.0.0.1:${port}/loop` }));
    expect(loop).toMatchObject({ code: 'failed', message: expect.stringContaining('more than 5 redirects') });
  });
});

describe('run_code and shell', () => {
  let s: ToolSession;
  beforeAll(async () => {
    registerSecret('sk-test-secret-value-123');
    s = await session({ limits: { run_timeout_ms: 5000, run_memory_mb: 512, run_output_bytes: 4096 } });
  });
  const run = (language: string, code: string) => call(s, 'run_code', { language, code });
  const text = (r: ToolResult) => (r.ok ? r.forModel : `${r.code}: ${r.message}`);

  it('runs JavaScript and Python and returns their output', async () => {
    expect(text(await run('javascript', 'console.log(6 * 7)'))).toBe('[exit code 0]\nstdout:\n42\n');
    expect(text(await run('python', 'print(6 * 7)'))).toBe('[exit code 0]\nstdout:\n42\n');
  });

  it('kills an infinite loop at the wall-clock limit', async () => {
    expect(text(await run('javascript', 'for(;;){}'))).toContain('ran past the 5000 ms limit');
    expect(text(await run('python', 'while True: pass'))).toContain('ran past the 5000 ms limit');
  });

  it('stops a memory bomb', async () => {
    const m = await session({ limits: { run_timeout_ms: 20_000, run_memory_mb: 256 } });
    const run = (language: string, code: string) => call(m, 'run_code', { language, code });
    const js = text(
      await run('javascript', 'const a = []; for (;;) a.push(Buffer.alloc(64 * 1024 * 1024, 1));'),
    );
    expect(js).not.toContain('exit code 0');
    expect(js).not.toContain('ran past');
    expect(js).toContain('ran out of memory (limit 256 MB)');
    const py = text(await run('python', 'a = []\nwhile True: a.append(bytearray(64 * 1024 * 1024))'));
    expect(py).toContain('MemoryError');
  });

  it('refuses to start other processes', async () => {
    const js = text(
      await run(
        'javascript',
        "import { execSync } from 'node:child_process'; console.log(execSync('id').toString())",
      ),
    );
    expect(js).toContain('ERR_ACCESS_DENIED');
    const py = text(await run('python', "import os\npid = os.fork()\nprint('forked', pid)"));
    expect(py).toContain('os.fork is not allowed');
    expect(py).not.toContain('forked');
    const sub = text(await run('python', "import subprocess\nprint(subprocess.run(['id']))"));
    expect(sub).toContain('is not allowed');
  });

  it('cuts an output flood and kills the program', async () => {
    const r = text(await run('javascript', "for(;;) process.stdout.write('x'.repeat(1000))"));
    expect(r).toContain('printed more than 4096 bytes');
    expect(r).not.toContain('ran past');
    expect(r.length).toBeLessThan(4096 + 300);
  });

  it('cannot read the user files or see parley secrets', async () => {
    const env = text(await run('javascript', 'console.log(JSON.stringify(process.env))'));
    const keys = Object.keys(JSON.parse(env.split('stdout:\n')[1] ?? '{}') as object).sort();
    expect(keys).toEqual(['HOME', 'LANG', 'PATH', 'PWD', 'PYTHONDONTWRITEBYTECODE', 'TMPDIR']);
    const read = text(
      await run(
        'javascript',
        "import { readFileSync } from 'node:fs'; console.log(readFileSync('/etc/hostname', 'utf8'))",
      ),
    );
    expect(read).toContain('ERR_ACCESS_DENIED');
    // A secret the program prints anyway (say, from a file it was given) is redacted.
    expect(text(await run('python', "print('sk-test-secret-' + 'value-123')"))).toContain('[REDACTED]');
  });

  it('shell runs in the workspace with the same limits, and is dangerous', async () => {
    expect(s.registry.get('shell')?.safety).toBe('dangerous');
    expect(s.registry.get('run_code')?.safety).toBe('confirm');
    const r = text(await call(s, 'shell', { command: 'echo hi; while :; do :; done' }));
    expect(r).toContain('stdout:\nhi');
    expect(r).toContain('ran past the 5000 ms limit');
  });

  it('a fork bomb in shell ends with its process group', async () => {
    const marker = path.join(tmpdir(), `parley-fork-${process.pid}`);
    const quick = await session({ limits: { run_timeout_ms: 1000 } });
    const r = text(await call(quick, 'shell', { command: `(sleep 2; touch ${marker}) & sleep 30` }));
    expect(r).toContain('ran past the 1000 ms limit');
    await new Promise((res) => setTimeout(res, 2500));
    expect(existsSync(marker)).toBe(false);
  });
});

describe('web_search', () => {
  it('without TAVILY_API_KEY: a clear error', async () => {
    const s = await session({}, { env: {} });
    expect(failed(await call(s, 'web_search', { query: 'tea' }))).toMatchObject({
      code: 'unavailable',
      message: expect.stringContaining('TAVILY_API_KEY'),
    });
  });

  // A local server stands in for Tavily (no cloud API can be reached from a test); it speaks
  // Tavily's documented POST /search request and answer.
  it('asks Tavily at the wire and reads its answer', async () => {
    const bodies: unknown[] = [];
    const auth: (string | undefined)[] = [];
    const tavily = createServer((req, res) => {
      let raw = '';
      req.on('data', (c: Buffer) => (raw += c.toString()));
      req.on('end', () => {
        bodies.push(JSON.parse(raw));
        auth.push(req.headers.authorization);
        if (req.headers.authorization !== 'Bearer tvly-test-key-42') {
          res.writeHead(401, { 'content-type': 'application/json' });
          res.end('{"detail":{"error":"Unauthorized: missing or invalid API key."}}');
          return;
        }
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(
          JSON.stringify({
            query: 'green tea',
            answer: 'Green tea is unoxidised.',
            results: [
              {
                title: 'Green tea',
                url: 'https://en.wikipedia.org/wiki/Green_tea',
                content: 'Green tea is a type of tea',
                score: 0.9,
              },
            ],
            response_time: 0.5,
          }),
        );
      });
    });
    await new Promise<void>((r) => tavily.listen(0, '127.0.0.1', r));
    const url = `http://127.0.0.1:${(tavily.address() as AddressInfo).port}`;
    try {
      const s = await session({ web_search_url: url }, { env: { TAVILY_API_KEY: 'tvly-test-key-42' } });
      const r = await call(s, 'web_search', { query: 'green tea', max_results: 3 });
      expect(r.ok && r.forModel).toBe(
        'Answer: Green tea is unoxidised.\n\n1. Green tea\n   https://en.wikipedia.org/wiki/Green_tea\n   Green tea is a type of tea',
      );
      expect(bodies[0]).toMatchObject({ query: 'green tea', max_results: 3 });
      expect(auth[0]).toBe('Bearer tvly-test-key-42');
      const bad = await session({ web_search_url: url }, { env: { TAVILY_API_KEY: 'tvly-wrong-key-99' } });
      const f = failed(await call(bad, 'web_search', { query: 'x' }));
      expect(f.message).toContain('the API key was refused');
      expect(f.message).not.toContain('tvly-wrong-key-99');
      expect(failed(await call(s, 'web_search', { query: '' })).code).toBe('invalid_args');
    } finally {
      tavily.close();
    }
  });
});
