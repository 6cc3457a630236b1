import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main } from '../../packages/cli/src/main.js';
import { runParley, tempHome } from '../helpers/cli.js';
import { STORIES } from '../helpers/models.js';

// Templates through the CLI: subcommands in process (main() as the bin calls it), and the real
// bin as a child process for stdin and for chatting with the real local engine.
let home: string;
let cleanup: () => void;
beforeAll(() => {
  ({ home, cleanup } = tempHome());
  process.env.PARLEY_HOME = home;
});
afterAll(() => {
  delete process.env.PARLEY_HOME;
  cleanup();
});

const env = () => ({ PARLEY_HOME: home, PARLEY_GPU: 'false' });
const spawned = (args: string[], stdin?: string) =>
  runParley(args, { env: env(), ...(stdin === undefined ? {} : { stdin }) });

/** Run `parley ARGS` in this process; resolves to what a child process would give. */
async function run(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const sink = (add: (s: string) => void) =>
    new Writable({
      write(chunk: Buffer | string, _enc, done) {
        add(chunk.toString());
        done();
      },
    });
  const code = await main(args, {
    out: sink((s) => (stdout += s)),
    err: sink((s) => (stderr += s)),
    color: false,
  });
  return { code, stdout, stderr };
}

const STORY = `+++
description = "Start a story"
tags = ["fiction"]
[variables.hero]
type = "string"
required = true
[variables.place]
default = "the park"
+++
Once upon a time, {{hero}} went to {{place}}.`;

describe('parley template', () => {
  it('creates, lists, shows, renders and removes a template', async () => {
    const file = path.join(home, 'story.hbs');
    writeFileSync(file, STORY);
    const created = await run(['template', 'create', 'story', file]);
    expect(created.code).toBe(0);
    expect(created.stderr).toContain(path.join(home, 'config', 'templates', 'story.hbs'));
    expect((await spawned(['template', 'create', 'piped'], 'Hello from stdin')).code).toBe(0);

    const list = await run(['template', 'list']);
    expect(list.stdout).toContain('story\tStart a story [fiction]\thero:string place?:string\n');
    const json = JSON.parse((await run(['template', 'list', '--json'])).stdout);
    expect(json.map((t: { name: string }) => t.name)).toEqual(['piped', 'story']);

    expect((await run(['template', 'show', 'story'])).stdout).toBe(STORY);
    const r = await run(['template', 'render', 'story', '--vars', '{"hero":"Lily"}']);
    expect(r.stdout).toBe('Once upon a time, Lily went to the park.\n');
    writeFileSync(path.join(home, 'vars.json'), '{"hero":"Max","place":"the sea"}');
    const f = await run(['template', 'render', 'story', '--vars', `@${path.join(home, 'vars.json')}`]);
    expect(f.stdout).toBe('Once upon a time, Max went to the sea.\n');

    expect((await run(['template', 'rm', 'piped'])).code).toBe(0);
    const gone = await run(['template', 'show', 'piped']);
    expect(gone.code).toBe(2);
    expect(gone.stderr).toContain('no template named piped');
  });

  it('names what is wrong, with exit code 2', async () => {
    const missing = await run(['template', 'render', 'story', '--vars', '{}']);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('template story: missing required variable hero');
    const badJson = await run(['template', 'render', 'story', '--vars', '{hero:']);
    expect(badJson.code).toBe(2);
    expect(badJson.stderr).toContain('--vars must be a JSON object');
    const noFile = await run(['template', 'render', 'story', '--vars', '@/nowhere.json']);
    expect(noFile.stderr).toContain('--vars @/nowhere.json: no such file');
    writeFileSync(path.join(home, 'evil.hbs'), '{{lookup this "constructor"}}');
    const evil = await run(['template', 'create', 'evil', path.join(home, 'evil.hbs')]);
    expect(evil.code).toBe(2);
    expect(evil.stderr).toContain('off limits');
    expect((await run(['template', 'show', 'evil'])).code).toBe(2);
    const stray = await run(['--vars', '{}', 'hello']);
    expect(stray.code).toBe(2);
    expect(stray.stderr).toContain('--vars goes with --template');
  });

  it('chats with a template: the rendered text is the prompt', async () => {
    const local = ['-m', STORIES, '--threads', '1', '--temperature', '0', '--max-tokens', '12', '--json'];
    const t = await spawned([...local, '--template', 'story', '--vars', '{"hero":"Lily"}']);
    expect(t.code).toBe(0);
    const a = JSON.parse(t.stdout);
    expect(a.cached).toBe(false);
    // The same prompt typed out is the same request: the cache answers it.
    const plain = await spawned([...local, 'Once upon a time, Lily went to the park.']);
    expect(JSON.parse(plain.stdout)).toMatchObject({ cached: true, text: a.text });
    // Prompt words are appended after the template.
    const more = await spawned([
      ...local,
      '--template',
      'story',
      '--vars',
      '{"hero":"Lily"}',
      'She was happy.',
    ]);
    const m = JSON.parse(more.stdout);
    expect(m.cached).toBe(false);
    expect(m.usage.inputTokens).toBeGreaterThan(a.usage.inputTokens);
  });
});
