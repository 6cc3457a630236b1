/**
 * Hostile MCP servers over stdio. Each attack is a real child process
 * (test/fixtures/mcp-hostile-server.mjs) that speaks JSON-RPC badly on purpose, started by
 * parley's own client next to well-behaved servers. What must hold: the bad server fails
 * alone with a typed error or a report naming it, nothing throws or hangs past its
 * `timeout_ms`, the other servers' tools keep working, and every server process is gone
 * once the session is closed.
 */
import { spawn } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ToolSession } from '@parley/core';
import { createToolSession, registerSecret } from '@parley/core';
import { hardenScale } from './scale.js';
import { alive, call, config, DEMO, hostile, pidDir, RAW_CONTROL, yes } from './mcp-hostile.js';

const pids = pidDir();
afterAll(() => pids.cleanup());
const h = (mode: string, extra?: Parameters<typeof hostile>[2]) => hostile(mode, pids.dir, extra);
const QUICK = 2000;
// Seventeen servers start at once on a small machine: a start deadline needs room.
const START = 3000;
const FLOOD = hardenScale(250, 20_000);
const ENDLESS_MIB = hardenScale(17, 96);

describe('hostile MCP servers at start', () => {
  let s: ToolSession;
  let took = 0;
  beforeAll(async () => {
    const t0 = Date.now();
    s = await createToolSession(
      config({
        good: h('ok'),
        demo: { command: process.execPath, args: [DEMO], safety: 'safe' },
        'silent-init': h('silent-init', { timeout_ms: START }),
        'silent-list': h('silent-list', { timeout_ms: START }),
        'crash-init': h('crash-init'),
        'exit-now': h('exit-now'),
        'huge-start': h('huge-line-start'),
        'huge-list': h('huge-line-list'),
        garbage: h('garbage'),
        split: h('split'),
        dup: h('dup-tools'),
        names: h('bad-names'),
        many: h('many-tools', { arg: '5000' }),
        pages: h('endless-pages'),
        'slow-pages': h('slow-pages', { timeout_ms: START }),
        schemas: h('bad-schemas'),
        text: h('hostile-text'),
      }),
      { enabled: ['all'], confirm: yes },
    );
    took = Date.now() - t0;
  }, 60_000);

  const status = (name: string) => s.mcp.find((m) => m.name === name);

  it('fails each broken server alone, with why, within its timeout', () => {
    expect(status('silent-init')).toMatchObject({
      status: 'failed',
      error: `did not start within ${START} ms`,
    });
    expect(status('silent-list')).toMatchObject({
      status: 'failed',
      error: `tools/list: no answer within ${START} ms`,
    });
    // 16 pages of 400 ms each: the deadline is for the whole list, not for each page.
    expect(status('slow-pages')).toMatchObject({
      status: 'failed',
      error: `tools/list: no answer within ${START} ms`,
    });
    expect(status('crash-init')).toMatchObject({ status: 'failed', error: 'the server exited (code 1)' });
    expect(status('exit-now')).toMatchObject({ status: 'failed', error: 'the server exited (code 0)' });
    const tooLong = 'the server wrote a message longer than 16777216 bytes';
    expect(status('huge-start')).toMatchObject({ status: 'failed', error: tooLong });
    expect(status('huge-list')).toMatchObject({ status: 'failed', error: `tools/list: ${tooLong}` });
    // Servers start in parallel: the whole start waits for the slowest timeout, not their sum
    // (a protocol deadline from config, with generous slack for a loaded machine).
    expect(took).toBeLessThan(2 * START + 15_000);
  });

  it('skips lines that are not JSON-RPC and joins lines cut anywhere', async () => {
    expect(status('garbage')?.status).toBe('connected');
    expect(status('split')?.status).toBe('connected');
    expect(await call(s, 'garbage__echo', { text: 'hi' })).toMatchObject({ ok: true, forModel: 'echo: hi' });
    expect(await call(s, 'split__echo', { text: 'cut' })).toMatchObject({ ok: true, forModel: 'echo: cut' });
  });

  it('drops duplicate, badly named, malformed and oversized tools, and says so', () => {
    expect(status('dup')).toMatchObject({ status: 'connected', warning: '2 tools dropped (2 named twice)' });
    expect(status('dup')?.tools.map((t) => t.name)).toEqual(['dup__echo']);
    expect(status('names')?.tools.map((t) => t.name)).toEqual(['names__echo']);
    expect(status('names')?.warning).toMatch(/^5 tools dropped \(5 name not 1-64 letters/);
    expect(status('many')?.tools).toHaveLength(128);
    expect(status('many')?.warning).toBe('4872 tools dropped (4872 more than 128 tools)');
    expect(status('pages')?.tools).toHaveLength(16);
    expect(status('pages')?.warning).toBe('the list stops after 16 pages');
    expect(status('schemas')?.tools.map((t) => t.name)).toEqual(['schemas__echo', 'schemas__proto']);
    expect(status('schemas')?.warning).toBe(
      '6 tools dropped (5 malformed; 1 input schema over 65536 characters)',
    );
    const proto = s.registry.get('schemas__proto');
    expect(Object.getPrototypeOf(proto?.jsonSchema)).toBe(Object.prototype);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('hands models and screens descriptions without escapes, capped', () => {
    const nice = s.registry.get('text__echo')?.description ?? '';
    expect(nice).not.toMatch(RAW_CONTROL);
    expect(nice).not.toMatch(/\u202e/);
    expect(nice).toBe('Nice toolred bell nul c1  rtlevil (MCP server text)');
    const long = s.registry.get('text__long')?.description ?? '';
    expect(long.length).toBeLessThan(2100);
    for (const m of s.mcp) for (const t of m.tools) expect(t.description).not.toMatch(RAW_CONTROL);
  });

  it('one bad server does not break the session: the others work', async () => {
    expect(await call(s, 'good__echo', { text: 'still here' })).toMatchObject({
      ok: true,
      forModel: 'echo: still here',
    });
    expect(await call(s, 'demo__add', { a: 1, b: 2 })).toMatchObject({ ok: true, forModel: '3' });
    expect(s.registry.get('huge-start__echo')).toBeUndefined();
  });

  it('close() leaves no server running', async () => {
    const started = pids.pids();
    expect(started.length).toBeGreaterThanOrEqual(16);
    await s.close();
    expect(alive(started)).toEqual([]);
  }, 20_000);
});

describe('hostile MCP servers during calls', () => {
  const SECRET = 'mcp-hardening-secret-4f3e2d1c';
  let s: ToolSession;
  beforeAll(async () => {
    registerSecret(SECRET);
    s = await createToolSession(
      config({
        good: h('ok'),
        never: h('never-call', { timeout_ms: QUICK }),
        crash: h('crash-call'),
        big: h('huge-result', { arg: String(hardenScale(1, 15) * 1024 * 1024) }),
        endless: h('huge-line-call', { arg: String(ENDLESS_MIB) }),
        shapes: h('shapes'),
        // Four notifications or requests a round, FLOOD rounds before each answer.
        flood: h('flood', { arg: String(FLOOD), timeout_ms: hardenScale(5000, 120_000) }),
        secret: h('echo-secret', { arg: SECRET }),
      }),
      { enabled: ['all'], confirm: yes },
    );
  }, 30_000);
  afterAll(async () => {
    await s.close();
  }, 20_000);

  it('a call that is never answered times out, typed, naming the tool', async () => {
    expect(await call(s, 'never__echo', { text: 'x' })).toEqual({
      ok: false,
      code: 'timeout',
      message: `never__echo: no answer within ${QUICK} ms`,
    });
  });

  it('a call that is never answered can be cancelled', async () => {
    const ac = new AbortController();
    const pending = call(s, 'good__slow', {}, ac.signal);
    setTimeout(() => ac.abort(), 50);
    expect(await pending).toEqual({ ok: false, code: 'failed', message: 'good__slow: cancelled' });
    expect(await call(s, 'good__echo', { text: 'after' })).toMatchObject({ ok: true });
  });

  it('a server that dies mid-call fails that call and the next, and only those', async () => {
    const dead = { ok: false, code: 'unavailable', message: 'crash__echo: the server exited (code 3)' };
    expect(await call(s, 'crash__echo', { text: 'x' })).toEqual(dead);
    expect(await call(s, 'crash__echo', { text: 'again' })).toEqual(dead);
    expect(await call(s, 'good__echo', { text: 'fine' })).toMatchObject({ ok: true });
  });

  it('a huge valid result is cut; an endless line fails the server', async () => {
    const big = await call(s, 'big__echo', {});
    expect(big.ok).toBe(true);
    expect(big.ok && big.forModel.length).toBeLessThan(100_100);
    expect(big.ok && big.forModel).toMatch(/\[cut at 100000 characters\]$/);
    const base = process.memoryUsage().rss;
    let peak = base;
    const sample = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 2);
    const endless = await call(s, 'endless__echo', {});
    clearInterval(sample);
    expect(endless).toEqual({
      ok: false,
      code: 'unavailable',
      message: 'endless__echo: the server wrote a message longer than 16777216 bytes',
    });
    // What is read is bounded by the cap, not by what the server writes.
    const grew = (peak - base) / 2 ** 20;
    console.log(
      `mcp-hostile endless line: ${ENDLESS_MIB} MiB written, cut at 16 MiB, peak RSS +${grew.toFixed(1)} MiB`,
    );
    expect(grew).toBeLessThan(64);
  });

  it('results of the wrong shape are typed results', async () => {
    const r = async (text: string) => call(s, 'shapes__echo', { text });
    expect(await r('not_array')).toMatchObject({ ok: false, code: 'failed', message: /no content/ });
    expect(await r('text_number')).toMatchObject({ ok: true, forModel: '[text content that is not text]' });
    expect(await r('error_empty')).toEqual({
      ok: false,
      code: 'failed',
      message: 'shapes__echo: the tool failed',
    });
    expect(await r('error_not_array')).toMatchObject({ ok: false, code: 'failed' });
    expect(await r('image')).toMatchObject({ ok: true, forModel: '[image content]' });
    expect(await r('resource')).toMatchObject({ ok: true, forModel: '[resource content]' });
    expect(await r('nothing')).toMatchObject({ ok: false, code: 'failed' });
    expect(await r('structured')).toMatchObject({ ok: true, forModel: '{"answer":42}' });
    // Not JSON-RPC (a null result): that call fails at once, not at the timeout.
    expect(await r('null_result')).toEqual({
      ok: false,
      code: 'failed',
      message: 'shapes__echo: MCP error -32603: the server sent a malformed answer',
    });
    expect(await r('escapes')).toMatchObject({ ok: true, forModel: '[weird content]' });
  });

  it('floods of notifications and undeclared requests from the server change nothing', async () => {
    const t0 = Date.now();
    expect(await call(s, 'flood__echo', { text: 'one' })).toMatchObject({ ok: true, forModel: 'echo: one' });
    const ms = Date.now() - t0;
    expect(await call(s, 'flood__echo', { text: 'two' })).toMatchObject({ ok: true, forModel: 'echo: two' });
    console.log(`mcp-hostile flood: ${FLOOD * 4 + 5} messages before one answer, read in ${ms} ms`);
  }, 300_000);

  it('a secret echoed by a server is redacted in results and errors', async () => {
    const outs = [
      await call(s, 'secret__echo', { text: 'ok' }),
      await call(s, 'secret__echo', { text: 'error' }),
      await call(s, 'secret__echo', { text: 'is-error' }),
    ];
    expect(outs.map((o) => o.ok)).toEqual([true, false, false]);
    for (const o of outs) {
      expect(JSON.stringify(o)).not.toContain(SECRET);
      expect(JSON.stringify(o)).toContain('[REDACTED]');
    }
  });

  // Found: once a server had broken a limit, close() returned before its process was gone.
  it('close() waits until every server is gone, one that broke a limit and ignores SIGTERM included', async () => {
    const started = pids.pids();
    await s.close();
    expect(alive(started).map(pids.mode)).toEqual([]);
  }, 20_000);
});

describe('parley exits without closing', () => {
  // Servers run in their own process group (so a group can be killed whole); a Ctrl+C at the
  // terminal no longer reaches them, so parley kills them on its way out.
  it('a server that ignores stdin closing and SIGTERM is killed when parley exits', async () => {
    const own = pidDir();
    try {
      const servers = { x: hostile('stubborn', own.dir) };
      const script = `import { createToolSession, DEFAULTS } from '@parley/core';
        const s = await createToolSession({ ...DEFAULTS, mcp: { servers: ${JSON.stringify(servers)} } }, { enabled: ['all'], confirm: async () => true });
        if (s.mcp[0].status !== 'connected') process.exit(3);
        process.exit(0);`;
      const code = await new Promise<number | null>((resolve) => {
        const child = spawn(process.execPath, ['--input-type=module', '-e', script], { stdio: 'ignore' });
        child.on('exit', resolve);
      });
      expect(code).toBe(0);
      expect(own.pids()).toHaveLength(1);
      // The SIGKILL is sent as parley exits; give the kernel a moment to deliver it.
      for (let i = 0; i < 50 && alive(own.pids()).length > 0; i++)
        await new Promise((r) => setTimeout(r, 20));
      expect(alive(own.pids()).map(own.mode)).toEqual([]);
    } finally {
      own.cleanup();
    }
  }, 30_000);
});
