/**
 * A real server's metrics and log: WebSocket and HTTP turns feed the core registry that
 * `/metrics` serves (TTFT, requests, cache hits and misses, sessions, errors), every log line
 * of one turn carries its request id, and a token never reaches the log.
 */
import { createLog, createParley, type Parley } from '@parley/core';
import { parsePrometheusText, promValue } from '@parley/core/observability';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createServer, type ParleyServer } from '../../packages/server/src/index.js';
import { tempHome } from '../helpers/cli.js';
import { STORIES } from '../helpers/models.js';
import { eventually, postCompletion, WsClient } from './helpers.js';

const TOKEN = 'srv-token-0123456789abcdef';

let server: ParleyServer;
let parley: Parley;
let url: string;
let cleanup: () => void;
const lines: Record<string, unknown>[] = [];
const raw: string[] = [];

const auth = { authorization: `Bearer ${TOKEN}` };
const metrics = async () =>
  parsePrometheusText(await (await fetch(`${url}/metrics`, { headers: auth })).text());

beforeAll(async () => {
  const home = tempHome();
  cleanup = home.cleanup;
  parley = createParley({
    config: { model: STORIES },
    env: { PARLEY_HOME: home.home },
    local: { threads: 1, gpu: false, sequences: 2 },
    log: createLog({
      level: 'debug',
      destination: {
        write(chunk: string) {
          raw.push(chunk);
          for (const l of chunk.split('\n')) if (l) lines.push(JSON.parse(l) as Record<string, unknown>);
        },
      },
    }),
  });
  server = await createServer({ parley, host: '127.0.0.1', port: 0, token: TOKEN });
  url = await server.listen();
});

afterAll(async () => {
  await server.close();
  await parley.dispose();
  cleanup();
});

describe('metrics fed by the server and the core', () => {
  it('counts WebSocket and HTTP turns per provider:model, cache hits and misses, sessions and errors', async () => {
    const ws = await WsClient.open(`${url.replace(/^http/, 'ws')}/ws?token=${TOKEN}`);
    await ws.request({ type: 'hello' }, (e) => e.type === 'ready');
    expect(promValue(await metrics(), 'parley_ws_sessions_open')).toBe(1);
    await ws.request({ type: 'control', action: 'settings', settings: { model: 'canned', max_tokens: 5 } });
    ws.send({ type: 'text', id: 'a', text: 'go' });
    const events = await ws.turn('a');
    expect(events.at(-1)?.type).toBe('done');
    await ws.request({ type: 'dance' }, (e) => e.type === 'error');

    // The same deterministic request twice over HTTP: a miss, then a hit.
    const body = {
      model: 'canned',
      messages: [{ role: 'user', content: 'hi' }],
      max_tokens: 4,
      temperature: 0,
    };
    for (let i = 0; i < 2; i++) expect((await postCompletion(url, body, auth)).status).toBe(200);

    const m = await metrics();
    const model = { model: 'canned:lorem' };
    expect(promValue(m, 'parley_requests_total', { ...model, outcome: 'done' })).toBe(3);
    expect(promValue(m, 'parley_ttft_seconds_count', model)).toBe(2); // the cached answer is left out
    expect(promValue(m, 'parley_tokens_per_second_count', model)).toBe(2);
    expect(promValue(m, 'parley_request_duration_seconds_count', { ...model, outcome: 'done' })).toBe(3);
    expect(promValue(m, 'parley_cache_lookups_total', { ...model, result: 'hit' })).toBe(1);
    expect(promValue(m, 'parley_cache_lookups_total', { ...model, result: 'miss' })).toBe(1);
    expect(promValue(m, 'parley_errors_total', { api: 'ws', code: 'unknown_type' })).toBe(1);
    expect(promValue(m, 'parley_turns_total', { api: 'ws', outcome: 'done' })).toBe(1);
    expect(promValue(m, 'parley_turns_total', { api: 'openai', outcome: 'done' })).toBe(2);
    expect(
      promValue(m, 'parley_http_request_duration_seconds_count', {
        route: '/v1/chat/completions',
        status: '200',
      }),
    ).toBe(2);
    expect(promValue(m, 'parley_process_memory_bytes', { kind: 'rss' })).toBeGreaterThan(10e6);
    expect(promValue(m, 'process_resident_memory_bytes')).toBeGreaterThan(10e6);

    ws.close();
    await eventually(
      async () => (promValue(await metrics(), 'parley_ws_sessions_open') === 0 ? true : undefined),
      'session gauge back to 0',
    );
  });
});

describe('the server log', () => {
  it('ties every line of a WebSocket turn, and of an HTTP request, with one request id', async () => {
    const ws = await WsClient.open(`${url.replace(/^http/, 'ws')}/ws`, { headers: auth });
    await ws.request({ type: 'hello' }, (e) => e.type === 'ready');
    ws.send({ type: 'text', id: 'log1', text: 'go', model: 'canned' });
    await ws.turn('log1');
    ws.close();
    const wsLines = await eventually(() => {
      const end = lines.find((l) => l.turn === 'log1' && l.msg === 'turn done');
      return end ? lines.filter((l) => l.req === end.req) : undefined;
    }, 'the WebSocket turn logged');
    expect(wsLines.map((l) => l.msg)).toEqual(['turn start', 'turn done']);
    expect(new Set(wsLines.map((l) => l.turn))).toEqual(new Set(['log1']));
    expect(wsLines[1]).toMatchObject({ model: 'canned:lorem', outcome: 'done', level: 30 });

    const res = await postCompletion(
      url,
      { model: 'canned', messages: [{ role: 'user', content: 'x' }], max_tokens: 3 },
      auth,
    );
    expect(res.status).toBe(200);
    const httpLines = await eventually(() => {
      const access = lines.findLast((l) => l.msg === 'http' && l.route === '/v1/chat/completions');
      return access ? lines.filter((l) => l.req === access.req) : undefined;
    }, 'the HTTP request logged');
    expect(httpLines.map((l) => l.msg)).toEqual(['turn start', 'turn done', 'http']);
    expect(httpLines[0]).toMatchObject({ source: 'openai' });
  });

  it('never writes the token, whether it came in a header or in the URL', async () => {
    const ws = await WsClient.open(`${url.replace(/^http/, 'ws')}/ws?token=${TOKEN}`);
    await ws.request({ type: 'hello' }, (e) => e.type === 'ready');
    ws.close();
    await fetch(`${url}/v1/models?token=${TOKEN}`);
    await fetch(`${url}/v1/models`, { headers: auth });
    parley.log.info({ headers: auth, note: `Authorization: Bearer ${TOKEN}` }, `a line about ${TOKEN}`);
    expect(raw.length).toBeGreaterThan(3);
    expect(raw.join('')).not.toContain(TOKEN);
  });
});
