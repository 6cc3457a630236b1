/**
 * `parley image` at the HTTP wire, run as a user would. A local HTTP server stands in for
 * OpenAI's images API (a cloud API cannot be reached from a test): it answers
 * `POST /v1/images/generations` in OpenAI's documented JSON format, `{created, data:
 * [{b64_json}]}`, with a real PNG made for the test, or with the errors OpenAI documents. The
 * AI SDK's OpenAI provider, parley's checks and the saved file are the real ones.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { runParley, tempHome } from '../helpers/cli.js';
import { STORIES } from '../helpers/models.js';
import { checkPng, tinyPng } from '../helpers/png.js';
import { startWireServer, type WireServer } from '../helpers/wire-server.js';

const KEY = 'sk-test-images-0123456789abcdef';
const PNG = tinyPng(4, 3);
const ok = (png: Buffer = PNG) => ({
  status: 200,
  body: {
    created: 1_760_000_000,
    data: [{ b64_json: png.toString('base64'), revised_prompt: 'a red square, flat' }],
  },
});
const openaiError = (status: number, message: string, type: string, code: string | null) => ({
  status,
  body: { error: { message, type, param: null, code } },
});

let wire: WireServer;
let home: ReturnType<typeof tempHome>;
let dir: string;
let configFile: string;
beforeAll(async () => {
  wire = await startWireServer();
  home = tempHome();
  dir = mkdtempSync(path.join(os.tmpdir(), 'parley-image-out-'));
  configFile = path.join(dir, 'config.toml');
  writeFileSync(configFile, '[images]\nmodel = "openai:gpt-image-1"\n');
});
afterAll(async () => {
  await wire.close();
  home.cleanup();
  rmSync(dir, { recursive: true, force: true });
});
beforeEach(() => wire.reset());

const env = () => ({
  PARLEY_HOME: home.home,
  PARLEY_GPU: 'false',
  OPENAI_API_KEY: KEY,
  PARLEY_BASE_URL: `${wire.url}/v1`,
  PARLEY_MAX_RETRIES: '0',
});
const parley = (...args: string[]) => runParley(args, { env: env() });
const imagesDir = () => path.join(home.home, 'data', 'images');
const saved = (): string[] => {
  try {
    return readdirSync(imagesDir());
  } catch {
    return [];
  }
};

describe('parley image', () => {
  it('asks the images API and saves a valid PNG in the data folder', async () => {
    wire.reply(ok());
    const r = await parley('image', 'a red square', '-m', 'openai:gpt-image-1', '--size', '256x256');
    expect(r.stderr).toContain('saved 4x3 PNG');
    expect(r.stderr).toContain('from openai:gpt-image-1');
    expect(r.code).toBe(0);
    const file = r.stdout.trim();
    expect(path.dirname(file)).toBe(imagesDir());
    expect(file).toMatch(/[0-9A-Z]{26}\.png$/);
    expect(checkPng(readFileSync(file))).toEqual({ width: 4, height: 3 });
    expect(readFileSync(file).equals(PNG)).toBe(true);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    const req = wire.requests[0]!;
    expect(req.method).toBe('POST');
    expect(req.path).toBe('/v1/images/generations');
    expect(req.headers.authorization).toBe(`Bearer ${KEY}`);
    expect(req.body).toMatchObject({ model: 'gpt-image-1', prompt: 'a red square', n: 1, size: '256x256' });
    expect(r.stdout + r.stderr).not.toContain(KEY);
  });

  it('takes images.model from config, -o FILE or a folder, and --json', async () => {
    wire.reply(ok(), ok(), ok(tinyPng(2, 2)));
    const out = path.join(dir, 'fox.png');
    const a = await runParley(['--config', configFile, 'image', 'a fox', '-o', out], { env: env() });
    expect(a.code).toBe(0);
    expect(a.stdout.trim()).toBe(out);
    expect(checkPng(readFileSync(out))).toEqual({ width: 4, height: 3 });
    const b = await runParley(['--config', configFile, 'image', 'a fox', '-o', dir], { env: env() });
    expect(path.dirname(b.stdout.trim())).toBe(dir);
    const c = await runParley(['--config', configFile, 'image', 'tiny', '--json'], { env: env() });
    const j = JSON.parse(c.stdout) as { image: Record<string, unknown> };
    expect(j.image).toMatchObject({
      mediaType: 'image/png',
      width: 2,
      height: 2,
      model: 'openai:gpt-image-1',
      prompt: 'tiny',
      revisedPrompt: 'a red square, flat',
    });
    expect(wire.requests.map((q) => (q.body as { model: string }).model)).toEqual([
      'gpt-image-1',
      'gpt-image-1',
      'gpt-image-1',
    ]);
  });

  it('refuses bad input before calling the provider, naming what was wrong', async () => {
    const before = saved();
    const cases: [string[], RegExp][] = [
      [
        ['image', 'x', '-m', 'openai:gpt-image-1', '--size', 'big'],
        /bad image size "big": give WIDTHxHEIGHT/,
      ],
      [['image', 'x', '-m', 'openai:gpt-image-1', '--size', '10x10'], /bad image size "10x10"/],
      [['image', 'x', '-m', 'openai:gpt-image-1', '--size', '1024x99999'], /bad image size/],
      [['image', 'x', '-m', 'openai:gpt-image-1', '--size=-1x5'], /bad image size/],
      [['image', '', '-m', 'openai:gpt-image-1'], /the image prompt is empty/],
      [['image', '   ', '-m', 'openai:gpt-image-1'], /the image prompt is empty/],
      [['image', '-m', 'openai:gpt-image-1'], /parley image needs a prompt/],
      [['image', 'x'], /no image model is configured: set images.model/],
      [
        ['image', 'x', '-m', 'anthropic:claude-sonnet-4-6'],
        /cannot make images: use an image model of openai/,
      ],
      [['image', 'x', '-m', STORIES], /cannot make images/],
      [
        ['image', 'x', '-m', 'openai:gpt-image-1', '-o', path.join(dir, 'no', 'such', 'a.png')],
        /the folder .*no[/\\]such does not exist/,
      ],
      [['--size', '256x256', 'hello'], /--size goes with parley image/],
    ];
    for (const [args, message] of cases) {
      const r = await parley(...args);
      expect(r.stderr, args.join(' ')).toMatch(message);
      expect(r.code, args.join(' ')).toBe(2);
    }
    expect(wire.requests).toHaveLength(0);
    expect(saved()).toEqual(before);
  });

  it('turns provider failures into typed errors and saves nothing', async () => {
    const before = saved();
    const cases: [object, RegExp, number][] = [
      [
        openaiError(
          400,
          'Your request was rejected as a result of our safety system.',
          'image_generation_user_error',
          'content_policy_violation',
        ),
        /openai.*400.*rejected as a result of our safety system/,
        3,
      ],
      [
        openaiError(429, 'Rate limit reached for images per minute.', 'requests', 'rate_limit_exceeded'),
        /openai.*(429|rate limit)/i,
        3,
      ],
      [
        openaiError(401, 'Incorrect API key provided.', 'invalid_request_error', 'invalid_api_key'),
        /openai.*(401|key)/i,
        3,
      ],
      [
        ok(Buffer.from('this is not an image at all')),
        /did not send an image \(its data is not a PNG, JPEG or WebP file\); nothing was saved/,
        3,
      ],
      [{ status: 200, body: { created: 1, data: [] } }, /openai:gpt-image-1 answered without an image/, 3],
      [{ status: 200, body: '<html>gateway</html>', headers: { 'content-type': 'text/html' } }, /openai/, 3],
    ];
    for (const [reply, message, code] of cases) {
      wire.reply(reply);
      const r = await parley('image', 'a red square', '-m', 'openai:gpt-image-1');
      expect(r.stderr, JSON.stringify(reply).slice(0, 80)).toMatch(message);
      expect(r.code, JSON.stringify(reply).slice(0, 80)).toBe(code);
      expect(r.stdout).toBe('');
      expect(r.stderr).not.toContain(KEY);
    }
    expect(saved()).toEqual(before);
  });
});

describe('the router sends image requests to image generation', () => {
  it('with an image model: an image instead of an answer', async () => {
    wire.reply(ok());
    const r = await runParley(
      ['--config', configFile, '--intent', 'image-generation', '/draw a lighthouse at dusk'],
      {
        env: env(),
      },
    );
    expect(r.code).toBe(0);
    expect(checkPng(readFileSync(r.stdout.trim()))).toEqual({ width: 4, height: 3 });
    expect(wire.requests[0]?.body).toMatchObject({ prompt: 'a lighthouse at dusk' });
  });

  it('without one: a clear notice, and the chat answers', async () => {
    const r = await parley(
      '--intent',
      'image-generation',
      '-m',
      STORIES,
      '--threads',
      '1',
      '--max-tokens',
      '8',
      'draw a cat',
    );
    expect(r.stderr).toContain('no image model is configured (set images.model in config.toml');
    expect(r.code).toBe(0);
    expect(r.stdout.trim()).not.toBe('');
    expect(wire.requests).toHaveLength(0);
  });
});
