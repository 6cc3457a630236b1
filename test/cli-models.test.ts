import { readFileSync, mkdirSync, writeFileSync, existsSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runParley, tempHome } from './helpers/cli.js';
import { sha256, startFileServer, type FileServer } from './helpers/file-server.js';
import { STORIES } from './helpers/models.js';

// Model downloads through the CLI, against a real local HTTP server that serves the shared
// test model the way Hugging Face serves files (no network beyond 127.0.0.1).
const bytes = readFileSync(STORIES);
let server: FileServer;
const scratch = tempHome();
afterAll(() => scratch.cleanup());
beforeAll(async () => {
  server = await startFileServer({
    files: { 'stories260K.gguf': bytes },
    repos: { 'parley-test/tiny-GGUF': { 'tiny-Q8_0.gguf': bytes, 'tiny-Q4_K_M.gguf': bytes } },
  });
});
afterAll(() => server.close());

describe('parley models', () => {
  it('pulls a URL with a progress line, then lists it', async () => {
    const h = tempHome();
    try {
      const env = { PARLEY_HOME: h.home };
      const r = await runParley(
        ['models', 'pull', `${server.url}/files/stories260K.gguf`, '--sha256', sha256(bytes)],
        { env },
      );
      expect(r.code).toBe(0);
      const file = r.stdout.trim();
      expect(file).toBe(path.join(h.home, 'data', 'models', 'stories260K.gguf'));
      expect(sha256(readFileSync(file))).toBe(sha256(bytes));
      expect(r.stderr).toContain('stories260K.gguf');
      expect(r.stderr).toContain('verified');
      const list = await runParley(['models', 'list'], { env });
      expect(list.code).toBe(0);
      expect(list.stdout).toMatch(/^stories260K\t1\.1 MB\t/);
      const bad = await runParley(
        ['models', 'pull', `${server.url}/files/stories260K.gguf`, '--sha256', '0'.repeat(64)],
        {
          env: { PARLEY_HOME: path.join(scratch.home, 'bad-sha') },
        },
      );
      expect(bad.code).toBe(1);
      expect(bad.stderr).toContain('sha256');
    } finally {
      h.cleanup();
    }
  });

  it('refuses a bad ref with a usage error', async () => {
    const r = await runParley(['models', 'pull', 'ftp://nope'], { env: { PARLEY_HOME: scratch.home } });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('hf:org/repo');
  });

  it('downloads the default model on first use, then answers offline', async () => {
    const h = tempHome();
    try {
      mkdirSync(path.join(h.home, 'config'), { recursive: true });
      writeFileSync(
        path.join(h.home, 'config', 'config.toml'),
        '[local]\ndefault_model = "hf:parley-test/tiny-GGUF:Q8_0"\n',
      );
      const env = { PARLEY_HOME: h.home, HF_ENDPOINT: server.url, PARLEY_GPU: 'false' };
      const args = ['--threads', '1', '--max-tokens', '10', 'Once upon a time'];
      const first = await runParley(args, { env });
      expect(first.stderr).toContain('tiny-Q8_0.gguf');
      expect(first.code).toBe(0);
      expect(first.stdout.trim().length).toBeGreaterThan(3);
      expect(existsSync(path.join(h.home, 'data', 'models', 'tiny-Q8_0.gguf'))).toBe(true);
      // The second run finds the file without asking the server anything.
      const second = await runParley(args, { env: { ...env, HF_ENDPOINT: 'http://127.0.0.1:9' } });
      expect(second.code).toBe(0);
      expect(second.stdout).toBe(first.stdout);
    } finally {
      h.cleanup();
    }
  });

  it('offline with no model, says exactly how to get one', async () => {
    const h = tempHome();
    try {
      const r = await runParley(['hello'], {
        env: { PARLEY_HOME: h.home, HF_ENDPOINT: 'http://127.0.0.1:9' },
      });
      expect(r.code).toBe(1);
      expect(r.stderr).toContain('parley models pull');
      expect(r.stderr).toContain('--model');
      expect(r.stderr).toContain('PARLEY_MODEL');
    } finally {
      h.cleanup();
    }
  });
});
