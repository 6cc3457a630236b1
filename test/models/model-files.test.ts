import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { listModels, resolveModelFile } from '../../packages/core/src/models/model-files.js';

let dir: string;
let modelsDir: string;

beforeEach(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'parley-models-'));
  modelsDir = path.join(dir, 'models');
  await mkdir(modelsDir);
  await writeFile(path.join(modelsDir, 'zeta-Q8_0.gguf'), Buffer.alloc(30, 1));
  await writeFile(path.join(modelsDir, 'Alpha-Q4_K_M.gguf'), Buffer.alloc(10, 1));
  await writeFile(path.join(modelsDir, 'beta.gguf.part'), Buffer.alloc(5, 1));
  await writeFile(path.join(modelsDir, 'notes.txt'), 'hi');
  await mkdir(path.join(modelsDir, 'folder.gguf'));
  await symlink(path.join(dir, 'nowhere.gguf'), path.join(modelsDir, 'dangling.gguf'));
});

afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('listModels', () => {
  it('lists only complete .gguf files, sorted by name, with sizes and dates', async () => {
    const models = await listModels(modelsDir);
    expect(models.map((m) => [m.name, m.file, m.bytes])).toEqual([
      ['Alpha-Q4_K_M', 'Alpha-Q4_K_M.gguf', 10],
      ['zeta-Q8_0', 'zeta-Q8_0.gguf', 30],
    ]);
    expect(models[0]?.path).toBe(path.join(modelsDir, 'Alpha-Q4_K_M.gguf'));
    expect(models[0]?.modifiedAt).toBeInstanceOf(Date);
    expect(Math.abs(Date.now() - (models[0]?.modifiedAt.getTime() ?? 0))).toBeLessThan(60_000);
  });

  it('returns an empty list when the folder does not exist', async () => {
    expect(await listModels(path.join(dir, 'missing'))).toEqual([]);
  });
});

describe('resolveModelFile', () => {
  const alpha = (): string => path.join(modelsDir, 'Alpha-Q4_K_M.gguf');

  it('accepts an absolute path and a path relative to the working directory', async () => {
    expect(await resolveModelFile(alpha(), modelsDir)).toBe(alpha());
    const rel = path.relative(process.cwd(), alpha());
    expect(await resolveModelFile(rel, modelsDir)).toBe(alpha());
    expect(await resolveModelFile(path.join(dir, 'absent.gguf'), modelsDir)).toBeUndefined();
  });

  it('accepts a file name in modelsDir, with or without .gguf, and any case when unique', async () => {
    expect(await resolveModelFile('Alpha-Q4_K_M.gguf', modelsDir)).toBe(alpha());
    expect(await resolveModelFile('Alpha-Q4_K_M', modelsDir)).toBe(alpha());
    expect(await resolveModelFile('alpha-q4_k_m', modelsDir)).toBe(alpha());
    expect(await resolveModelFile('  zeta-Q8_0 ', modelsDir)).toBe(path.join(modelsDir, 'zeta-Q8_0.gguf'));
  });

  it('does not resolve partial downloads, folders, other files or unknown names', async () => {
    expect(await resolveModelFile('beta', modelsDir)).toBeUndefined();
    expect(await resolveModelFile('beta.gguf.part', modelsDir)).toBeUndefined();
    expect(await resolveModelFile('folder', modelsDir)).toBeUndefined();
    expect(await resolveModelFile('notes.txt', modelsDir)).toBeUndefined();
    expect(await resolveModelFile('nope', modelsDir)).toBeUndefined();
    expect(await resolveModelFile('', modelsDir)).toBeUndefined();
    expect(await resolveModelFile('nope', path.join(dir, 'missing'))).toBeUndefined();
  });
});
