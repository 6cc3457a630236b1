/**
 * Fuzzing the arguments a model gives to tools: random and mutated arguments (fast-check)
 * for every built-in tool, through `ToolRegistry.call()` (the validation path a model's
 * call takes). The registry must never throw, and every answer must be a typed result: an
 * output, or `{ ok: false }` with a known code and a message. A tool that throws anything but
 * a `ToolError` is a defect even though the registry catches it, so every tool is wrapped to
 * record that. Found cases are kept in fixtures/tool-args.json and replayed every run.
 *
 * What runs for real: the workspace tools on a temp workspace holding files, folders, a
 * link out of it, a dangling link and a file used as a folder; `write_file` is approved,
 * so writes really happen (inside the workspace). `fetch_url` is real with every host name
 * resolving to 127.0.0.1 (so the private-network guard answers) and a URL whose host is a
 * public IP literal denied at confirmation (no network here). `web_search` talks to a fake
 * search API (a cloud API: no real one can run here). `run_code` and `shell` are validated
 * and then denied: running random programs proves nothing about their arguments.
 *
 * 1,400 calls in CI; `npm run harden` makes 21,000 (3,000 a tool). The seed is printed.
 */
import { mkdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ToolRegistry } from '../../packages/core/src/tools/registry.js';
import { builtinTools } from '../../packages/core/src/tools/session.js';
import {
  ToolError,
  type Confirmer,
  type Tool,
  type ToolErrorCode,
} from '../../packages/core/src/tools/types.js';
import { BUILTIN_TOOL_NAMES } from '../../packages/core/src/tools/index.js';
import { DEFAULTS, type ParleyConfig } from '../../packages/core/src/config/schema.js';
import { tempHome } from '../helpers/cli.js';
import { hardenScale, seededRandom } from './scale.js';

const PER_TOOL = hardenScale(200, 3_000);
const CODES: readonly ToolErrorCode[] = [
  'unknown_tool',
  'invalid_args',
  'denied',
  'blocked',
  'not_found',
  'too_large',
  'timeout',
  'unavailable',
  'failed',
];
const FIXTURES = path.join(import.meta.dirname, 'fixtures', 'tool-args.json');

interface Untyped {
  tool: string;
  args: unknown;
  error: string;
}

let home: ReturnType<typeof tempHome>;
let registry: ToolRegistry;
const untyped: Untyped[] = [];
const { seed } = seededRandom();

/** Approve writes and fetches that stay off the network; deny running programs. */
const confirm: Confirmer = async (q) => {
  if (q.tool === 'write_file') return true;
  if (q.tool === 'fetch_url') {
    try {
      const host = new URL((q.args as { url: string }).url).hostname.replace(/^\[|\]$/g, '');
      return net.isIP(host) === 0;
    } catch {
      return true;
    }
  }
  return false;
};

beforeAll(() => {
  home = tempHome();
  const ws = path.join(home.home, 'workspace');
  mkdirSync(path.join(ws, 'dir', 'deep'), { recursive: true });
  writeFileSync(path.join(ws, 'a.txt'), 'alpha\n');
  writeFileSync(path.join(ws, 'dir', 'b.txt'), 'beta\n');
  writeFileSync(path.join(ws, 'f'), 'a file, not a folder\n');
  symlinkSync('/etc', path.join(ws, 'link-out'));
  symlinkSync(path.join(ws, 'nowhere'), path.join(ws, 'dangling'));
  symlinkSync('a.txt', path.join(ws, 'link-in'));
  const config = {
    ...DEFAULTS,
    tools: {
      workspace: ws,
      safety: { fetch_url: 'confirm' as const },
      limits: { fetch_timeout_ms: 2_000 },
    },
  } as ParleyConfig;
  const tools = builtinTools(config, {
    env: { TAVILY_API_KEY: 'tvly-fuzz-0123456789' },
    lookup: ((_host: string, _opts: unknown, cb: (e: null, a: string, f: number) => void) =>
      cb(null, '127.0.0.1', 4)) as unknown as net.LookupFunction,
    fetch: async () =>
      new Response(
        JSON.stringify({ answer: 'a', results: [{ title: 't', url: 'https://x.example', content: 'c' }] }),
        {
          headers: { 'content-type': 'application/json' },
        },
      ),
  });
  registry = new ToolRegistry();
  for (const t of tools) registry.register(recording(t));
  console.log(`tool-args fuzz seed ${seed} (replay with PARLEY_HARDEN_SEED=${seed})`);
});
afterAll(() => home.cleanup());

/** The tool, with anything it throws that is not a ToolError recorded as a defect. */
function recording(t: Tool<unknown>): Tool<unknown> {
  return {
    ...t,
    async execute(args, ctx) {
      try {
        return await t.execute(args, ctx);
      } catch (e) {
        if (!(e instanceof ToolError)) untyped.push({ tool: t.name, args, error: String(e) });
        throw e;
      }
    },
  };
}

let calls = 0;
async function callAndCheck(name: unknown, args: unknown): Promise<{ ok: boolean; code?: string }> {
  const id = `c${++calls}`;
  const r = await registry.call(name, id, args, {
    confirm,
    signal: AbortSignal.timeout(10_000),
    confirmTimeoutMs: 1_000,
  });
  if (r.ok) {
    if (typeof r.forModel !== 'string' || typeof r.forUser !== 'string')
      throw new Error(`bad output ${JSON.stringify(r)}`);
    return { ok: true };
  }
  if (r.message.includes(home.home)) {
    throw new Error(`the real path leaked in ${String(name)}'s error: ${r.message.slice(0, 300)}`);
  }
  if (!CODES.includes(r.code) || typeof r.message !== 'string' || r.message.length === 0) {
    throw new Error(
      `untyped result for ${String(name)} ${JSON.stringify(args)?.slice(0, 300)}: ${JSON.stringify(r)}`,
    );
  }
  return { ok: false, code: r.code };
}

const PATHS = [
  'a.txt',
  'dir',
  'dir/b.txt',
  'dir/deep',
  'f',
  'f/x',
  'f/',
  'a.txt/',
  'link-out',
  'link-out/passwd',
  'dangling',
  'dangling/x',
  'link-in',
  '..',
  '../..',
  '/etc/passwd',
  '.',
  '',
  'dir/../a.txt',
  'dir/../../x',
  'new/deep/file.txt',
  'nul\0byte',
  '~',
  '//',
  'C:\\Windows',
  '%2e%2e/x',
];
const pathArb = fc.oneof(
  fc.constantFrom(...PATHS),
  fc
    .array(fc.constantFrom(...PATHS, 'x', '.', '..', ''), { minLength: 1, maxLength: 4 })
    .map((p) => p.join('/')),
  fc.string({ maxLength: 40 }),
  fc.string({ unit: 'binary', maxLength: 20 }),
  fc.string({ minLength: 4090, maxLength: 4200 }),
);
const URLS = [
  'http://example.com/',
  'https://a.b/c?d=e#f',
  'ftp://x/',
  'file:///etc/passwd',
  'http://127.0.0.1:1/',
  'http://[::1]/',
  'http://169.254.169.254/latest',
  'javascript:alert(1)',
  'http://user:pw@host/',
  'http://0x7f.1/',
  'http://8.8.8.8/',
  'http://xn--80ak6aa92e.com/',
  'http://host:99999/',
  'http:///x',
];
const urlArb = fc.oneof(fc.constantFrom(...URLS), fc.webUrl(), fc.string({ maxLength: 60 }));

/** Plausible values for each tool's keys, random values, and junk keys. */
const VALID: Record<string, fc.Arbitrary<Record<string, unknown>>> = {
  read_file: fc.record({ path: pathArb }),
  write_file: fc.record({ path: pathArb, content: fc.string({ maxLength: 200 }) }),
  list_dir: fc.record({ path: pathArb }, { requiredKeys: [] }),
  fetch_url: fc.record({ url: urlArb }),
  web_search: fc.record(
    {
      query: fc.string({ maxLength: 420 }),
      max_results: fc.oneof(fc.integer({ min: -2, max: 12 }), fc.double()),
    },
    { requiredKeys: [] },
  ),
  run_code: fc.record({
    language: fc.oneof(fc.constantFrom('javascript', 'python', 'ruby', ''), fc.string()),
    code: fc.string({ maxLength: 100 }),
  }),
  shell: fc.record({
    command: fc.oneof(fc.constantFrom('ls', 'cat /etc/passwd', ''), fc.string({ maxLength: 100 })),
  }),
};

function argsFor(tool: string): fc.Arbitrary<unknown> {
  const valid = VALID[tool]!;
  const junkKey = fc.constantFrom(
    'path',
    'content',
    'url',
    'query',
    'code',
    'command',
    'language',
    '__proto__',
    'constructor',
    'x',
  );
  return fc.oneof(
    { weight: 4, arbitrary: valid },
    // A plausible object with one key replaced by any JSON value, or an extra key.
    { weight: 2, arbitrary: fc.tuple(valid, junkKey, fc.jsonValue()).map(([v, k, j]) => ({ ...v, [k]: j })) },
    { weight: 1, arbitrary: fc.dictionary(junkKey, fc.jsonValue(), { maxKeys: 4 }) },
    { weight: 1, arbitrary: fc.jsonValue() },
    // What a model sends when it fails to produce JSON: a string, maybe JSON-looking.
    { weight: 1, arbitrary: valid.map((v) => JSON.stringify(v).slice(0, -1)) },
    { weight: 1, arbitrary: fc.constantFrom(undefined, null, [], 0, '', Object.create(null)) },
  );
}

describe('fuzz: tool arguments from a model', () => {
  it('replays the kept cases with their expected codes', async () => {
    const cases = JSON.parse(readFileSync(FIXTURES, 'utf8')) as {
      tool: unknown;
      args: unknown;
      expect: string;
      why: string;
    }[];
    expect(cases.length).toBeGreaterThan(0);
    for (const c of cases) {
      const r = await callAndCheck(c.tool, c.args);
      expect(r.ok ? 'ok' : r.code, `${JSON.stringify(c.tool)} ${JSON.stringify(c.args)}: ${c.why}`).toBe(
        c.expect,
      );
    }
    expect(untyped).toEqual([]);
  });

  it(`${PER_TOOL} random and mutated argument sets for each of the ${BUILTIN_TOOL_NAMES.length} built-in tools: a typed result every time`, async () => {
    const counts: Record<string, Record<string, number>> = {};
    for (const tool of BUILTIN_TOOL_NAMES) {
      const seen: Record<string, number> = {};
      await fc.assert(
        fc.asyncProperty(argsFor(tool), async (args) => {
          const r = await callAndCheck(tool, args);
          const k = r.ok ? 'ok' : r.code!;
          seen[k] = (seen[k] ?? 0) + 1;
        }),
        { numRuns: PER_TOOL, seed },
      );
      counts[tool] = seen;
    }
    // And calls to tools that do not exist, with names a model might invent.
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(fc.string({ maxLength: 70 }), fc.jsonValue()),
        fc.jsonValue(),
        async (name, args) => {
          const r = await callAndCheck(name, args);
          expect(r.ok || r.code === 'unknown_tool' || BUILTIN_TOOL_NAMES.includes(name as never)).toBe(true);
        },
      ),
      { numRuns: Math.ceil(PER_TOOL / 10), seed },
    );
    const total = BUILTIN_TOOL_NAMES.length * PER_TOOL + Math.ceil(PER_TOOL / 10);
    for (const [tool, seen] of Object.entries(counts))
      console.log(`fuzz tool ${tool}: ${PER_TOOL} inputs ${JSON.stringify(seen)}`);
    console.log(`fuzz tool arguments: ${total} inputs in all, ${untyped.length} untyped failures, 0 crashes`);
    expect(
      untyped,
      JSON.stringify(
        [...new Map(untyped.map((u) => [u.error.replace(/'[^']*'/g, 'P'), u])).values()],
        null,
        1,
      ),
    ).toEqual([]);
    for (const tool of BUILTIN_TOOL_NAMES) expect(counts[tool]?.invalid_args ?? 0, tool).toBeGreaterThan(0);
  }, 900_000);
});
