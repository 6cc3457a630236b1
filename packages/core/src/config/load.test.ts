import { mkdtempSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ConfigError } from '../errors.js';
import { loadConfig } from './load.js';

let home: string;
let file: string;
beforeEach(() => {
  home = mkdtempSync(path.join(os.tmpdir(), 'parley-config-'));
  mkdirSync(path.join(home, 'config'), { recursive: true });
  file = path.join(home, 'config', 'config.toml');
});
afterEach(() => rmSync(home, { recursive: true, force: true }));

function load(env: Record<string, string> = {}, flags = {}) {
  return loadConfig({ env: { PARLEY_HOME: home, ...env }, flags });
}

function configErrorOf(fn: () => unknown): ConfigError {
  try {
    fn();
  } catch (e) {
    if (e instanceof ConfigError) return e;
    throw e;
  }
  throw new Error('expected a ConfigError');
}

describe('config layers', () => {
  it('applies defaults with no file', () => {
    const { config, file: f } = load();
    expect(f).toBeUndefined();
    expect(config.max_retries).toBe(3);
    expect(config.local.auto_pull).toBe(true);
    expect(config.model).toBeUndefined();
  });

  it('flags > env > file > defaults, key by key', () => {
    writeFileSync(
      file,
      'model = "file:m"\ntemperature = 0.1\nmax_tokens = 11\ntimeout_ms = 5000\n[local]\nthreads = 3\n',
    );
    const { config } = load(
      { PARLEY_MODEL: 'env:m', PARLEY_MAX_TOKENS: '22', PARLEY_THREADS: '5' },
      { model: 'flag:m', local: { threads: 7 } },
    );
    expect(config.model).toBe('flag:m');
    expect(config.max_tokens).toBe(22);
    expect(config.temperature).toBe(0.1);
    expect(config.timeout_ms).toBe(5000);
    expect(config.local.threads).toBe(7);
    expect(config.local.auto_pull).toBe(true);
    expect(config.max_retries).toBe(3);
  });

  it('names the key, file and line of a bad value', () => {
    writeFileSync(file, 'model = "x"\n\n[local]\ngpu = "auto"\nthreads = 0\n');
    const e = configErrorOf(() => load());
    expect(e.key).toBe('local.threads');
    expect(e.file).toBe(file);
    expect(e.line).toBe(5);
    expect(e.message).toContain('local.threads');
    expect(e.message).toContain(`${file}:5`);
  });

  it('names a bad [sessions] value and its line', () => {
    writeFileSync(file, '[sessions]\nsnapshots = true\nrestore = "yesterday"\n');
    const e = configErrorOf(() => load());
    expect(e.key).toBe('sessions.restore');
    expect(e.line).toBe(3);
    writeFileSync(file, '[sessions]\nsnapshot_interval_ms = 5\n');
    expect(configErrorOf(() => load()).key).toBe('sessions.snapshot_interval_ms');
  });

  it('reads the chat settings, and at most four favourites', () => {
    writeFileSync(file, '[tui]\nfavorites = ["local", "fast"]\nhigh_contrast = true\n');
    expect(load().config.tui).toEqual({ favorites: ['local', 'fast'], high_contrast: true });
    writeFileSync(file, '[tui]\nfavorites = ["a", "b", "c", "d", "e"]\n');
    const e = configErrorOf(() => load());
    expect(e.key).toBe('tui.favorites');
    expect(e.message).toContain('at most four favourites');
  });

  it('refuses unknown keys by name', () => {
    writeFileSync(file, 'temprature = 0.5\n');
    const e = configErrorOf(() => load());
    expect(e.message).toContain('temprature');
    expect(e.message).toContain('unknown key');
    expect(e.line).toBe(1);
  });

  it('reports TOML syntax errors with the line', () => {
    writeFileSync(file, 'model = "ok"\nmax_tokens = = 3\n');
    const e = configErrorOf(() => load());
    expect(e.message).toContain('invalid TOML');
    expect(e.line).toBe(2);
  });

  it('names the environment variable of a bad value', () => {
    const e = configErrorOf(() => load({ PARLEY_TEMPERATURE: 'hot' }));
    expect(e.message).toContain('PARLEY_TEMPERATURE');
    const e2 = configErrorOf(() => load({ PARLEY_TEMPERATURE: '9' }));
    expect(e2.message).toContain('temperature');
    expect(e2.message).toContain('PARLEY_TEMPERATURE');
  });

  it('names the flag of a bad value', () => {
    const e = configErrorOf(() => load({}, { max_tokens: -1 }));
    expect(e.message).toContain('max_tokens');
    expect(e.message).toContain('command-line flag');
  });

  it('reads aliases and provider settings, merging tables across layers', () => {
    writeFileSync(
      file,
      '[aliases]\nfast = "groq:llama-3.3-70b-versatile"\n[providers.ollama]\nbase_url = "http://10.0.0.5:11434/v1"\n',
    );
    const { config } = load({ PARLEY_GPU: 'false' });
    expect(config.aliases.fast).toBe('groq:llama-3.3-70b-versatile');
    expect(config.providers.ollama?.base_url).toBe('http://10.0.0.5:11434/v1');
    expect(config.local.gpu).toBe(false);
  });

  it('fails clearly when an explicitly named config file is missing', () => {
    const e = configErrorOf(() =>
      loadConfig({ env: { PARLEY_HOME: home }, configFile: path.join(home, 'nope.toml') }),
    );
    expect(e.message).toContain('nope.toml');
  });

  it('survives hostile config input without crashing', () => {
    const hostile = [
      '\u0000\u0001',
      '[[[',
      'model = 1',
      'aliases = "x"',
      '[local]\ngpu = "quantum"',
      'fallback = [1, 2]',
      'a'.repeat(100000),
    ];
    for (const src of hostile) {
      writeFileSync(file, src);
      const e = configErrorOf(() => load());
      expect(e.code).toBe('config');
    }
  });
});
