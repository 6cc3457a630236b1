/**
 * Fuzzing every input path that takes text from outside: `config.toml`, command-line
 * arguments, template sources with their front matter and variables, and HTTP bodies for
 * `/v1/chat/completions`, `/v1/images/generations` and `/api/*`. (WebSocket frames: test/server/ws-fuzz.test.ts.)
 * Inputs are random and mutated from valid seeds (fast-check). Each must be accepted or
 * refused with a typed parley error naming what was wrong: never another exception, never a
 * 5xx, never a hang, and the server answers a health check afterwards.
 *
 * A few thousand inputs in CI; `npm run harden` runs over 100,000 in all (with the
 * WebSocket's 10,200), and each test prints its count.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ParleyError, loadConfig } from '../../packages/core/src/index.js';
import { TemplateLibrary } from '../../packages/core/src/templates/index.js';
import { parseCli } from '../../packages/cli/src/args.js';
import { tempHome } from '../helpers/cli.js';
import { startTestServer, type TestServer } from '../server/helpers.js';
import { hardenScale, seededRandom } from './scale.js';

const { seed } = seededRandom();
let home: ReturnType<typeof tempHome>;
beforeAll(() => {
  home = tempHome();
  console.log(`fuzz seed ${seed} (replay with PARLEY_HARDEN_SEED=${seed})`);
});
afterAll(() => home.cleanup());

/** Splice random text into a seed: the usual shape of a near-miss input. */
const mutated = (seeds: readonly string[]): fc.Arbitrary<string> =>
  fc
    .tuple(fc.constantFrom(...seeds), fc.nat(), fc.nat(), fc.string({ unit: 'binary', maxLength: 12 }))
    .map(([s, a, b, ins]) => {
      const i = a % (s.length + 1);
      const j = Math.min(s.length, i + (b % 6));
      return s.slice(0, i) + ins + s.slice(j);
    });

/** Anything thrown must be a typed parley error with one of these codes and a message. */
function expectTyped(e: unknown, codes: readonly string[], input: unknown): void {
  if (!ParleyError.is(e) || !codes.includes(e.code) || e.message.length === 0) {
    throw new Error(`untyped failure for ${JSON.stringify(input)?.slice(0, 300)}: ${String(e)}`);
  }
}

const CONFIG_SEEDS = [
  'model = "local:x.gguf"\ntemperature = 0.5\n',
  '[local]\nthreads = 4\ngpu = "auto"\n',
  '[cache]\nmax_bytes = 1024\nttl_ms = 0\nmode = "always"\n',
  '[server]\nport = 8080\norigins = ["http://a.example"]\n',
  '[sessions]\nrestore = "last"\nsnapshot_interval_ms = 1000\n',
  '[aliases]\nfast = "groq:llama"\n[providers.openai]\napi_key = "sk-abcdef"\n',
  'fallback = ["a", "b"]\nmax_retries = 2\n[store]\nlog = false\n',
];

describe('fuzz: config.toml', () => {
  const runs = hardenScale(1_500, 30_000);
  it(`${runs} random and mutated files: accepted, or a config error`, () => {
    const file = path.join(home.home, 'fuzz-config.toml');
    let refused = 0;
    fc.assert(
      fc.property(fc.oneof(mutated(CONFIG_SEEDS), fc.string({ maxLength: 200 })), (src) => {
        writeFileSync(file, src);
        try {
          loadConfig({ configFile: file, env: { PARLEY_HOME: home.home } });
        } catch (e) {
          refused++;
          expectTyped(e, ['config'], src);
        }
      }),
      { numRuns: runs, seed },
    );
    console.log(`fuzz config: ${runs} inputs, ${refused} refused with a config error, 0 crashes`);
    expect(refused).toBeGreaterThan(0);
  }, 900_000);
});

const FLAGS = [
  '-m',
  '--model',
  '-s',
  '--temperature',
  '--max-tokens',
  '--race',
  '--fallback',
  '--image',
  '-i',
  '--json',
  '--no-stream',
  '--threads',
  '--timeout',
  '--config',
  '--conversation',
  '-c',
  '--limit',
  '--format',
  '--vars',
  '--template',
  '--port',
  '--host',
  '--token',
  '--cache',
  '--no-cache',
  '--',
  'history',
  'serve',
  'models',
  'pull',
  'config',
  'show',
  'template',
  'render',
  'cache',
  'clear',
];

describe('fuzz: command-line arguments', () => {
  const runs = hardenScale(1_500, 30_000);
  it(`${runs} random argument lists: parsed, or a usage error`, () => {
    let refused = 0;
    const arg = fc.oneof(fc.constantFrom(...FLAGS), fc.string({ maxLength: 20 }), fc.integer().map(String));
    fc.assert(
      fc.property(fc.array(arg, { maxLength: 8 }), (argv) => {
        try {
          parseCli(argv);
        } catch (e) {
          refused++;
          expectTyped(e, ['usage', 'config'], argv);
        }
      }),
      { numRuns: runs, seed },
    );
    console.log(`fuzz cli: ${runs} inputs, ${refused} refused with a usage error, 0 crashes`);
    expect(refused).toBeGreaterThan(0);
  }, 900_000);
});

const TEMPLATE_SEEDS = [
  '---\ndescription: d\nvariables:\n  name: { type: string, required: true }\n---\nHello {{name}}!',
  '---\nvariables:\n  items: { type: array, default: [1, 2] }\n---\n{{#each items}}{{this}},{{/each}}',
  '---\nvariables:\n  n: { type: integer }\n---\n{{#if n}}{{json n}}{{else}}none{{/if}} {{upper "x"}}',
  '{{lookup this "constructor"}}',
  '{{#with a}}{{b}}{{/with}}',
  '---\nextends: base\n---\n{{#*inline "body"}}x{{/inline}}',
  '{{> other}} {{date "YYYY"}} {{join list ", "}}',
];

describe('fuzz: templates', () => {
  const runs = hardenScale(600, 10_000);
  it(`${runs} random and mutated sources with random variables: rendered, or a template error`, async () => {
    const dir = path.join(home.home, 'templates');
    mkdirSync(dir, { recursive: true });
    writeFileSync(path.join(dir, 'base.hbs'), '{{#> body}}base{{/body}}');
    const lib = new TemplateLibrary({ dir });
    const vars = fc.oneof(
      fc.constant(undefined),
      fc.dictionary(fc.constantFrom('name', 'items', 'n', 'a', '__proto__', 'constructor'), fc.jsonValue()),
      fc.jsonValue(),
    );
    let refused = 0;
    let rendered = 0;
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(mutated(TEMPLATE_SEEDS), fc.string({ maxLength: 120 })),
        vars,
        async (src, v) => {
          try {
            await lib.create('fuzzed', src, { overwrite: true });
            await lib.render('fuzzed', v);
            rendered++;
          } catch (e) {
            refused++;
            expectTyped(e, ['usage'], { src, v });
          }
        },
      ),
      { numRuns: runs, seed },
    );
    console.log(`fuzz templates: ${runs} inputs, ${rendered} rendered, ${refused} refused, 0 crashes`);
    expect(refused).toBeGreaterThan(0);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  }, 300_000);
});

describe('fuzz: HTTP bodies and routes', () => {
  let t: TestServer;
  beforeAll(async () => {
    t = await startTestServer({ config: { model: 'canned', max_tokens: 8 } });
  });
  afterAll(() => t.close());

  const runs = hardenScale(1_500, 30_000);
  it(`${runs} random requests: 2xx, or a 4xx with an error body; never a 5xx`, async () => {
    const message = fc.record(
      {
        role: fc.oneof(fc.constantFrom('user', 'assistant', 'system', 'tool', 'developer'), fc.string()),
        content: fc.oneof(
          fc.string({ maxLength: 40 }),
          fc.array(fc.record({ type: fc.constantFrom('text', 'image_url', 'x'), text: fc.string() }), {
            maxLength: 3,
          }),
          fc.jsonValue(),
        ),
      },
      { requiredKeys: [] },
    );
    const completion = fc.record(
      {
        model: fc.oneof(fc.constantFrom('canned', 'canned:echo', 'local:nope', ''), fc.string()),
        messages: fc.oneof(fc.array(message, { maxLength: 4 }), fc.jsonValue()),
        stream: fc.oneof(fc.boolean(), fc.jsonValue()),
        max_tokens: fc.oneof(fc.integer({ min: -5, max: 20 }), fc.jsonValue()),
        temperature: fc.oneof(fc.double(), fc.jsonValue()),
        stop: fc.oneof(fc.string(), fc.array(fc.string(), { maxLength: 5 })),
      },
      { requiredKeys: [] },
    );
    const image = fc.record(
      {
        prompt: fc.oneof(fc.string({ maxLength: 60 }), fc.jsonValue()),
        model: fc.oneof(fc.constantFrom('gpt-image-1', 'openai:gpt-image-1', ''), fc.string()),
        n: fc.oneof(fc.integer({ min: -2, max: 4 }), fc.jsonValue()),
        size: fc.oneof(fc.constantFrom('1024x1024', '0x0', '99999x1', 'x'), fc.string()),
        response_format: fc.oneof(fc.constantFrom('b64_json', 'url'), fc.jsonValue()),
      },
      { requiredKeys: [] },
    );
    const body = fc.oneof(
      completion.map((c) => JSON.stringify(c)),
      image.map((c) => JSON.stringify(c)),
      mutated(['{"model":"canned","messages":[{"role":"user","content":"hi"}]}']),
      fc.string({ maxLength: 100 }),
    );
    const route = fc.oneof(
      fc.constant({ method: 'POST' as const, url: '/v1/chat/completions' }),
      fc.constant({ method: 'POST' as const, url: '/v1/images/generations' }),
      fc
        .string({ maxLength: 30 })
        .map((s) => ({ method: 'GET' as const, url: `/api/conversations?limit=${encodeURIComponent(s)}` })),
      fc
        .string({ maxLength: 30 })
        .map((s) => ({ method: 'GET' as const, url: `/api/conversations/${encodeURIComponent(s)}` })),
      fc
        .string({ maxLength: 30 })
        .map((s) => ({ method: 'DELETE' as const, url: `/api/conversations/${encodeURIComponent(s)}` })),
      fc
        .string({ maxLength: 30 })
        .map((s) => ({ method: 'GET' as const, url: `/api/conversations?q=${encodeURIComponent(s)}` })),
    );
    const statuses = new Map<number, number>();
    await fc.assert(
      fc.asyncProperty(route, body, async (r, payload) => {
        const res = await t.server.app.inject({
          method: r.method,
          url: r.url,
          headers: { 'content-type': 'application/json' },
          ...(r.method === 'POST' ? { payload } : {}),
        });
        statuses.set(res.statusCode, (statuses.get(res.statusCode) ?? 0) + 1);
        if (res.statusCode >= 500)
          throw new Error(`${res.statusCode} for ${r.method} ${r.url} ${payload}: ${res.body}`);
        if (res.statusCode >= 400) {
          const err = (JSON.parse(res.body) as { error?: { message?: unknown } }).error;
          if (typeof err?.message !== 'string' || err.message.length === 0) {
            throw new Error(`${res.statusCode} without an error message: ${res.body}`);
          }
        }
      }),
      { numRuns: runs, seed },
    );
    console.log(
      `fuzz http: ${runs} inputs, statuses ${JSON.stringify(Object.fromEntries(statuses))}, 0 crashes`,
    );
    expect((await t.server.app.inject({ url: '/healthz' })).statusCode).toBe(200);
    expect([...statuses.keys()].some((s) => s >= 400)).toBe(true);
  }, 600_000);
});
