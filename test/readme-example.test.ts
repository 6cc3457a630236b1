import { spawnSync } from 'node:child_process';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { tempHome, cleanEnv } from './helpers/cli.js';
import { STORIES } from './helpers/models.js';

// Runs the library example from the README, as written, against the built @parley/core,
// with the model path pointed at the shared test model.
const root = fileURLToPath(new URL('..', import.meta.url));
const scratch = `${root}test/.readme-example.mjs`;
const { home, cleanup } = tempHome();
afterAll(() => {
  cleanup();
  rmSync(scratch, { force: true });
});

describe('README library example', () => {
  it('runs and streams text with a tokens/s line', () => {
    const readme = readFileSync(`${root}README.md`, 'utf8');
    const m = /### As a library\s+```ts\n([\s\S]*?)```/.exec(readme);
    expect(m).not.toBeNull();
    const code = (m?.[1] ?? '').replace('./model.gguf', STORIES);
    expect(code.split('\n').filter(Boolean).length).toBeLessThanOrEqual(10);
    writeFileSync(scratch, code);
    const r = spawnSync(process.execPath, [scratch], {
      env: cleanEnv({ PARLEY_HOME: home, PARLEY_THREADS: '1', PARLEY_GPU: 'false' }),
      encoding: 'utf8',
      timeout: 60_000,
    });
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/\S{3,}/);
    expect(r.stdout).toMatch(/\n[\d.]+ tokens\/s\n$/);
  });
});
