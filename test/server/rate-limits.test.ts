/**
 * The per-connection rate limits, on a real server (the `canned` model, a real store):
 * WebSocket frames per second and turns per minute (`error` `rate_limited`, retryable, the
 * connection kept) and HTTP requests per second on one keep-alive connection (429 with
 * `Retry-After`). The limits come from the `[server]` config; a bad value is a config error.
 */
import { writeFileSync } from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../packages/core/src/index.js';
import { tempHome } from '../helpers/cli.js';
import { metricValue, startTestServer, WsClient, type Envelope, type TestServer } from './helpers.js';

let t: TestServer;
beforeAll(async () => {
  t = await startTestServer({
    config: {
      model: 'canned',
      max_tokens: 5,
      server: { ws_frames_per_second: 20, ws_turns_per_minute: 2, http_requests_per_second: 5 },
    },
  });
});
afterAll(() => t.close());

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('WebSocket rate limits', () => {
  it('answers frames over ws_frames_per_second with rate_limited and keeps the connection', async () => {
    const c = await WsClient.open(t.wsUrl);
    try {
      await c.request({ type: 'hello' }, (e) => e.type === 'ready');
      await sleep(1_100); // the bucket is full again
      const from = c.received.length;
      for (let i = 0; i < 100; i++) c.send({ type: 'ping', id: i });
      // Every frame answered, in order: a pong, or an error for a frame that was not handled.
      while (c.received.length - from < 100) await c.next(() => true, c.received.length);
      const answers = c.received.slice(from, from + 100);
      const pongs = answers.filter((e) => e.type === 'pong');
      const limited = answers.filter((e) => e.type === 'error');
      expect(pongs.length).toBeGreaterThanOrEqual(20);
      expect(pongs.length).toBeLessThan(40);
      expect(limited.length).toBe(100 - pongs.length);
      for (const e of limited) {
        expect(e.error).toMatchObject({ code: 'rate_limited', retryable: true });
        expect(e.error?.message).toMatch(
          /over 20 frames per second .*server\.ws_frames_per_second.*retry in \d+ ms/,
        );
      }
      await sleep(1_100);
      expect(await c.request({ type: 'ping', id: 'after' })).toEqual({ type: 'pong', id: 'after' });
      expect(c.closed).toBeUndefined();
      const metrics = await (await fetch(`${t.url}/metrics`)).text();
      expect(metricValue(metrics, 'parley_errors_total', { code: 'rate_limited' })).toBeGreaterThanOrEqual(
        limited.length,
      );
    } finally {
      c.close();
    }
  });

  it('refuses a turn over ws_turns_per_minute with rate_limited and its turn id; the session lives on', async () => {
    const c = await WsClient.open(t.wsUrl);
    try {
      await c.request({ type: 'hello' }, (e) => e.type === 'ready');
      const done = (id: string) => (e: Envelope) => e.turn === id && ['done', 'error'].includes(e.type);
      expect((await c.request({ type: 'text', id: 'a1', text: 'one' }, done('a1'))).type).toBe('done');
      expect((await c.request({ type: 'text', id: 'a2', text: 'two' }, done('a2'))).type).toBe('done');
      const third = await c.request({ type: 'text', id: 'a3', text: 'three' }, done('a3'));
      expect(third).toMatchObject({
        type: 'error',
        turn: 'a3',
        error: { code: 'rate_limited', retryable: true },
      });
      expect(third.error?.message).toMatch(
        /over 2 turns per minute .*server\.ws_turns_per_minute.*retry in \d+ s/,
      );
      expect(c.received.some((e) => e.type === 'turn' && e.turn === 'a3')).toBe(false);
      expect(await c.request({ type: 'ping', id: 1 })).toEqual({ type: 'pong', id: 1 });
      const ready = await c.request(
        { type: 'hello', session: String(c.received[0]?.session) },
        (e) => e.type === 'ready',
      );
      expect((ready.history as unknown[]).length).toBe(4); // two turns, nothing of the refused one
      expect(c.closed).toBeUndefined();
    } finally {
      c.close();
    }
  });
});

function get(agent: http.Agent, url: string): Promise<{ status: number; retryAfter?: string; body: string }> {
  return new Promise((resolve, reject) => {
    http
      .get(url, { agent }, (res) => {
        let body = '';
        res.setEncoding('utf8').on('data', (d: string) => (body += d));
        res.on('end', () =>
          resolve({ status: res.statusCode ?? 0, retryAfter: res.headers['retry-after'], body }),
        );
      })
      .on('error', reject);
  });
}

describe('HTTP rate limit', () => {
  it('answers requests over http_requests_per_second on one connection with 429 and Retry-After', async () => {
    const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
    const other = new http.Agent({ keepAlive: true, maxSockets: 1 });
    try {
      await sleep(1_100);
      const answers = [];
      for (let i = 0; i < 20; i++) answers.push(await get(agent, `${t.url}/v1/models`));
      const ok = answers.filter((a) => a.status === 200).length;
      const limited = answers.filter((a) => a.status === 429);
      expect(ok).toBeGreaterThanOrEqual(5);
      expect(ok).toBeLessThan(12);
      expect(limited.length).toBe(20 - ok);
      for (const a of limited) {
        expect(a.retryAfter).toMatch(/^\d+$/);
        const err = (JSON.parse(a.body) as { error: { code: string; type: string; message: string } }).error;
        expect(err).toMatchObject({ code: 'rate_limited', type: 'rate_limit_error' });
        expect(err.message).toMatch(
          /over 5 requests per second on this connection \(server\.http_requests_per_second\)/,
        );
      }
      // Per connection: another connection is served at once; this one after a pause.
      expect((await get(other, `${t.url}/healthz`)).status).toBe(200);
      await sleep(1_100);
      expect((await get(agent, `${t.url}/healthz`)).status).toBe(200);
    } finally {
      agent.destroy();
      other.destroy();
    }
  });
});

describe('the limits in config', () => {
  it('refuses a negative rate or a tiny header limit, naming the key', () => {
    const home = tempHome();
    try {
      const file = path.join(home.home, 'c.toml');
      for (const [line, key] of [
        ['ws_frames_per_second = -1', 'server.ws_frames_per_second'],
        ['ws_turns_per_minute = 1.5', 'server.ws_turns_per_minute'],
        ['max_header_bytes = 10', 'server.max_header_bytes'],
        ['headers_timeout_ms = 0', 'server.headers_timeout_ms'],
      ] as const) {
        writeFileSync(file, `[server]\n${line}\n`);
        expect(() => loadConfig({ configFile: file, env: { PARLEY_HOME: home.home } })).toThrow(key);
      }
    } finally {
      home.cleanup();
    }
  });
});
