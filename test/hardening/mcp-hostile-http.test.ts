/**
 * Hostile MCP servers over streamable HTTP: a real node:http server in this test, hostile on
 * purpose, one path a behaviour. `/ok` speaks enough of the protocol (JSON answers) to be a
 * working server; the others return 500s, HTML, stalled event streams, a redirect to another
 * origin, endless bodies and echoed secrets. Each must fail alone, typed and naming the server,
 * within its timeout, while `/ok` keeps working.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ToolSession } from '@parley/core';
import { createToolSession, registerSecret } from '@parley/core';
import { call, config, RAW_CONTROL, yes } from './mcp-hostile.js';

const SECRET = 'mcp-http-hardening-secret-9e8d7c6b';
// The deadline of the servers that stall; the others get the default (10 s), room for a busy machine.
const QUICK = 1500;
let http: Server;
let base = '';

const echo = { name: 'echo', inputSchema: { type: 'object' }, description: 'Echo a text' };

function json(res: ServerResponse, id: unknown, body: object): void {
  res.writeHead(200, { 'content-type': 'application/json' });
  res.end(JSON.stringify({ jsonrpc: '2.0', id, ...body }));
}

/** Answer one JSON-RPC message the way `/ok` does, unless `path` makes a call hostile. */
function answer(
  path: string,
  m: { id?: unknown; method?: string; params?: { arguments?: { text?: string } } },
  res: ServerResponse,
): void {
  if (m.id === undefined) {
    res.writeHead(202).end();
    return;
  }
  if (m.method === 'initialize')
    return json(res, m.id, {
      result: {
        protocolVersion: '2025-06-18',
        capabilities: { tools: {} },
        serverInfo: { name: 'h', version: '0' },
      },
    });
  if (m.method === 'tools/list') return json(res, m.id, { result: { tools: [echo] } });
  if (path === '/stall-call') {
    res.writeHead(200, { 'content-type': 'text/event-stream' });
    res.flushHeaders(); // and never a byte more
    return;
  }
  if (path === '/huge-call') {
    res.writeHead(200, { 'content-type': 'application/json' });
    const mib = Buffer.alloc(1024 * 1024, 'x');
    const more = (): void => {
      while (!res.destroyed && res.write(mib));
      if (!res.destroyed) res.once('drain', more);
    };
    res.write(`{"jsonrpc":"2.0","id":${JSON.stringify(m.id)},"result":{"content":[{"type":"text","text":"`);
    return more();
  }
  if (path === '/secret-call')
    return json(res, m.id, { error: { code: -32001, message: `wrong key ${SECRET}` } });
  return json(res, m.id, {
    result: { content: [{ type: 'text', text: `echo: ${m.params?.arguments?.text ?? ''}` }] },
  });
}

function handle(req: IncomingMessage, res: ServerResponse): void {
  const path = req.url ?? '/';
  if (req.method !== 'POST') {
    res.writeHead(405).end();
    return;
  }
  if (path === '/500') {
    res.writeHead(500, { 'content-type': 'text/plain' });
    res.end(`internal error \u001b]52;c;aGk=\u0007 with key ${SECRET}`);
    return;
  }
  if (path === '/html') {
    res.writeHead(200, { 'content-type': 'text/html' });
    res.end('<html><body>Welcome to nginx!</body></html>');
    return;
  }
  if (path === '/not-json') {
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end('this is not json');
    return;
  }
  if (path === '/stall-init') {
    res.writeHead(200, { 'content-type': 'text/event-stream' });
    res.flushHeaders();
    return;
  }
  if (path === '/redirect') {
    const port = (http.address() as AddressInfo).port;
    res.writeHead(307, { location: `http://127.0.0.2:${port}/ok` }).end();
    return;
  }
  let body = '';
  req.setEncoding('utf8').on('data', (d: string) => (body += d));
  req.on('end', () => answer(path, JSON.parse(body) as Parameters<typeof answer>[1], res));
}

beforeAll(async () => {
  registerSecret(SECRET);
  http = createServer(handle);
  await new Promise<void>((r) => http.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(http.address() as AddressInfo).port}`;
});
afterAll(async () => {
  http.closeAllConnections();
  await new Promise((r) => http.close(r));
});

describe('hostile MCP servers over HTTP', () => {
  let s: ToolSession;
  let took = 0;
  beforeAll(async () => {
    const server = (p: string, timeout_ms = 10_000) => ({
      url: `${base}${p}`,
      safety: 'safe' as const,
      timeout_ms,
    });
    const t0 = Date.now();
    s = await createToolSession(
      config({
        ok: server('/ok'),
        e500: server('/500'),
        html: server('/html'),
        notjson: server('/not-json'),
        stall: server('/stall-init', QUICK),
        redirect: server('/redirect'),
        stallcall: server('/stall-call', QUICK),
        huge: server('/huge-call'),
        secret: server('/secret-call'),
      }),
      { enabled: ['all'], confirm: yes },
    );
    took = Date.now() - t0;
  }, 30_000);
  afterAll(async () => {
    await s.close();
  });
  const status = (name: string) => s.mcp.find((m) => m.name === name);

  it('fails each bad server at start, naming why, within its timeout', () => {
    const report = JSON.stringify(s.mcp);
    expect(status('e500')).toMatchObject({
      status: 'failed',
      error: 'HTTP 500: Error POSTing to endpoint: internal error  with key [REDACTED]',
    });
    expect(status('html')).toMatchObject({ status: 'failed', error: expect.stringMatching(/text\/html/) });
    expect(status('notjson')?.status).toBe('failed');
    expect(status('stall')).toMatchObject({ status: 'failed', error: `did not start within ${QUICK} ms` });
    expect(status('redirect')).toMatchObject({
      status: 'failed',
      error: expect.stringMatching(/Redirect to http:\/\/127\.0\.0\.2:\d+\/ok not followed/),
    });
    expect(report).not.toContain(SECRET);
    expect(report).not.toMatch(RAW_CONTROL);
    expect(took).toBeLessThan(QUICK + 15_000);
  });

  it('fails bad calls typed, and the good server keeps working', async () => {
    expect(await call(s, 'ok__echo', { text: 'hi' })).toMatchObject({ ok: true, forModel: 'echo: hi' });
    expect(await call(s, 'stallcall__echo', {})).toEqual({
      ok: false,
      code: 'timeout',
      message: `stallcall__echo: no answer within ${QUICK} ms`,
    });
    const huge = await call(s, 'huge__echo', {});
    expect(huge).toMatchObject({
      ok: false,
      message: expect.stringMatching(/^huge__echo: .*longer than 16777216 bytes/),
    });
    const secret = await call(s, 'secret__echo', {});
    expect(secret).toMatchObject({
      ok: false,
      code: 'failed',
      message: expect.stringContaining('[REDACTED]'),
    });
    expect(JSON.stringify(secret)).not.toContain(SECRET);
    expect(await call(s, 'ok__echo', { text: 'still' })).toMatchObject({ ok: true, forModel: 'echo: still' });
  });
});
