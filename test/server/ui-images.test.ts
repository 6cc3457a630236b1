/// <reference lib="dom" />
/**
 * Generated images in the browser UI, in real Chromium, on a server that needs a token:
 * a turn the router sends to image generation (`/image …`) shows the image, fetched from
 * `/api/images/FILE` with the page's cookie; the route refuses requests without the token
 * and names that are not images it saved.
 *
 * A local HTTP server stands in for OpenAI's images API (a cloud API cannot be reached from
 * a test): it answers `POST /v1/images/generations` in OpenAI's documented JSON format with
 * a real PNG made for the test.
 */
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkPng, tinyPng } from '../helpers/png.js';
import {
  OPENAI_IMAGES_RATE_LIMITED,
  openAIImageReply,
  startWireServer,
  type WireServer,
} from '../helpers/wire-server.js';
import { startTestServer, WsClient, type TestServer } from './helpers.js';
import { launchChromium, send, waitReady, waitTurnEnd } from './ui-page.js';

const TOKEN = 'ui-images-token-0123456789';
const PNG = tinyPng(6, 4, [20, 120, 220]);

describe('generated images in the browser', () => {
  let wire: WireServer;
  let srv: TestServer;
  let browser: Browser;
  beforeAll(async () => {
    wire = await startWireServer();
    [srv, browser] = await Promise.all([
      startTestServer({
        token: TOKEN,
        config: {
          model: 'canned:echo',
          router: { enabled: true },
          images: { model: 'openai:gpt-image-1' },
          providers: { openai: { base_url: `${wire.url}/v1`, api_key: 'sk-test-ui-images-0123456789' } },
          max_retries: 0,
        },
      }),
      launchChromium(),
    ]);
  });
  afterAll(async () => {
    await browser?.close();
    await srv?.close();
    await wire?.close();
  });

  it('shows the image of a turn routed to image generation, under its prompt', async () => {
    wire.reply(openAIImageReply(PNG));
    const context = await browser.newContext();
    try {
      const page = await context.newPage();
      const errors: string[] = [];
      page.on('pageerror', (e) => errors.push(e.message));
      await page.goto(`${srv.url}/?token=${TOKEN}`);
      await waitReady(page);
      await send(page, '/image a blue rectangle');
      await waitTurnEnd(page);
      const figure = page.locator('.msg.assistant').last().locator('figure.generated');
      await figure.locator('img').waitFor();
      // The browser fetched and decoded it: its natural size is the PNG's.
      await page.waitForFunction(() => {
        const img = document.querySelector<HTMLImageElement>('figure.generated img');
        return img !== null && img.complete && img.naturalWidth > 0;
      });
      const dims = await figure
        .locator('img')
        .evaluate((i) => [(i as HTMLImageElement).naturalWidth, (i as HTMLImageElement).naturalHeight]);
      expect(dims).toEqual([6, 4]);
      const src = await figure.locator('img').getAttribute('src');
      expect(src).toMatch(/^\/api\/images\/[0-9A-Z]{26}\.png$/);
      expect(await figure.locator('img').getAttribute('alt')).toBe('a blue rectangle');
      expect(await figure.locator('figcaption').textContent()).toBe('a blue rectangle · openai:gpt-image-1');
      expect(errors).toEqual([]);
      expect(wire.requests[0]?.body).toMatchObject({ model: 'gpt-image-1', prompt: 'a blue rectangle' });

      // The same bytes over HTTP with the token; nothing without it or for other names.
      const url = `${srv.url}${src}`;
      const withToken = await fetch(url, { headers: { authorization: `Bearer ${TOKEN}` } });
      expect(withToken.status).toBe(200);
      expect(withToken.headers.get('content-type')).toBe('image/png');
      expect(withToken.headers.get('x-content-type-options')).toBe('nosniff');
      expect(checkPng(Buffer.from(await withToken.arrayBuffer()))).toEqual({ width: 6, height: 4 });
      expect((await fetch(url)).status).toBe(401);
      for (const bad of [
        '..%2F..%2Fdata%2Fparley.db',
        'parley.db',
        '01ARZ3NDEKTSV4RRFFQ69G5FAV.png',
        'x.png%00.txt',
      ]) {
        const r = await fetch(`${srv.url}/api/images/${bad}`, {
          headers: { authorization: `Bearer ${TOKEN}` },
        });
        expect(r.status, bad).toBe(404);
      }
    } finally {
      await context.close();
    }
  });

  it('saves an image turn in the history: the prompt and a line naming the file', async () => {
    wire.reset();
    wire.reply(openAIImageReply(PNG));
    const ws = await WsClient.open(`${srv.wsUrl}?token=${TOKEN}`);
    const auth = { headers: { authorization: `Bearer ${TOKEN}` } };
    try {
      await ws.request({ type: 'hello' });
      ws.send({ type: 'text', id: 't-saved', text: '/image a green square' });
      const events = await ws.turn('t-saved');
      const image = events.find((e) => e.type === 'image');
      expect(events.at(-1)?.type).toBe('done');
      const file = String(image?.url).split('/').pop();
      const list = (await (await fetch(`${srv.url}/api/conversations?limit=50`, auth)).json()) as {
        data: { id: string; title: string }[];
      };
      const conv = list.data.find((c) => c.title === '/image a green square');
      expect(conv).toBeDefined();
      const full = (await (await fetch(`${srv.url}/api/conversations/${conv?.id}`, auth)).json()) as {
        messages: { role: string; status: string; parts: { text?: string }[] }[];
      };
      expect(full.messages.map((m) => [m.role, m.status, m.parts[0]?.text])).toEqual([
        ['user', 'complete', '/image a green square'],
        ['assistant', 'complete', `[image ${file}, 6×4, made by openai:gpt-image-1]`],
      ]);
    } finally {
      ws.close();
    }
  });

  it('a provider failure ends the turn with a typed error; the session goes on', async () => {
    wire.reset();
    wire.reply(OPENAI_IMAGES_RATE_LIMITED);
    const ws = await WsClient.open(`${srv.wsUrl}?token=${TOKEN}`);
    try {
      await ws.request({ type: 'hello' });
      ws.send({ type: 'text', id: 't-image', text: '/image a cat' });
      const first = await ws.turn('t-image');
      const end = first.at(-1)!;
      expect(end.type).toBe('error');
      expect(end.error?.message).toMatch(/openai.*(429|rate limit)/i);
      expect(first.some((e) => e.type === 'route' && e.intent === 'image-generation')).toBe(true);
      expect(first.some((e) => e.type === 'image')).toBe(false);
      // Not an image request: the chat answers as usual.
      ws.send({ type: 'text', id: 't-chat', text: 'hello there' });
      const second = await ws.turn('t-chat');
      expect(second.at(-1)?.type).toBe('done');
      expect(second.some((e) => e.type === 'text-delta')).toBe(true);
    } finally {
      ws.close();
    }
  });
});
