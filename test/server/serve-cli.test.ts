import { spawn, type ChildProcess } from 'node:child_process';
import http from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cleanEnv, PARLEY_BIN, runParley, tempHome } from '../helpers/cli.js';
import { STORIES } from '../helpers/models.js';

// `parley serve` as a user runs it: the built bin in a child process, the real local engine.
let home: string;
let cleanup: () => void;
beforeAll(() => ({ home, cleanup } = tempHome()));
afterAll(() => cleanup());

const env = () => ({ PARLEY_HOME: home, PARLEY_GPU: 'false' });

interface Serving {
  child: ChildProcess;
  url: string;
  stderr: () => string;
  exit: Promise<number | null>;
}

async function serve(args: string[] = []): Promise<Serving> {
  const child = spawn(
    process.execPath,
    [PARLEY_BIN, 'serve', '--port', '0', '-m', STORIES, '--threads', '1', ...args],
    {
      env: cleanEnv(env()),
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let stderr = '';
  const exit = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  const url = await new Promise<string>((resolve, reject) => {
    child.stderr!.setEncoding('utf8').on('data', (d: string) => {
      stderr += d;
      const m = /listening on (http:\/\/\S+)/.exec(stderr);
      if (m?.[1]) resolve(m[1]);
    });
    void exit.then((code) => reject(new Error(`parley serve exited with ${code}: ${stderr}`)));
  });
  return { child, url, stderr: () => stderr, exit };
}

describe('parley serve', () => {
  it('starts, answers /healthz and the API, and exits cleanly on SIGTERM, interrupting a running stream', async () => {
    const s = await serve();
    try {
      expect(s.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
      expect(s.stderr()).toContain('no token: loopback only');
      const health = await fetch(`${s.url}/healthz`);
      expect(await health.json()).toEqual({ status: 'ok' });
      const models = (await (await fetch(`${s.url}/v1/models`)).json()) as { data: { id: string }[] };
      expect(models.data.map((m) => m.id)).toContain('local:stories260K');

      // A long stream is running when SIGTERM arrives: it ends with an `interrupted` error event.
      const body = await new Promise<string>((resolve, reject) => {
        const req = http.request(`${s.url}/v1/chat/completions`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
        });
        req.on('response', (res) => {
          let text = '';
          res.setEncoding('utf8');
          res.on('data', (d: string) => {
            if (text === '') s.child.kill('SIGTERM');
            text += d;
          });
          res.on('end', () => resolve(text));
        });
        req.on('error', reject);
        req.end(
          JSON.stringify({
            model: 'local:stories260K',
            messages: [{ role: 'user', content: 'Once upon a time' }],
            max_tokens: 100_000,
            stream: true,
          }),
        );
      });
      expect(body).toContain('"object":"chat.completion.chunk"');
      expect(body).toMatch(/"code":"interrupted"/);
      expect(body).toMatch(/shutting down \(SIGTERM\)/);
      expect(await s.exit).toBe(0);
      expect(s.stderr()).toContain('SIGTERM: interrupting running turns');
      expect(s.stderr()).toContain('parley serve: stopped');
    } finally {
      s.child.kill('SIGKILL');
    }
  });

  it('with --token, requires it', async () => {
    const s = await serve(['--token', 'serve-token-123']);
    try {
      expect(s.stderr()).toContain('token required');
      expect((await fetch(`${s.url}/healthz`)).status).toBe(401);
      const ok = await fetch(`${s.url}/healthz`, { headers: { authorization: 'Bearer serve-token-123' } });
      expect(ok.status).toBe(200);
      s.child.kill('SIGINT');
      expect(await s.exit).toBe(0);
    } finally {
      s.child.kill('SIGKILL');
    }
  });

  it('refuses a non-loopback host without a token, saying why (exit 2)', async () => {
    const r = await runParley(['serve', '--host', '0.0.0.0', '--port', '0'], { env: env() });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/refusing to listen on 0\.0\.0\.0 without a token/);
    expect(r.stderr).toMatch(/--token/);
  });

  it('checks its flags', async () => {
    const port = await runParley(['serve', '--port', '99999'], { env: env() });
    expect(port.code).toBe(2);
    expect(port.stderr).toMatch(/--port must be 0-65535/);
    const elsewhere = await runParley(['--port', '80', 'hello'], { env: env() });
    expect(elsewhere.code).toBe(2);
    expect(elsewhere.stderr).toMatch(/go with parley serve/);
    const help = await runParley(['--help'], { env: env() });
    expect(help.stdout).toMatch(/parley serve \[--host H\] \[--port N\] \[--token T\]/);
  });
});
