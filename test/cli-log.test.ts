/**
 * The CLI's log and start-up: `--version` and a one-shot that goes well never load pino or
 * prom-client (start-up time; Node's module debug output shows every CommonJS load), and
 * `PARLEY_LOG_LEVEL` makes a one-shot write its turn, with a request id, to the state dir.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runParley, tempHome } from './helpers/cli.js';

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

  it('writes the turn to <state>/parley.log at PARLEY_LOG_LEVEL=info, with a request id', async () => {
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
