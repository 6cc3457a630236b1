import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { runParley, tempHome } from './helpers/cli.js';
import { STORIES } from './helpers/models.js';

// `parley chat` without a terminal: a plain REPL, one message (or slash command) a line.

async function chat(args: string[], stdin: string) {
  const home = tempHome();
  try {
    return await runParley(['chat', ...args], {
      stdin,
      env: { PARLEY_HOME: home.home, PARLEY_GPU: 'false' },
    });
  } finally {
    home.cleanup();
  }
}

describe('parley chat without a terminal', () => {
  it('answers line by line: answers on stdout, everything else on stderr', async () => {
    const r = await chat(['-m', 'canned:echo'], 'hello\n\n/mode\nmulti\\\nline\n//slash\n/quit\nnot sent\n');
    expect(r.code).toBe(0);
    expect(r.stdout).toBe('hello\nmulti\nline\n/slash\n');
    expect(r.stderr).toMatch(/text +type and read.*\(current\)/);
    expect(r.stdout).not.toContain('\u001b[');
  });

  it('keeps the conversation between lines, and says when a command fails', async () => {
    const r = await chat(['-m', 'canned:echo'], '/system Be brief.\nfirst\n/model\n/nope\nsecond\n');
    expect(r.stdout).toBe('first\nsecond\n');
    expect(r.stderr).toContain('system prompt set');
    expect(r.stderr).toContain('model: canned:echo');
    expect(r.stderr).toContain('unknown command /nope');
    expect(r.code).toBe(2);
  });

  it('streams answers from the local engine', async () => {
    const r = await chat(
      ['-m', STORIES, '--threads', '1', '--max-tokens', '12'],
      'Once upon a time\nThe end\n',
    );
    expect(r.code).toBe(0);
    expect(r.stdout.trim().split('\n').length).toBeGreaterThanOrEqual(2);
  });

  it('refuses words and one-shot flags', async () => {
    expect((await chat(['hello'], '')).code).toBe(2);
    expect((await chat(['--json'], '')).code).toBe(2);
  });
});

describe('start-up cost', () => {
  // The one-shot (and --version) must not load the chat's libraries: follow every static
  // import from the compiled main.js and check none of them is reached.
  it('main.js reaches no Ink, React or markdown renderer through static imports', () => {
    const dist = fileURLToPath(new URL('../packages/cli/dist/', import.meta.url));
    const seen = new Set<string>();
    const bare = new Set<string>();
    const visit = (file: string): void => {
      if (seen.has(file)) return;
      seen.add(file);
      const src = readFileSync(file, 'utf8');
      for (const m of src.matchAll(
        /^\s*(?:import|export)\s[^;]*?from\s+'([^']+)'|^\s*import\s+'([^']+)'/gm,
      )) {
        const spec = (m[1] ?? m[2]) as string;
        if (spec.startsWith('.')) visit(path.resolve(path.dirname(file), spec));
        else bare.add(spec);
      }
    };
    visit(path.join(dist, 'main.js'));
    expect(seen.has(path.join(dist, 'one-shot.js'))).toBe(true);
    for (const lib of [
      'ink',
      'react',
      'marked',
      'marked-terminal',
      'cli-highlight',
      'string-width',
      'wrap-ansi',
    ]) {
      expect(bare.has(lib), lib).toBe(false);
    }
    expect([...seen].some((f) => f.startsWith(path.join(dist, 'tui', path.sep)))).toBe(false);
  });
});
