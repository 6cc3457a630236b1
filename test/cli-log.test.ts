/**
 * The CLI's log and start-up: `--version` and a one-shot that goes well never load pino or
 * prom-client (start-up time; Node's module debug output shows every CommonJS load), and
 * `PARLEY_LOG_LEVEL` makes a one-shot write its turn, with a request id, to the state dir.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cleanEnv, PARLEY_BIN, runParley, tempHome } from './helpers/cli.js';

let home: string;
let cleanup: () => void;
beforeAll(() => ({ home, cleanup } = tempHome()));
afterAll(() => cleanup());

const loaded = (stderr: string, pkg: string): boolean =>
  stderr.split('\n').some((l) => l.startsWith('MODULE') && l.includes(`node_modules/${pkg}/`));

describe('start-up cost of observability', () => {
  it('loads neither pino nor prom-client for --version or a one-shot', async () => {
    const version = await runParley(['--version'], { env: { PARLEY_HOME: home, NODE_DEBUG: 'module' } });
    expect(version.code).toBe(0);
    const oneShot = await runParley(['-m', 'canned', '--max-tokens', '3', 'hi'], {
      env: { PARLEY_HOME: home, NODE_DEBUG: 'module' },
    });
    expect(oneShot.code).toBe(0);
    expect(oneShot.stdout.trim().split(/\s+/)).toHaveLength(3);
    // The probe works: the one-shot does load better-sqlite3 (CommonJS) for its history.
    expect(loaded(oneShot.stderr, 'better-sqlite3')).toBe(true);
    for (const r of [version, oneShot]) {
      expect(loaded(r.stderr, 'pino')).toBe(false);
      expect(loaded(r.stderr, 'prom-client')).toBe(false);
    }
  });

  it('writes the turn to <state>/parley.log at PARLEY_LOG_LEVEL=debug, with one request id', async () => {
    const r = await runParley(['-m', 'canned', '--max-tokens', '3', 'hi'], {
      env: { PARLEY_HOME: home, PARLEY_LOG_LEVEL: 'debug', OPENAI_API_KEY: 'sk-test-abcdefghijklmnop' },
    });
    expect(r.code).toBe(0);
    const lines = readFileSync(path.join(home, 'state', 'parley.log'), 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    const start = lines.find((l) => l.msg === 'turn start');
    const end = lines.find((l) => l.msg === 'turn done');
    expect(start).toMatchObject({ level: 20, source: 'cli', model: 'canned' });
    expect(end).toMatchObject({ level: 30, model: 'canned:lorem', outcome: 'done', outputTokens: 3 });
    expect(typeof end?.req).toBe('string');
    expect(start?.req).toBe(end?.req);
  });

  it('logs a failure at the default level, and refuses an unknown PARLEY_LOG_LEVEL', async () => {
    const bad = await runParley(['-m', 'canned', 'hi'], {
      env: { PARLEY_HOME: home, PARLEY_LOG_LEVEL: 'chatty' },
    });
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(
      /PARLEY_LOG_LEVEL must be one of trace, debug, info, warn, error, fatal, silent/,
    );
    const failed = await runParley(['-m', 'nosuchprovider:model', 'hi'], { env: { PARLEY_HOME: home } });
    expect(failed.code).not.toBe(0);
    const log = readFileSync(path.join(home, 'state', 'parley.log'), 'utf8');
    const last = JSON.parse(log.trim().split('\n').at(-1) as string) as Record<string, unknown>;
    expect(last.level).toBe(50);
    expect(String(last.msg)).toMatch(/nosuchprovider/);
  });
});

describe('--verbose', () => {
  it('shows the log readable on stderr only on a terminal', async () => {
    // A real pseudo-terminal through util-linux `script`, as in cli-tty.test.ts.
    const tty = spawnSync(
      'script',
      ['-qec', `"${process.execPath}" "${PARLEY_BIN}" --verbose -m canned --max-tokens 3 hi`, '/dev/null'],
      { env: cleanEnv({ PARLEY_HOME: home, NO_COLOR: '1' }), encoding: 'utf8', timeout: 60_000 },
    );
    expect(tty.stdout).toMatch(
      /\d\d:\d\d:\d\d\.\d{3} DEBUG turn start {2}model=canned source=cli messages=1 req=\w+/,
    );
    expect(tty.stdout).toMatch(
      /\d\d:\d\d:\d\d\.\d{3} INFO {2}turn done {2}model=canned:lorem outcome=done .* req=\w+/,
    );
    expect(tty.stdout).not.toContain('\u001b['); // NO_COLOR
    const piped = await runParley(['--verbose', '-m', 'canned', '--max-tokens', '3', 'hi'], {
      env: { PARLEY_HOME: home },
    });
    expect(piped.code).toBe(0);
    expect(piped.stderr).not.toMatch(/turn (start|done)/);
    expect(piped.stderr).not.toContain('{"level"');
  });
});
