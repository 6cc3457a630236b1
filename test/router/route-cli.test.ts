import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runParley, tempHome } from '../helpers/cli.js';

// `parley route` and routed one-shots, through the real bin. No model is loaded: the
// one-shots answer with the canned: provider.
let home: string;
let cleanup: () => void;
beforeAll(() => ({ home, cleanup } = tempHome()));
afterAll(() => cleanup());
const env = () => ({ PARLEY_HOME: home });

describe('parley route', () => {
  it('prints the intent alone on the first line, then every score, best first', async () => {
    const r = await runParley(['route', 'how do I undo a git rebase?'], { env: env() });
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const [first, ...rest] = r.stdout.trimEnd().split('\n');
    expect(first).toBe('code');
    expect(rest).toHaveLength(7);
    expect(rest[0]).toMatch(/^code\s+0\.\d{4}$/);
    const scores = rest.map((l) => Number(l.split(/\s+/)[1]));
    expect(scores).toEqual([...scores].sort((a, b) => b - a));
  });

  it('--json prints the decision', async () => {
    const r = await runParley(['route', '--json', 'draw a lighthouse in the fog'], { env: env() });
    expect(r.code).toBe(0);
    const d = JSON.parse(r.stdout);
    expect(d).toMatchObject({ intent: 'image-generation', strategy: 'embedding', encoder: 'lexical' });
    expect(d.target).toEqual({ handler: 'image' });
    expect(d.scores).toHaveLength(7);
  });

  it('--explain shows the strategy, the runners-up and their closest examples', async () => {
    const r = await runParley(['route', '--explain', 'summarize this report for me'], { env: env() });
    expect(r.code).toBe(0);
    const out = r.stdout;
    expect(out.split('\n')[0]).toBe('summarise');
    expect(out).toContain('decided by: embedding (lexical)');
    expect(out).toContain('closest examples (chosen first, then the runners-up):');
    for (const name of ['code', 'web-search', 'deep-thinking'])
      expect(out).toMatch(new RegExp(`\\n  ${name}\\s+0\\.`));
    expect(out).toContain('target: handler=chat');
  });

  it('a slash command, an image and --intent decide by rule or override', async () => {
    const img = path.join(home, 'cat.png');
    writeFileSync(img, Buffer.from([0x89, 0x50, 0x4e, 0x47]));
    const slash = await runParley(['route', '--json', '/search best ramen in Osaka'], { env: env() });
    expect(JSON.parse(slash.stdout)).toMatchObject({ intent: 'web-search', strategy: 'rule', scores: [] });
    const image = await runParley(['route', '--json', '-i', img, 'what breed is it?'], { env: env() });
    expect(JSON.parse(image.stdout)).toMatchObject({ intent: 'image-analysis', reason: 'image attached' });
    const imageOnly = await runParley(['route', '-i', img], { env: env() });
    expect(imageOnly.stdout.split('\n')[0]).toBe('image-analysis');
    const chosen = await runParley(['route', '--intent', 'deep-thinking', 'hello'], { env: env() });
    expect(chosen.stdout.split('\n')[0]).toBe('deep-thinking');
  });

  it('reads piped stdin, and routes with intents from config.toml', async () => {
    const file = path.join(home, 'router.toml');
    writeFileSync(
      file,
      `[router.intents.translate]
examples = ["translate this into French", "how do you say thank you in Spanish", "translation to German please"]
commands = ["tr"]
target = { template = "translate" }
`,
    );
    const r = await runParley(['route', '--config', file], {
      env: env(),
      stdin: 'please translate this sentence into Spanish',
    });
    expect(r.code).toBe(0);
    expect(r.stdout.split('\n')[0]).toBe('translate');
    expect(r.stdout.trimEnd().split('\n')).toHaveLength(9);
  });

  it('usage errors exit 2', async () => {
    const unknown = await runParley(['route', '--intent', 'nope', 'hi'], { env: env() });
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toMatch(/unknown intent "nope"; intents: chit-chat, code/);
    const empty = await runParley(['route'], { env: env(), stdin: '' });
    expect(empty.code).toBe(2);
    const explain = await runParley(['--explain', 'hi'], { env: env() });
    expect(explain.code).toBe(2);
    expect(explain.stderr).toContain('--explain goes with parley route');
  });
});

describe('a routed one-shot', () => {
  const canned = ['-m', 'canned:lorem', '--no-log', '--no-cache'];

  it('--route adds the decision to --json, and --verbose shows it on stderr', async () => {
    const json = await runParley([...canned, '--route', '--json', 'tell me a joke'], { env: env() });
    expect(json.code).toBe(0);
    expect(JSON.parse(json.stdout).route).toMatchObject({ intent: 'chit-chat' });
    const verbose = await runParley([...canned, '--route', '--verbose', 'tell me a joke'], { env: env() });
    expect(verbose.stderr).toMatch(/route: chit-chat \((embedding|default): /);
    const plain = await runParley([...canned, 'tell me a joke'], { env: env() });
    expect(plain.stderr).toBe('');
    expect(plain.stdout).not.toContain('chit-chat');
  });

  it('--intent routes without --route', async () => {
    const r = await runParley([...canned, '--intent', 'code', '--json', 'hi'], { env: env() });
    expect(JSON.parse(r.stdout).route).toMatchObject({ intent: 'code', strategy: 'override' });
  });
});
