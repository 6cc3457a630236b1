import { copyFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runParley, tempHome } from '../helpers/cli.js';
import { STORIES } from '../helpers/models.js';

// The response cache end to end: the real bin, the real local engine on stories260K.
let home: string;
let cleanup: () => void;
let model: string;
beforeAll(() => {
  ({ home, cleanup } = tempHome());
  model = path.join(home, 'stories-copy.gguf');
  copyFileSync(STORIES, model);
});
afterAll(() => cleanup());

const env = () => ({ PARLEY_HOME: home, PARLEY_GPU: 'false' });
const ask = (...extra: string[]) =>
  runParley(
    ['-m', model, '--threads', '1', '--temperature', '0', '--max-tokens', '20', ...extra, 'Once upon a time'],
    {
      env: env(),
    },
  );

describe('parley with the response cache', () => {
  it('answers a repeated one-shot from the cache without loading the model', async () => {
    const first = await ask('--json');
    expect(first.code).toBe(0);
    const a = JSON.parse(first.stdout);
    expect(a.cached).toBe(false);

    // The model file becomes garbage: loading it now would fail. The cache still answers.
    writeFileSync(model, 'this is not a GGUF model');
    const second = await ask('--json');
    expect(second.stderr).toBe('');
    expect(second.code).toBe(0);
    const b = JSON.parse(second.stdout);
    expect(b).toMatchObject({
      cached: true,
      text: a.text,
      model: a.model,
      finish_reason: 'length',
      usage: a.usage,
    });

    // Gone altogether: still answered, as a stream too.
    rmSync(model);
    const third = await ask();
    expect(third.code).toBe(0);
    expect(third.stdout.trim()).toBe(a.text.trim());

    // --no-cache goes to the model, which is not there any more.
    const bypass = await ask('--no-cache', '--json');
    expect(bypass.code).toBe(1);
    expect(JSON.parse(bypass.stdout).error.message).toContain('model file not found');
  });

  it('reports stats per model and clears one model', async () => {
    const stats = await runParley(['cache', 'stats', '--json'], { env: env() });
    expect(stats.code).toBe(0);
    const s = JSON.parse(stats.stdout);
    expect(s.persistent).toBe(true);
    expect(s.models).toEqual([
      expect.objectContaining({
        model: 'local:stories-copy',
        hits: 2,
        misses: 1,
        entries: 1,
        hitRatio: 2 / 3,
      }),
    ]);
    const table = await runParley(['cache', 'stats'], { env: env() });
    expect(table.stdout).toMatch(/^model\s+hits\s+misses\s+hit ratio\s+entries\s+bytes\n/);
    expect(table.stdout).toMatch(/local:stories-copy\s+2\s+1\s+66\.7 %\s+1/);

    const other = await runParley(['cache', 'clear', '--model', 'groq:llama-3.3-70b-versatile'], {
      env: env(),
    });
    expect(other.stderr).toContain('cleared 0 cached answers of groq:llama-3.3-70b-versatile');
    const clear = await runParley(['cache', 'clear', '--model', model], { env: env() });
    expect(clear.code).toBe(0);
    expect(clear.stderr).toContain('cleared 1 cached answer of local:stories-copy');
    // Nothing cached, and no model: the answer has to come from the (missing) model now.
    expect((await ask('--json')).code).toBe(1);
  });

  it('refuses contradictory or misplaced flags', async () => {
    const both = await runParley(['--cache', '--no-cache', 'hi'], { env: env() });
    expect(both.code).toBe(2);
    expect(both.stderr).toContain('--cache and --no-cache');
    const bad = await runParley(['cache', 'purge'], { env: env() });
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('use parley cache stats | clear [--model M]');
  });
});
