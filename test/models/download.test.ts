import { mkdtemp, readFile, readdir, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DownloadError, ModelNotFoundError, UsageError } from '../../packages/core/src/errors.js';
import { parseModelRef, pullModel, type PullProgress } from '../../packages/core/src/models/download.js';
import { sha256, startFileServer, type FileServer } from '../helpers/file-server.js';
import { STORIES, TINY_RANDOM } from '../helpers/models.js';

const SOURCE = await readFile(STORIES);
const OTHER = await readFile(TINY_RANDOM);
const SHA = '270cba1bd5109f42d03350f60406024560464db173c0e387d91f0426d3bd256d';

let dir: string;
let modelsDir: string;
let server: FileServer;

beforeEach(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'parley-pull-'));
  modelsDir = path.join(dir, 'models');
  server = await startFileServer({
    files: {
      'stories.gguf': SOURCE,
      'page.gguf': Buffer.from('<!doctype html><html><body>Sign in</body></html>'),
      'short.gguf': Buffer.from('GG'),
    },
    repos: {
      'acme/stories-GGUF': {
        'README.md': Buffer.from('# stories'),
        'stories-Q4_K_M.gguf': SOURCE,
        'stories-Q4_K_S.gguf': SOURCE,
        'sub/stories-Q8_0.gguf': OTHER,
      },
      'acme/tokens-GGUF': { 'x-Q4_K.gguf': SOURCE, 'x-Q4_K_M.gguf': OTHER },
      'acme/empty': { 'README.md': Buffer.from('nothing') },
    },
  });
});

afterEach(async () => {
  await server.close();
  await rm(dir, { recursive: true, force: true });
});

describe('parseModelRef', () => {
  it('parses hf quant refs, hf file refs and URLs', () => {
    expect(parseModelRef('hf:Qwen/Qwen2.5-1.5B-Instruct-GGUF:Q4_K_M')).toEqual({
      kind: 'hf',
      org: 'Qwen',
      repo: 'Qwen2.5-1.5B-Instruct-GGUF',
      quant: 'Q4_K_M',
      file: undefined,
    });
    expect(parseModelRef('hf:acme/repo/sub/m-Q8_0.gguf')).toMatchObject({
      kind: 'hf',
      file: 'sub/m-Q8_0.gguf',
    });
    expect(parseModelRef('https://example.com/a/my%20model.gguf?download=1')).toEqual({
      kind: 'url',
      url: 'https://example.com/a/my%20model.gguf?download=1',
      file: 'my model.gguf',
    });
  });

  it.each([
    'hf:acme',
    'hf:acme/repo/notes.txt',
    'hf:acme/../x.gguf',
    'ftp://x/y.gguf',
    'https://x/y.bin',
    'model.gguf',
  ])('rejects %s with a UsageError', (ref) => {
    expect(() => parseModelRef(ref)).toThrow(UsageError);
  });
});

describe('pullModel', () => {
  it('downloads a URL into modelsDir, byte for byte, with progress', async () => {
    const progress: PullProgress[] = [];
    const r = await pullModel(`${server.url}/files/stories.gguf`, {
      modelsDir,
      onProgress: (p) => progress.push(p),
    });
    expect(r).toMatchObject({ file: 'stories.gguf', bytes: SOURCE.length, sha256: SHA, resumed: false });
    expect(r.verified).toBe('none');
    expect(r.path).toBe(path.join(modelsDir, 'stories.gguf'));
    const written = await readFile(r.path);
    expect(written.equals(SOURCE)).toBe(true);
    expect(sha256(written)).toBe(SHA);
    expect(await readdir(modelsDir)).toEqual(['stories.gguf']); // no .part left
    expect(progress[0]).toEqual({
      file: 'stories.gguf',
      receivedBytes: 0,
      totalBytes: SOURCE.length,
      resumedFrom: 0,
    });
    expect(progress.at(-1)?.receivedBytes).toBe(SOURCE.length);
    expect(server.requests).toEqual([{ method: 'GET', path: '/files/stories.gguf', range: undefined }]);
  });

  it("verifies against a server's 64-hex etag", async () => {
    server.behaviour.fileEtag = `"${SHA}"`;
    const r = await pullModel(`${server.url}/files/stories.gguf`, { modelsDir });
    expect(r.verified).toBe('server');
  });

  it('resolves hf:org/repo:QUANT through the API (case-insensitive) and checks x-linked-etag', async () => {
    const r = await pullModel('hf:acme/stories-GGUF:q4_k_m', { modelsDir, hfEndpoint: `${server.url}/` });
    expect(r).toMatchObject({ file: 'stories-Q4_K_M.gguf', sha256: SHA, verified: 'server' });
    expect((await readFile(r.path)).equals(SOURCE)).toBe(true);
    expect(server.requests.map((q) => q.path)).toEqual([
      '/api/models/acme/stories-GGUF',
      '/acme/stories-GGUF/resolve/main/stories-Q4_K_M.gguf',
      '/cdn/acme/stories-GGUF/stories-Q4_K_M.gguf',
    ]);
  });

  it('picks a quant in a subfolder and names the local file after its base name', async () => {
    const r = await pullModel('hf:acme/stories-GGUF:Q8_0', { modelsDir, hfEndpoint: server.url });
    expect(r.file).toBe('stories-Q8_0.gguf');
    expect(r.sha256).toBe(sha256(OTHER));
    expect((await readFile(path.join(modelsDir, 'stories-Q8_0.gguf'))).equals(OTHER)).toBe(true);
  });

  it('prefers the quant that matches a whole name part', async () => {
    const r = await pullModel('hf:acme/tokens-GGUF:Q4_K', { modelsDir, hfEndpoint: server.url });
    expect(r.file).toBe('x-Q4_K.gguf');
  });

  it('downloads hf:org/repo/file.gguf without asking the API', async () => {
    const r = await pullModel('hf:acme/stories-GGUF/sub/stories-Q8_0.gguf', {
      modelsDir,
      hfEndpoint: server.url,
    });
    expect(r).toMatchObject({ file: 'stories-Q8_0.gguf', verified: 'server' });
    expect(server.requests.some((q) => q.path.startsWith('/api/'))).toBe(false);
  });

  it('lists the available quants when none matches', async () => {
    const err = await pullModel('hf:acme/stories-GGUF:Q5_K_M', { modelsDir, hfEndpoint: server.url }).catch(
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(ModelNotFoundError);
    expect((err as Error).message).toContain('Q5_K_M');
    expect((err as Error).message).toMatch(/available quants: Q4_K_M, Q4_K_S, Q8_0/);
  });

  it('names the candidates when a quant is ambiguous, or when none is given', async () => {
    await expect(
      pullModel('hf:acme/stories-GGUF:Q4_K', { modelsDir, hfEndpoint: server.url }),
    ).rejects.toThrow(/ambiguous.*stories-Q4_K_M\.gguf, stories-Q4_K_S\.gguf/);
    await expect(pullModel('hf:acme/stories-GGUF', { modelsDir, hfEndpoint: server.url })).rejects.toThrow(
      /several \.gguf files.*hf:acme\/stories-GGUF:QUANT/,
    );
    await expect(pullModel('hf:acme/empty:Q4_K_M', { modelsDir, hfEndpoint: server.url })).rejects.toThrow(
      /has no single-file \.gguf model/,
    );
  });

  it('turns a 404 into a DownloadError naming the URL without its query string', async () => {
    const err = await pullModel(`${server.url}/files/missing.gguf?token=hunter2hunter2`, { modelsDir }).catch(
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(DownloadError);
    expect((err as DownloadError).code).toBe('download');
    expect((err as Error).message).toContain(`${server.url}/files/missing.gguf`);
    expect((err as Error).message).toContain('HTTP 404');
    expect((err as Error).message).not.toContain('hunter2');
    await expect(pullModel('hf:acme/nope:Q4_K_M', { modelsDir, hfEndpoint: server.url })).rejects.toThrow(
      `GET ${server.url}/api/models/acme/nope failed: HTTP 404`,
    );
  });

  it('refuses a body that is not GGUF and leaves nothing behind', async () => {
    for (const name of ['page.gguf', 'short.gguf']) {
      const err = await pullModel(`${server.url}/files/${name}`, { modelsDir }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(DownloadError);
      expect((err as Error).message).toMatch(/did not return a GGUF model file/);
    }
    expect(await readdir(modelsDir)).toEqual([]);
  });

  it('deletes the download and throws a checksum error on a wrong expected sha256', async () => {
    const wrong = 'ab'.repeat(32);
    const err = await pullModel(`${server.url}/files/stories.gguf`, { modelsDir, sha256: wrong }).catch(
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(DownloadError);
    expect((err as DownloadError).code).toBe('checksum');
    expect((err as Error).message).toContain(wrong);
    expect((err as Error).message).toContain(SHA);
    expect(await readdir(modelsDir)).toEqual([]);
  });

  it('throws a checksum error when the bytes do not match the server hash', async () => {
    server.behaviour.linkedEtag = '0'.repeat(64);
    const err = await pullModel('hf:acme/stories-GGUF:Q4_K_M', { modelsDir, hfEndpoint: server.url }).catch(
      (e: unknown) => e,
    );
    expect((err as DownloadError).code).toBe('checksum');
    expect((err as Error).message).toMatch(/expected sha256 0{64} \(from the server\), got 270cba1b/);
    expect(await readdir(modelsDir)).toEqual([]);
  });

  it('accepts an uppercase expected sha256 and rejects a malformed one', async () => {
    const r = await pullModel(`${server.url}/files/stories.gguf`, { modelsDir, sha256: SHA.toUpperCase() });
    expect(r.verified).toBe('expected');
    await expect(pullModel(`${server.url}/files/stories.gguf`, { modelsDir, sha256: 'abc' })).rejects.toThrow(
      UsageError,
    );
  });

  it('reports an unreachable server as a retryable DownloadError', async () => {
    const gone = await startFileServer();
    await gone.close();
    const err = await pullModel(`${gone.url}/files/stories.gguf`, { modelsDir }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DownloadError);
    expect((err as DownloadError).retryable).toBe(true);
    expect((err as Error).message).toContain(`cannot reach ${gone.url}/files/stories.gguf`);
  });
});
