import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ConfigError, createParley, UsageError } from '@parley/core';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { resolveServerOptions, SERVER_DEFAULTS } from './options.js';

let home: string;
beforeEach(() => {
  home = mkdtempSync(path.join(os.tmpdir(), 'parley-server-options-'));
  mkdirSync(path.join(home, 'config'), { recursive: true });
});
afterEach(() => rmSync(home, { recursive: true, force: true }));

const writeConfig = (toml: string) => writeFileSync(path.join(home, 'config', 'config.toml'), toml);

describe('resolveServerOptions', () => {
  it('uses the defaults', () => {
    const o = resolveServerOptions({ parley: createParley({ env: { PARLEY_HOME: home } }) });
    expect(o).toMatchObject({
      host: '127.0.0.1',
      port: 8787,
      token: undefined,
      origins: [],
      maxTextFrame: SERVER_DEFAULTS.maxTextFrame,
      maxBinaryFrame: SERVER_DEFAULTS.maxBinaryFrame,
      maxBody: SERVER_DEFAULTS.maxBody,
      heartbeatMs: 30_000,
    });
  });

  it('reads [server] from config.toml and PARLEY_SERVER_* from the environment (env wins)', () => {
    writeConfig(
      '[server]\nport = 9000\ntoken = "file-token-123"\norigins = ["http://a.example"]\nmax_text_frame = 2048\nheartbeat_ms = 500\n',
    );
    const parley = createParley({ env: { PARLEY_HOME: home, PARLEY_SERVER_PORT: '9100' } });
    const o = resolveServerOptions({ parley });
    expect(o).toMatchObject({
      port: 9100,
      token: 'file-token-123',
      origins: ['http://a.example'],
      maxTextFrame: 2048,
      heartbeatMs: 500,
    });
    // explicit options win over config
    expect(resolveServerOptions({ parley, port: 1, origins: [] })).toMatchObject({ port: 1, origins: [] });
  });

  it('names a bad server key', () => {
    writeConfig('[server]\nport = 70000\n');
    expect(() => createParley({ env: { PARLEY_HOME: home } })).toThrow(ConfigError);
    expect(() => createParley({ env: { PARLEY_HOME: home } })).toThrow(/server\.port/);
    writeConfig('[server]\ntoken = "short"\n');
    expect(() => createParley({ env: { PARLEY_HOME: home } })).toThrow(
      /server\.token: use at least 8 characters/,
    );
  });

  it('refuses a non-loopback host without a token', () => {
    const parley = createParley({ env: { PARLEY_HOME: home, PARLEY_SERVER_HOST: '0.0.0.0' } });
    expect(() => resolveServerOptions({ parley })).toThrow(UsageError);
    expect(resolveServerOptions({ parley, token: 'long-enough-token' }).host).toBe('0.0.0.0');
  });
});

describe("a front end's defaults layer", () => {
  it('sits over the built-in defaults and under the file, the environment and the flags', () => {
    const defaults = { local: { sequences: 4 } };
    expect(createParley({ env: { PARLEY_HOME: home } }).config.local.sequences).toBe(1);
    expect(createParley({ env: { PARLEY_HOME: home }, defaults }).config.local.sequences).toBe(4);
    writeConfig('[local]\nsequences = 2\n');
    expect(createParley({ env: { PARLEY_HOME: home }, defaults }).config.local.sequences).toBe(2);
    const env = { PARLEY_HOME: home, PARLEY_SEQUENCES: '3' };
    expect(createParley({ env, defaults }).config.local.sequences).toBe(3);
    expect(createParley({ env, defaults, config: { local: { sequences: 5 } } }).config.local.sequences).toBe(
      5,
    );
    expect(createParley({ env, defaults }).engine.options.sequences).toBe(3);
  });
});
