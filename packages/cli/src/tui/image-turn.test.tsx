/**
 * `parley chat` and the router's image intent, key by key through ink-testing-library: an
 * image request makes an image and the chat prints where it was saved; with no image model a
 * notice says so and the chat answers. A local HTTP server stands in for OpenAI's images API
 * (a cloud API cannot be reached from a test), answering in its documented JSON format with
 * a real PNG made for the test.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createParley, type ConfigLayer } from '@parley/core';
import { render } from 'ink-testing-library';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { checkPng, tinyPng } from '../../../../test/helpers/png.js';
import { startWireServer, type WireServer } from '../../../../test/helpers/wire-server.js';
import { App } from './components.js';
import { ChatController } from './controller.js';
import { ChatSession } from './session.js';
import { plain } from './text.js';

const SIZE = { columns: 120, rows: 20 };
let wire: WireServer;
const cleanups: (() => Promise<void>)[] = [];
beforeAll(async () => {
  wire = await startWireServer();
});
afterAll(() => wire.close());
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
  wire.reset();
});

function app(config: ConfigLayer) {
  const home = mkdtempSync(path.join(os.tmpdir(), 'parley-tui-image-'));
  const parley = createParley({
    env: { PARLEY_HOME: home },
    config: {
      model: 'canned:echo',
      router: { enabled: true },
      providers: { openai: { base_url: `${wire.url}/v1`, api_key: 'sk-test-tui-image-0123456789' } },
      max_retries: 0,
      ...config,
    },
  });
  const c = new ChatController({
    session: new ChatSession(parley, parley.conversation()),
    ...SIZE,
    noColor: true,
  });
  const r = render(<App controller={c} size={SIZE} />);
  cleanups.push(async () => {
    r.unmount();
    await c.turn;
    await parley.dispose();
    rmSync(home, { recursive: true, force: true });
  });
  const screen = (): string => plain(r.lastFrame() ?? '');
  const type = async (text: string): Promise<void> => {
    r.stdin.write(text);
    await new Promise((res) => setTimeout(res, 5));
    r.stdin.write('\r');
  };
  const until = async (test: (s: string) => boolean): Promise<string> => {
    const end = Date.now() + 10_000;
    while (Date.now() < end) {
      if (test(screen())) return screen();
      await new Promise((res) => setTimeout(res, 10));
    }
    throw new Error(`screen never matched:\n${screen()}`);
  };
  return { c, type, until, home };
}

describe('image requests in parley chat', () => {
  it('makes the image and prints where it was saved', async () => {
    wire.reply({ status: 200, body: { created: 1, data: [{ b64_json: tinyPng(3, 2).toString('base64') }] } });
    const t = app({ images: { model: 'openai:gpt-image-1' } });
    await t.type('/image a red square');
    const s = await t.until((x) => x.includes('Image saved:') && x.includes('│ ready'));
    const file = /Image saved: (\S+\.png)/.exec(s.replace(/\n\s*/g, ''))?.[1] ?? '';
    expect(path.dirname(file)).toBe(path.join(t.home, 'data', 'images'));
    expect(checkPng(readFileSync(file))).toEqual({ width: 3, height: 2 });
    expect(s).toContain('3x2 PNG');
    expect(wire.requests[0]?.body).toMatchObject({ model: 'gpt-image-1', prompt: 'a red square' });
  });

  it('shows a provider failure as an error, and the chat goes on', async () => {
    wire.reply({
      status: 400,
      body: {
        error: {
          message: 'Your request was rejected by the safety system.',
          type: 'image_generation_user_error',
          code: 'content_policy_violation',
        },
      },
    });
    const t = app({ images: { model: 'openai:gpt-image-1' } });
    await t.type('/image something');
    await t.until((x) => x.includes('✗') && x.includes('rejected by the safety system'));
    await t.type('hello');
    await t.until((x) => /\n {2}hello/.test(x) && x.includes('│ ready'));
  });

  it('without an image model: a notice, and the chat answers', async () => {
    const t = app({});
    await t.type('/image a red square');
    const s = await t.until((x) => x.includes('│ ready') && x.includes('no image model is configured'));
    expect(s).toMatch(/\n {2}\/image a red square/); // canned:echo answered
    expect(wire.requests).toHaveLength(0);
  });
});
