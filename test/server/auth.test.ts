import http from 'node:http';
import { createParley, UsageError } from '@parley/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createServer } from '../../packages/server/src/index.js';
import { tempHome } from '../helpers/cli.js';
import { startTestServer, WsClient, type TestServer } from './helpers.js';

// Access control: the token on every HTTP and WebSocket request, the browser's Origin, the
// Host header of a tokenless server, and the refusal to listen beyond loopback without a token.
const TOKEN = 'auth-test-token-42';
let secured: TestServer;
let open: TestServer;
beforeAll(async () => {
  secured = await startTestServer({ token: TOKEN, origins: ['http://ui.example:3000'] });
  open = await startTestServer();
});
afterAll(async () => {
  await secured.close();
  await open.close();
});

type ErrorBody = { error: { message: string; type: string; param: null; code: string } };

describe('with a token', () => {
  const routes = ['/healthz', '/v1/models', '/metrics', '/', '/v1/models/canned'];

  it.each(routes)('GET %s is 401 without the token, in OpenAI error shape', async (route) => {
    const r = await fetch(`${secured.url}${route}`);
    expect(r.status).toBe(401);
    expect(r.headers.get('www-authenticate')).toBe('Bearer');
    const j = (await r.json()) as ErrorBody;
    expect(j.error).toEqual({
      message: expect.stringMatching(/needs a token/),
      type: 'authentication_error',
      param: null,
      code: 'invalid_api_key',
    });
  });

  it.each(routes)('GET %s is 401 with a wrong token and 200 with the right one', async (route) => {
    const wrong = await fetch(`${secured.url}${route}`, {
      headers: { authorization: 'Bearer nope-nope-nope' },
    });
    expect(wrong.status).toBe(401);
    expect(((await wrong.json()) as ErrorBody).error.message).toBe('wrong token');
    const right = await fetch(`${secured.url}${route}`, { headers: { authorization: `Bearer ${TOKEN}` } });
    expect(right.status).toBe(200);
  });

  it('POST /v1/chat/completions needs it too, and never echoes the wrong token', async () => {
    const body = JSON.stringify({
      model: 'canned',
      messages: [{ role: 'user', content: 'hi' }],
      max_tokens: 2,
    });
    const headers = { 'content-type': 'application/json' };
    const wrong = await fetch(`${secured.url}/v1/chat/completions`, {
      method: 'POST',
      headers: { ...headers, authorization: 'Bearer sk-secret-guess-123456' },
      body,
    });
    expect(wrong.status).toBe(401);
    expect(await wrong.text()).not.toContain('sk-secret-guess');
    const right = await fetch(`${secured.url}/v1/chat/completions`, {
      method: 'POST',
      headers: { ...headers, authorization: `Bearer ${TOKEN}` },
      body,
    });
    expect(right.status).toBe(200);
  });

  it('the page opened with ?token= gets an HttpOnly cookie that then authenticates', async () => {
    const r = await fetch(`${secured.url}/?token=${TOKEN}`);
    expect(r.status).toBe(200);
    const cookie = r.headers.get('set-cookie') ?? '';
    expect(cookie).toMatch(/^parley_token=/);
    expect(cookie).toMatch(/HttpOnly/);
    expect(cookie).toMatch(/SameSite=Strict/);
    const next = await fetch(`${secured.url}/v1/models`, { headers: { cookie: cookie.split(';')[0] ?? '' } });
    expect(next.status).toBe(200);
    const bad = await fetch(`${secured.url}/v1/models`, { headers: { cookie: 'parley_token=wrong' } });
    expect(bad.status).toBe(401);
    // The cookie is derived from the token, not the token: the browser never stores the token,
    // and the token itself is no cookie.
    expect(cookie).not.toContain(TOKEN);
    const raw = await fetch(`${secured.url}/v1/models`, { headers: { cookie: `parley_token=${TOKEN}` } });
    expect(raw.status).toBe(401);
  });

  it('the WebSocket needs it: refused without, open with ?token= or Authorization', async () => {
    await expect(WsClient.open(secured.wsUrl)).rejects.toThrow('HTTP 401');
    await expect(WsClient.open(`${secured.wsUrl}?token=wrong-token-123`)).rejects.toThrow('HTTP 401');
    const byQuery = await WsClient.open(`${secured.wsUrl}?token=${encodeURIComponent(TOKEN)}`);
    expect((await byQuery.request({ type: 'hello' })).type).toBe('ready');
    byQuery.close();
    const byHeader = await WsClient.open(secured.wsUrl, { headers: { authorization: `Bearer ${TOKEN}` } });
    expect((await byHeader.request({ type: 'hello' })).type).toBe('ready');
    byHeader.close();
  });
});

describe('Origin', () => {
  const ws = (origin: string) => WsClient.open(`${secured.wsUrl}?token=${TOKEN}`, { headers: { origin } });

  it('the WebSocket takes the same origin and configured ones, and refuses others with 403', async () => {
    const host = new URL(secured.url).host;
    (await ws(`http://${host}`)).close();
    (await ws('http://ui.example:3000')).close();
    await expect(ws('http://evil.example')).rejects.toThrow('HTTP 403');
    await expect(ws('null')).rejects.toThrow('HTTP 403');
  });

  it('HTTP requests from a foreign origin are refused with 403 in OpenAI shape', async () => {
    const r = await fetch(`${secured.url}/v1/models`, {
      headers: { authorization: `Bearer ${TOKEN}`, origin: 'http://evil.example' },
    });
    expect(r.status).toBe(403);
    expect(((await r.json()) as ErrorBody).error.code).toBe('forbidden_origin');
  });

  it('origins = ["*"] lets any page connect', async () => {
    const s = await startTestServer({ origins: ['*'] });
    try {
      (await WsClient.open(s.wsUrl, { headers: { origin: 'http://anything.example' } })).close();
    } finally {
      await s.close();
    }
  });
});

describe('without a token', () => {
  it('answers localhost names and refuses other Host headers (DNS rebinding)', async () => {
    const get = (host: string) =>
      new Promise<number>((resolve, reject) => {
        const u = new URL(`${open.url}/healthz`);
        http
          .get({ hostname: u.hostname, port: u.port, path: u.pathname, headers: { host } }, (res) => {
            res.resume();
            resolve(res.statusCode ?? 0);
          })
          .on('error', reject);
      });
    const port = new URL(open.url).port;
    expect(await get(`127.0.0.1:${port}`)).toBe(200);
    expect(await get(`localhost:${port}`)).toBe(200);
    expect(await get(`[::1]:${port}`)).toBe(200);
    expect(await get(`evil.example:${port}`)).toBe(403);
    expect(await get(`127.0.0.1.evil.example:${port}`)).toBe(403);
  });

  it('refuses to listen beyond loopback, and says why', async () => {
    const { home, cleanup } = tempHome();
    const parley = createParley({ env: { PARLEY_HOME: home } });
    try {
      for (const host of ['0.0.0.0', '::', '192.168.1.10', 'example.com']) {
        const e = await createServer({ parley, host }).catch((x: unknown) => x);
        expect(e).toBeInstanceOf(UsageError);
        expect((e as Error).message).toMatch(
          new RegExp(`refusing to listen on ${host.replace(/\./g, '\\.')} without a token`),
        );
        expect((e as Error).message).toMatch(/--token/);
      }
      for (const host of ['127.0.0.1', 'localhost', '::1', '127.0.0.2']) {
        const s = await createServer({ parley, host });
        await s.app.close();
      }
      // With a token, any address is allowed (not started here).
      const s = await createServer({ parley, host: '0.0.0.0', token: TOKEN });
      expect(s.options.host).toBe('0.0.0.0');
      await s.app.close();
      await expect(createServer({ parley, token: 'short' })).rejects.toThrow(/at least 8 characters/);
    } finally {
      await parley.dispose();
      cleanup();
    }
  });

  it('takes the token from the config (PARLEY_SERVER_TOKEN)', async () => {
    const { home, cleanup } = tempHome();
    const parley = createParley({ env: { PARLEY_HOME: home, PARLEY_SERVER_TOKEN: TOKEN } });
    try {
      const s = await createServer({ parley, host: '127.0.0.1', port: 0 });
      const url = await s.listen();
      expect((await fetch(`${url}/healthz`)).status).toBe(401);
      expect((await fetch(`${url}/healthz`, { headers: { authorization: `Bearer ${TOKEN}` } })).status).toBe(
        200,
      );
      await s.close();
    } finally {
      await parley.dispose();
      cleanup();
    }
  });
});
