import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { cleanEnv, PARLEY_BIN, tempHome } from './helpers/cli.js';
import { STORIES } from './helpers/models.js';

// Runs parley on a real pseudo-terminal through util-linux `script`, to see what a user at
// a terminal sees: colour on stderr unless NO_COLOR is set, and never colour on stdout.
function onTty(args: string, env: Record<string, string> = {}): string {
  const home = tempHome();
  try {
    const r = spawnSync('script', ['-qec', `"${process.execPath}" "${PARLEY_BIN}" ${args}`, '/dev/null'], {
      env: cleanEnv({ PARLEY_HOME: home.home, ...env }),
      encoding: 'utf8',
      timeout: 60_000,
    });
    return r.stdout;
  } finally {
    home.cleanup();
  }
}

describe('on a terminal', () => {
  it('colours errors on stderr, and honours NO_COLOR', () => {
    expect(onTty("''")).toContain('\u001b[31mparley: error:');
    const plain = onTty("''", { NO_COLOR: '1' });
    expect(plain).toContain('parley: error: the prompt is empty');
    expect(plain).not.toContain('\u001b[');
  });

  it('never colours the answer', () => {
    const out = onTty(`-m ${STORIES} --threads 1 --max-tokens 20 'Once upon a time'`, {
      PARLEY_GPU: 'false',
    });
    expect(out.trim().length).toBeGreaterThan(10);
    expect(out).not.toContain('\u001b[');
  });
});
