import { writeFileSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runParley, tempHome } from './helpers/cli.js';
import { STORIES } from './helpers/models.js';

// The CLI end to end: the real bin as a child process, the real local engine on stories260K.
let home: string;
let cleanup: () => void;
beforeAll(() => ({ home, cleanup } = tempHome()));
afterAll(() => cleanup());

const local = ['-m', STORIES, '--threads', '1', '--temperature', '0'];
const env = () => ({ PARLEY_HOME: home, PARLEY_GPU: 'false' });

describe('parley one-shot', () => {
  it('streams an answer to stdout and exits 0', async () => {
    const r = await runParley([...local, '--max-tokens', '30', 'Once upon a time'], { env: env() });
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout.trim().length).toBeGreaterThan(10);
  });

  it('prints one JSON object with --json', async () => {
    const r = await runParley([...local, '--max-tokens', '25', '--json', 'Once upon a time'], { env: env() });
    expect(r.code).toBe(0);
    const lines = r.stdout.trim().split('\n');
    expect(lines).toHaveLength(1);
    const j = JSON.parse(lines[0] as string);
    expect(j.model).toBe('local:stories260K');
    expect(j.finish_reason).toBe('length');
    expect(j.usage.outputTokens).toBe(25);
    expect(j.text.length).toBeGreaterThan(5);
    expect(j.timings.ttftMs).toBeGreaterThan(0);
    expect(j.timings.tokensPerSecond).toBeGreaterThan(0);
  });

  it('joins piped stdin to the prompt', async () => {
    const base = await runParley([...local, '--max-tokens', '5', '--json', 'Tell'], { env: env() });
    const piped = await runParley([...local, '--max-tokens', '5', '--json', 'Tell'], {
      env: env(),
      stdin: 'a story about a dog named Max who loved to run in the park',
    });
    expect(piped.code).toBe(0);
    const a = JSON.parse(base.stdout);
    const b = JSON.parse(piped.stdout);
    expect(b.usage.inputTokens).toBeGreaterThan(a.usage.inputTokens + 8);
    // stdin alone is a prompt too
    const only = await runParley([...local, '--max-tokens', '5'], { env: env(), stdin: 'Once upon a time' });
    expect(only.code).toBe(0);
    expect(only.stdout.trim()).not.toBe('');
  });

  it('is deterministic at temperature 0 across processes', async () => {
    const a = await runParley([...local, '--max-tokens', '30', 'The dog'], { env: env() });
    const b = await runParley([...local, '--max-tokens', '30', 'The dog'], { env: env() });
    expect(a.stdout).toBe(b.stdout);
  });

  it('stops on SIGINT, keeps what arrived, and exits 130', async () => {
    let sent = false;
    const r = await runParley([...local, '--max-tokens', '1900', 'Once upon a time'], {
      env: env(),
      onSpawn: (child) => {
        child.stdout?.on('data', () => {
          if (!sent) {
            sent = true;
            child.kill('SIGINT');
          }
        });
      },
    });
    expect(sent).toBe(true);
    expect(r.code).toBe(130);
    expect(r.stdout.length).toBeGreaterThan(0);
    expect(r.stderr).toContain('interrupted');
  });
});

describe('parley flags', () => {
  it('--no-stream prints the same answer at once; -s changes the prompt', async () => {
    const streamed = await runParley([...local, '--max-tokens', '20', 'Once upon a time'], { env: env() });
    const whole = await runParley([...local, '--max-tokens', '20', '--no-stream', 'Once upon a time'], {
      env: env(),
    });
    expect(whole.code).toBe(0);
    expect(whole.stdout).toBe(streamed.stdout);
    const sys = await runParley(
      [...local, '--max-tokens', '5', '--json', '-s', 'You tell stories about dragons.', 'Once'],
      {
        env: env(),
      },
    );
    const plain = await runParley([...local, '--max-tokens', '5', '--json', 'Once'], { env: env() });
    expect(JSON.parse(sys.stdout).usage.inputTokens).toBeGreaterThan(
      JSON.parse(plain.stdout).usage.inputTokens,
    );
  });

  it('config path shows the PARLEY_HOME directories', async () => {
    const r = await runParley(['config', 'path'], { env: env() });
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(`config file: ${path.join(home, 'config', 'config.toml')}`);
    expect(r.stdout).toContain(`models dir:  ${path.join(home, 'data', 'models')}`);
    const bad = await runParley(['config', 'nonsense'], { env: env() });
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('config show | path');
  });
});

describe('parley exit codes and bad input', () => {
  it('exits 2 on an empty prompt', async () => {
    const r = await runParley([...local, '   '], { env: env() });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('prompt is empty');
  });

  it('exits 2 on an unknown flag, naming it', async () => {
    const r = await runParley(['--frobnicate', 'hi'], { env: env() });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('--frobnicate');
  });

  it('exits 2 on a bad flag value, naming the flag', async () => {
    const r = await runParley([...local, '--max-tokens', 'lots', 'hi'], { env: env() });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('--max-tokens');
  });

  it('exits 2 on a prompt over the length limit', async () => {
    const r = await runParley([...local, 'x'.repeat(200)], {
      env: { ...env(), PARLEY_MAX_INPUT_CHARS: '100' },
    });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('200 characters');
  });

  it('strips control characters from the prompt', async () => {
    const dirty = await runParley([...local, '--max-tokens', '5', '--json', 'Once\u0007 upon\u001b a'], {
      env: env(),
      stdin: '\u0000ti\u0008me\u007f',
    });
    const joined = await runParley([...local, '--max-tokens', '5', '--json', 'Once upon a'], {
      env: env(),
      stdin: 'time',
    });
    expect(dirty.code).toBe(0);
    expect(joined.code).toBe(0);
    expect(JSON.parse(dirty.stdout).text).toBe(JSON.parse(joined.stdout).text);
    expect(JSON.parse(dirty.stdout).usage.inputTokens).toBe(JSON.parse(joined.stdout).usage.inputTokens);
  });

  it('exits 2 on a bad config file, naming key, file and line', async () => {
    const dir = path.join(home, 'badcfg');
    mkdirSync(dir, { recursive: true });
    const file = path.join(dir, 'config.toml');
    writeFileSync(file, 'model = "x"\ntemperature = "warm"\n');
    const r = await runParley(['--config', file, 'hi'], { env: env() });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('temperature');
    expect(r.stderr).toContain(`${file}:2`);
  });

  it('exits 1 when the model file is missing', async () => {
    const r = await runParley(['-m', '/nonexistent/model.gguf', 'hi'], { env: env() });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('/nonexistent/model.gguf');
  });

  it('exits 3 when a provider has no key, saying which variable to set', async () => {
    const r = await runParley(['-m', 'openai:gpt-4o-mini', 'hi'], { env: env() });
    expect(r.code).toBe(3);
    expect(r.stderr).toContain('OPENAI_API_KEY');
  });

  it('exits 2 for an image with a model that cannot take images', async () => {
    const img = path.join(home, 'pixel.png');
    writeFileSync(img, Buffer.from('89504e470d0a1a0a', 'hex'));
    const r = await runParley([...local, '-i', img, 'what is this'], { env: env() });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('cannot take images');
    const missing = await runParley([...local, '-i', path.join(home, 'none.png'), 'hi'], { env: env() });
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('none.png');
  });

  it('prints a JSON error with --json', async () => {
    const r = await runParley(['--json', '-m', 'nosuch:model', 'hi'], { env: env() });
    expect(r.code).toBe(2);
    expect(JSON.parse(r.stdout).error.message).toContain('unknown provider "nosuch"');
  });

  it('answers --version and --help', async () => {
    const v = await runParley(['--version'], { env: env() });
    expect(v.code).toBe(0);
    expect(v.stdout).toMatch(/^parley \d+\.\d+\.\d+\n$/);
    const h = await runParley(['--help'], { env: env() });
    expect(h.code).toBe(0);
    expect(h.stdout).toContain('Exit codes');
  });
});

describe('secrets', () => {
  it('never prints a key from the environment or a flag', async () => {
    const key = 'sk-parleyTESTfakeKEY0123456789abcdef';
    const flagKey = 'zz-flagFAKEkey-987654321';
    const e = { ...env(), OPENAI_API_KEY: key };
    const runs = await Promise.all([
      runParley(
        [
          '-m',
          'openai:gpt-4o-mini',
          '--base-url',
          'http://127.0.0.1:9/v1',
          '--max-tokens',
          '5',
          '--timeout',
          '3000',
          'hi',
        ],
        {
          env: { ...e, PARLEY_MAX_RETRIES: '0' },
        },
      ),
      runParley(
        [
          '--api-key',
          flagKey,
          '-m',
          'openai-compatible:x',
          '--base-url',
          'http://127.0.0.1:9/v1',
          '--verbose',
          'hi',
        ],
        {
          env: { ...e, PARLEY_MAX_RETRIES: '0' },
        },
      ),
      runParley(['config', 'show', '--api-key', flagKey], { env: e }),
    ]);
    expect(runs[0]?.code).toBe(3);
    expect(runs[2]?.code).toBe(0);
    expect(runs[2]?.stdout).toContain('REDACTED');
    for (const r of runs) {
      expect(r.stdout + r.stderr).not.toContain(key);
      expect(r.stdout + r.stderr).not.toContain(flagKey);
    }
  });
});
