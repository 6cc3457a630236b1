import { mkdir, mkdtemp, readFile, readdir, rm, stat, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { pullModel, type PullProgress } from '../../packages/core/src/models/download.js';
import { startFileServer, type FileServer } from '../helpers/file-server.js';

// Reached as a path relative to this file: ../shared/models sits beside the repository.
const SOURCE = await readFile(new URL('../../../shared/models/stories260K.gguf', import.meta.url));
const SHA = '270cba1bd5109f42d03350f60406024560464db173c0e387d91f0426d3bd256d';

let dir: string;
let modelsDir: string;
let server: FileServer;
let fileUrl: string;
const part = (): string => path.join(modelsDir, 'stories.gguf.part');
const final = (): string => path.join(modelsDir, 'stories.gguf');

beforeEach(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'parley-resume-'));
  modelsDir = path.join(dir, 'models');
  await mkdir(modelsDir);
  server = await startFileServer({
    files: { 'stories.gguf': SOURCE },
    repos: { 'acme/stories-GGUF': { 'stories-Q4_K_M.gguf': SOURCE } },
  });
  fileUrl = `${server.url}/files/stories.gguf`;
});

afterEach(async () => {
  await server.close();
  await rm(dir, { recursive: true, force: true });
});

describe('pullModel resume', () => {
  it('resumes a .part with a Range request and verifies the whole file', async () => {
    const n = 400_000;
    await writeFile(part(), SOURCE.subarray(0, n));
    const progress: PullProgress[] = [];
    const r = await pullModel(fileUrl, { modelsDir, sha256: SHA, onProgress: (p) => progress.push(p) });
    expect(server.requests).toEqual([{ method: 'GET', path: '/files/stories.gguf', range: `bytes=${n}-` }]);
    expect(r).toMatchObject({ bytes: SOURCE.length, sha256: SHA, resumed: true, verified: 'expected' });
    expect((await readFile(final())).equals(SOURCE)).toBe(true);
    expect(await readdir(modelsDir)).toEqual(['stories.gguf']);
    expect(progress[0]).toEqual({
      file: 'stories.gguf',
      receivedBytes: n,
      totalBytes: SOURCE.length,
      resumedFrom: n,
    });
    expect(progress.at(-1)?.receivedBytes).toBe(SOURCE.length);
  });

  it('keeps the Range header across the Hub redirect', async () => {
    await writeFile(path.join(modelsDir, 'stories-Q4_K_M.gguf.part'), SOURCE.subarray(0, 1000));
    const r = await pullModel('hf:acme/stories-GGUF:Q4_K_M', { modelsDir, hfEndpoint: server.url });
    expect(r).toMatchObject({ resumed: true, verified: 'server', sha256: SHA });
    const cdn = server.requests.find((q) => q.path.startsWith('/cdn/'));
    expect(cdn?.range).toBe('bytes=1000-');
  });

  it('starts over when the server ignores Range (200 instead of 206)', async () => {
    server.behaviour.ignoreRange = true;
    // Junk after the magic: appending to it would give a wrong file.
    await writeFile(part(), Buffer.concat([Buffer.from('GGUF'), Buffer.alloc(5000, 7)]));
    const r = await pullModel(fileUrl, { modelsDir });
    expect(server.requests[0]?.range).toBe('bytes=5004-');
    expect(r).toMatchObject({ bytes: SOURCE.length, sha256: SHA, resumed: false });
    expect((await readFile(final())).equals(SOURCE)).toBe(true);
  });

  it('does not resume a .part that is not GGUF', async () => {
    await writeFile(part(), Buffer.from('<html>oops</html>'));
    const r = await pullModel(fileUrl, { modelsDir });
    expect(server.requests[0]?.range).toBeUndefined();
    expect(r).toMatchObject({ sha256: SHA, resumed: false });
  });

  it('finishes a complete .part when the server answers 416', async () => {
    await writeFile(part(), SOURCE);
    const r = await pullModel(fileUrl, { modelsDir, sha256: SHA });
    expect(server.requests).toHaveLength(1);
    expect(r).toMatchObject({ bytes: SOURCE.length, resumed: true, verified: 'expected' });
    expect(await readdir(modelsDir)).toEqual(['stories.gguf']);
  });

  it('starts over when a .part is longer than the file', async () => {
    await writeFile(part(), Buffer.concat([SOURCE, Buffer.alloc(10, 1)]));
    const r = await pullModel(fileUrl, { modelsDir });
    expect(server.requests.map((q) => q.range)).toEqual([`bytes=${SOURCE.length + 10}-`, undefined]);
    expect(r).toMatchObject({ sha256: SHA, resumed: false });
  });

  it('keeps the .part when aborted mid-download, and a later pull resumes it', async () => {
    const cut = 300_000;
    server.behaviour.stallAfter = cut;
    const controller = new AbortController();
    const err = await pullModel(fileUrl, {
      modelsDir,
      signal: controller.signal,
      onProgress: (p) => {
        if (p.receivedBytes >= cut) controller.abort();
      },
    }).catch((e: unknown) => e);
    expect((err as Error).name).toBe('AbortError');
    expect((await stat(part())).size).toBe(cut);
    await expect(stat(final())).rejects.toThrow();

    server.behaviour.stallAfter = undefined;
    server.requests.length = 0;
    const r = await pullModel(fileUrl, { modelsDir });
    expect(server.requests[0]?.range).toBe(`bytes=${cut}-`);
    expect(r).toMatchObject({ bytes: SOURCE.length, sha256: SHA, resumed: true });
    expect((await readFile(final())).equals(SOURCE)).toBe(true);
  });

  it('does nothing when the signal is already aborted', async () => {
    const controller = new AbortController();
    controller.abort();
    await expect(pullModel(fileUrl, { modelsDir, signal: controller.signal })).rejects.toThrow();
    expect(server.requests).toEqual([]);
    expect(await readdir(modelsDir)).toEqual([]);
  });
});

describe('pullModel when the file is already there', () => {
  it('returns at once, checking the expected sha256 when given', async () => {
    await pullModel(fileUrl, { modelsDir });
    server.requests.length = 0;
    const again = await pullModel(fileUrl, { modelsDir, sha256: SHA });
    expect(again).toMatchObject({
      path: final(),
      bytes: SOURCE.length,
      sha256: SHA,
      resumed: false,
      verified: 'expected',
    });
    const unchecked = await pullModel(fileUrl, { modelsDir });
    expect(unchecked).toMatchObject({ sha256: SHA, verified: 'none' });
    expect(server.requests).toEqual([]);
  });

  it('only resolves the quant for an hf ref that is already downloaded', async () => {
    await pullModel('hf:acme/stories-GGUF:Q4_K_M', { modelsDir, hfEndpoint: server.url });
    server.requests.length = 0;
    const again = await pullModel('hf:acme/stories-GGUF:Q4_K_M', { modelsDir, hfEndpoint: server.url });
    expect(again.sha256).toBe(SHA);
    expect(server.requests.map((q) => q.path)).toEqual(['/api/models/acme/stories-GGUF']);
  });

  it('downloads again and replaces a file whose sha256 does not match', async () => {
    await writeFile(final(), Buffer.from('GGUF but stale'));
    const r = await pullModel(fileUrl, { modelsDir, sha256: SHA });
    expect(server.requests).toHaveLength(1);
    expect(r).toMatchObject({ sha256: SHA, verified: 'expected' });
    expect((await readFile(final())).equals(SOURCE)).toBe(true);
  });
});
