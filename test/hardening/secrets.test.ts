/**
 * Secrets never leak. Fake keys are set in every way parley reads them (environment, config
 * file, flags), a hostile provider echoes the key it was sent back in its error body, and then
 * everything parley can emit is searched for them: stdout and stderr of the CLI (answers,
 * errors, `--json`, `config show`, history exports), the server's request log, `/metrics`,
 * `/api/conversations`, the browser page and its files, WebSocket payloads, and every file
 * under PARLEY_HOME (the database with its WAL, snapshots, logs). Zero matches.
 *
 * The wire server stands in for the provider, which no test can reach.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { cleanEnv, PARLEY_BIN, runParley, tempHome } from '../helpers/cli.js';
import { sseReply, startWireServer, type RecordedRequest, type WireServer } from '../helpers/wire-server.js';

const SECRETS = {
  OPENAI_API_KEY: 'sk-hardening-openai-6c1f0e9a2b7d4c3e',
  ANTHROPIC_API_KEY: 'sk-ant-hardening-anthropic-9a8b7c6d',
  GROQ_API_KEY: 'gsk_hardeningGroq1234567890',
  flag: 'flag-key-hardening-5e4d3c2b1a',
  configKey: 'config-key-hardening-0f1e2d3c',
  token: 'server-token-hardening-77aa88bb',
};
const VALUES = Object.values(SECRETS);

const chunk = (text: string): string =>
  `data: ${JSON.stringify({ id: 'c', object: 'chat.completion.chunk', created: 1, model: 'm', choices: [{ index: 0, delta: { content: text }, finish_reason: null }] })}\n\n`;
const finish = `data: ${JSON.stringify({ id: 'c', object: 'chat.completion.chunk', created: 1, model: 'm', choices: [{ index: 0, delta: {}, finish_reason: 'stop' }] })}\n\ndata: [DONE]\n\n`;

let wire: WireServer;
let home: string;
let cleanup: () => void;
/** Everything parley emitted, labelled by where it came from. */
const emitted: { where: string; text: string }[] = [];
const keep = (where: string, text: string): void => void emitted.push({ where, text });

/** A provider that echoes the credentials it was sent in a 401 body (hostile, but it happens). */
function echoAuth(req: RecordedRequest): object {
  const auth = String(req.headers.authorization ?? '') + String(req.headers['x-api-key'] ?? '');
  return { error: { message: `Incorrect API key provided: ${auth}`, type: 'invalid_request_error' } };
}

beforeAll(async () => {
  wire = await startWireServer();
  ({ home, cleanup } = tempHome());
  const configDir = path.join(home, 'config');
  mkdirSync(configDir, { recursive: true });
  writeFileSync(
    path.join(configDir, 'config.toml'),
    [
      `base_url = "${wire.url}/v1"`,
      `api_key = "${SECRETS.configKey}"`,
      '[sessions]',
      'snapshot_interval_ms = 100',
      '[providers.openai]',
      `api_key = "${SECRETS.configKey}"`,
      `base_url = "${wire.url}/v1"`,
      '',
    ].join('\n'),
  );
});
afterAll(async () => {
  await wire.close();
  cleanup();
});

const env = (): Record<string, string> => ({
  PARLEY_HOME: home,
  OPENAI_API_KEY: SECRETS.OPENAI_API_KEY,
  ANTHROPIC_API_KEY: SECRETS.ANTHROPIC_API_KEY,
  GROQ_API_KEY: SECRETS.GROQ_API_KEY,
  PARLEY_SERVER_TOKEN: SECRETS.token,
});

async function cli(where: string, args: string[]): Promise<number | null> {
  const r = await runParley(args, { env: env() });
  keep(`${where} (stdout)`, r.stdout);
  keep(`${where} (stderr)`, r.stderr);
  return r.code;
}

/** Every file under a folder, as latin1 text (binary files included: a key is ASCII). */
function filesUnder(dir: string): { file: string; text: string }[] {
  const out: { file: string; text: string }[] = [];
  for (const name of readdirSync(dir)) {
    const p = path.join(dir, name);
    if (statSync(p).isDirectory()) out.push(...filesUnder(p));
    else if (!p.endsWith('config.toml')) out.push({ file: p, text: readFileSync(p).toString('latin1') });
  }
  return out;
}

describe('no secret leaves parley', () => {
  it('the CLI: config show, answers, a provider echoing the key, --json, history and exports', async () => {
    expect(await cli('config show', ['config', 'show'])).toBe(0);
    expect(await cli('config show --json', ['config', 'show', '--json'])).toBe(0);

    wire.reply(sseReply([chunk('A fine '), chunk('answer.'), finish]));
    expect(await cli('one-shot', ['-m', 'openai:gpt-4o-mini', '--temperature', '0', 'hello there'])).toBe(0);

    for (const [where, args] of [
      ['401 echo, env key', ['-m', 'openai:gpt-4o-mini', 'who am i']],
      ['401 echo, --api-key', ['-m', 'openai:gpt-4o-mini', '--api-key', SECRETS.flag, 'who am i']],
      ['401 echo, --json', ['-m', 'openai:gpt-4o-mini', '--json', '--no-cache', 'who am i']],
      ['401 echo, --verbose', ['-m', 'openai-compatible:any', '--verbose', '--no-cache', 'who am i']],
    ] as const) {
      wire.reset();
      wire.reply((req) => ({ status: 401, body: echoAuth(req) }));
      expect(await cli(where, [...args])).toBe(3);
      // The key really was sent and echoed, so a clean output means it was redacted.
      expect(JSON.stringify(wire.requests[0]?.headers)).toMatch(/hardening/);
    }

    const list = await runParley(['history', 'list', '--json'], { env: env() });
    keep('history list', list.stdout + list.stderr);
    const ids = (JSON.parse(list.stdout) as { id: string }[]).map((c) => c.id);
    expect(ids.length).toBeGreaterThan(0);
    // The first conversation holds the good answer; the last, an error reply.
    for (const id of [ids[0], ids.at(-1)].filter((x) => x !== undefined)) {
      await cli(`history export ${id}`, ['history', 'export', id]);
      await cli(`history export ${id} md`, ['history', 'export', id, '--format', 'md']);
      await cli(`history show ${id}`, ['history', 'show', id]);
    }
  }, 240_000);

  it('the server: request log, /metrics, the API, the browser page and the WebSocket', async () => {
    const child: ChildProcess = spawn(
      process.execPath,
      [PARLEY_BIN, 'serve', '--port', '0', '--verbose', '-m', 'canned:echo'],
      { env: cleanEnv(env()), stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let out = '';
    child.stdout?.setEncoding('utf8').on('data', (d: string) => (out += d));
    child.stderr?.setEncoding('utf8').on('data', (d: string) => (out += d));
    try {
      const url = await new Promise<string>((resolve, reject) => {
        const timer = setInterval(() => {
          const m = /listening on (http:\/\/\S+)/.exec(out);
          if (m?.[1]) {
            clearInterval(timer);
            resolve(m[1]);
          }
        }, 20);
        child.once('exit', (code) => {
          clearInterval(timer);
          reject(new Error(`serve exited ${code}: ${out}`));
        });
      });
      const auth = { authorization: `Bearer ${SECRETS.token}` };
      const get = async (p: string, headers: Record<string, string> = auth): Promise<void> => {
        const r = await fetch(`${url}${p}`, { headers });
        keep(
          `GET ${p} (${r.status})`,
          JSON.stringify(Object.fromEntries(r.headers as unknown as Iterable<[string, string]>)) +
            (await r.text()),
        );
      };
      // The page, opened the way the docs say (?token=), and its files.
      await get(`/?token=${SECRETS.token}`, {});
      for (const f of readdirSync(path.join(path.dirname(PARLEY_BIN), '../../server/web')))
        await get(`/${f}`);
      await get('/v1/models');
      await get('/api/conversations');
      await get('/metrics');
      await get('/v1/models', { authorization: 'Bearer wrong-token-123' });

      // A provider that echoes the key, through the OpenAI-compatible API.
      wire.reset();
      wire.reply((req) => ({ status: 401, body: echoAuth(req) }));
      const r = await fetch(`${url}/v1/chat/completions`, {
        method: 'POST',
        headers: { ...auth, 'content-type': 'application/json' },
        body: JSON.stringify({ model: 'openai:gpt-4o-mini', messages: [{ role: 'user', content: 'leak?' }] }),
      });
      keep(`POST /v1/chat/completions (${r.status})`, await r.text());

      // The WebSocket: hello, a turn on the echoing provider, a canned turn.
      const ws = new WebSocket(`${url.replace(/^http/, 'ws')}/ws?token=${SECRETS.token}`);
      const frames: string[] = [];
      await new Promise<void>((resolve, reject) => {
        ws.once('open', () => resolve());
        ws.once('error', reject);
      });
      const done = (n: number) =>
        new Promise<void>((resolve) => {
          const check = (): void => {
            if (frames.filter((f) => /"type":"(done|error|interrupted)"/.test(f)).length >= n) resolve();
          };
          ws.on('message', (d) => {
            frames.push(String(d));
            check();
          });
        });
      const twoTurns = done(2);
      ws.send(JSON.stringify({ type: 'hello' }));
      wire.reply((req) => ({ status: 401, body: echoAuth(req) }));
      ws.send(JSON.stringify({ type: 'text', id: 'w1', text: 'leak?', model: 'openai:gpt-4o-mini' }));
      ws.send(JSON.stringify({ type: 'text', id: 'w2', text: 'fine', model: 'canned:echo' }));
      await twoTurns;
      ws.close();
      keep('WebSocket frames', frames.join('\n'));
      expect(frames.some((f) => f.includes('"type":"error"'))).toBe(true);
    } finally {
      child.kill('SIGTERM');
      await new Promise((r) => child.once('exit', r));
      keep('serve output', out);
    }
  }, 120_000);

  it('finds none of the keys anywhere parley wrote or printed', () => {
    for (const { file, text } of filesUnder(home)) keep(`file ${path.relative(home, file)}`, text);
    expect(emitted.length).toBeGreaterThan(20);
    const leaks = emitted.flatMap(({ where, text }) =>
      VALUES.filter((v) => text.includes(v)).map((v) => `${where}: ${v.slice(0, 12)}…`),
    );
    expect(leaks).toEqual([]);
  });
});
