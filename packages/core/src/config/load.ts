/**
 * Layered configuration: flags > environment (`PARLEY_*`) > `config.toml` > defaults.
 * Each layer is validated by the one schema on its own, so an error can name the key and
 * where it came from: the file and line, the environment variable, or the flag.
 */
import { readFileSync } from 'node:fs';
import { parse as parseToml, TomlError } from 'smol-toml';
import type { z } from 'zod';
import { ConfigError } from '../errors.js';
import { registerSecret } from '../secrets.js';
import { parleyPaths, type ParleyPaths } from './paths.js';
import { ConfigSchema, DEFAULTS, type ConfigLayer, type ParleyConfig } from './schema.js';
import { locateTomlKey } from './toml-locate.js';

type Conv = 'string' | 'number' | 'int' | 'bool' | 'list' | 'gpu';

/** Environment variables and the keys they set. */
export const ENV_KEYS: Record<string, { path: string[]; conv: Conv }> = {
  PARLEY_MODEL: { path: ['model'], conv: 'string' },
  PARLEY_SYSTEM: { path: ['system'], conv: 'string' },
  PARLEY_TEMPERATURE: { path: ['temperature'], conv: 'number' },
  PARLEY_MAX_TOKENS: { path: ['max_tokens'], conv: 'int' },
  PARLEY_BASE_URL: { path: ['base_url'], conv: 'string' },
  PARLEY_API_KEY: { path: ['api_key'], conv: 'string' },
  PARLEY_STREAM: { path: ['stream'], conv: 'bool' },
  PARLEY_THINK: { path: ['think'], conv: 'bool' },
  PARLEY_FALLBACK: { path: ['fallback'], conv: 'list' },
  PARLEY_TIMEOUT_MS: { path: ['timeout_ms'], conv: 'int' },
  PARLEY_MAX_RETRIES: { path: ['max_retries'], conv: 'int' },
  PARLEY_MAX_INPUT_CHARS: { path: ['max_input_chars'], conv: 'int' },
  PARLEY_HISTORY_LIMIT: { path: ['history_limit'], conv: 'int' },
  PARLEY_CACHE: { path: ['cache', 'enabled'], conv: 'bool' },
  PARLEY_LOG: { path: ['store', 'log'], conv: 'bool' },
  PARLEY_STORE_URL: { path: ['store', 'url'], conv: 'string' },
  PARLEY_THREADS: { path: ['local', 'threads'], conv: 'int' },
  PARLEY_GPU: { path: ['local', 'gpu'], conv: 'gpu' },
  PARLEY_CONTEXT_SIZE: { path: ['local', 'context_size'], conv: 'int' },
  PARLEY_AUTO_PULL: { path: ['local', 'auto_pull'], conv: 'bool' },
  PARLEY_SEQUENCES: { path: ['local', 'sequences'], conv: 'int' },
  PARLEY_ROUTER: { path: ['router', 'enabled'], conv: 'bool' },
  PARLEY_ROUTER_ENCODER: { path: ['router', 'encoder'], conv: 'string' },
  PARLEY_SERVER_HOST: { path: ['server', 'host'], conv: 'string' },
  PARLEY_SERVER_PORT: { path: ['server', 'port'], conv: 'int' },
  PARLEY_SERVER_TOKEN: { path: ['server', 'token'], conv: 'string' },
  PARLEY_SERVER_ORIGINS: { path: ['server', 'origins'], conv: 'list' },
};

export interface LoadedConfig {
  config: ParleyConfig;
  paths: ParleyPaths;
  /** The config file that was read, if one exists. */
  file: string | undefined;
}

export interface LoadConfigOptions {
  env?: NodeJS.ProcessEnv;
  /** The flags layer, already in config-key form. */
  flags?: ConfigLayer;
  /** Read this file instead of the default `config.toml`. */
  configFile?: string;
  /** A front end's own defaults: over the built-in ones, under every other layer. */
  defaults?: ConfigLayer;
}

/** Load, validate and merge every layer. Throws `ConfigError` naming what was wrong. */
export function loadConfig(opts: LoadConfigOptions = {}): LoadedConfig {
  const env = opts.env ?? process.env;
  const paths = parleyPaths(env);
  const file = opts.configFile ?? paths.configFile;
  const fileLayer = readConfigFile(file, opts.configFile !== undefined);
  const envLayer = envConfig(env);
  const flagLayer = validateLayer(opts.flags ?? {}, (key) => ({ key, source: 'command-line flag' }));
  const defaults = validateLayer(opts.defaults ?? {}, (key) => ({ key, source: 'front-end default' }));
  const merged = mergeLayers(DEFAULTS, defaults, fileLayer.layer, envLayer, flagLayer) as ParleyConfig;
  merged.local ??= { ...DEFAULTS.local };
  registerSecret(merged.api_key);
  for (const p of Object.values(merged.providers ?? {})) registerSecret(p.api_key);
  registerSecret(merged.server?.token);
  registerSecret(urlPassword(merged.store?.url));
  return { config: merged, paths, file: fileLayer.exists ? file : undefined };
}

function readConfigFile(file: string, required: boolean): { layer: ConfigLayer; exists: boolean } {
  let source: string;
  try {
    source = readFileSync(file, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT' && !required) return { layer: {}, exists: false };
    throw new ConfigError(`cannot read config file: ${(e as Error).message}`, { file }, { cause: e });
  }
  let raw: unknown;
  try {
    raw = parseToml(source);
  } catch (e) {
    const line = e instanceof TomlError ? e.line : undefined;
    const first = (e instanceof Error ? e.message : String(e)).split('\n')[0] ?? 'invalid TOML';
    throw new ConfigError(`invalid TOML: ${first}`, { file, ...(line ? { line } : {}) }, { cause: e });
  }
  const layer = validateLayer(raw, (key, path) => ({ key, file, line: locateTomlKey(source, path) }));
  return { layer, exists: true };
}

type Where = { key: string; file?: string; line?: number | undefined; source?: string };

function validateLayer(raw: unknown, where: (key: string, path: (string | number)[]) => Where): ConfigLayer {
  const r = ConfigSchema.safeParse(raw);
  if (r.success) return r.data;
  throw layerError(r.error, where);
}

function layerError(
  error: z.ZodError,
  where: (key: string, path: (string | number)[]) => Where,
): ConfigError {
  const issue = error.issues[0];
  if (!issue) return new ConfigError('invalid configuration');
  let path = issue.path.filter((p): p is string | number => typeof p !== 'symbol');
  let message = issue.message;
  if (issue.code === 'unrecognized_keys') {
    path = [...path, issue.keys[0] ?? ''];
    message = `unknown key${issue.keys.length > 1 ? `s ${issue.keys.join(', ')}` : ''}`;
  }
  const key = path.join('.') || '(root)';
  const w = where(key, path);
  const suffix = w.source ? ` (${w.source})` : '';
  return new ConfigError(message + suffix, {
    key: w.key,
    ...(w.file ? { file: w.file } : {}),
    ...(w.line ? { line: w.line } : {}),
  });
}

/** The environment layer, validated, with the variable named in errors. */
export function envConfig(env: NodeJS.ProcessEnv): ConfigLayer {
  const layer: Record<string, unknown> = {};
  const origin = new Map<string, string>();
  for (const [name, spec] of Object.entries(ENV_KEYS)) {
    const raw = env[name];
    if (raw === undefined || raw === '') continue;
    const value = convert(raw, spec.conv, name);
    setPath(layer, spec.path, value);
    origin.set(spec.path.join('.'), name);
  }
  return validateLayer(layer, (key) => ({ key, source: `environment variable ${origin.get(key) ?? key}` }));
}

function convert(raw: string, conv: Conv, name: string): unknown {
  switch (conv) {
    case 'string':
      return raw;
    case 'number':
    case 'int': {
      const n = Number(raw.trim());
      if (raw.trim() === '' || !Number.isFinite(n))
        throw new ConfigError(`${name} must be a number, got "${raw}"`);
      return n;
    }
    case 'bool': {
      const v = raw.trim().toLowerCase();
      if (['1', 'true', 'yes', 'on'].includes(v)) return true;
      if (['0', 'false', 'no', 'off'].includes(v)) return false;
      throw new ConfigError(`${name} must be true or false, got "${raw}"`);
    }
    case 'list':
      return raw
        .split(',')
        .map((s) => s.trim())
        .filter(Boolean);
    case 'gpu':
      return raw.trim().toLowerCase() === 'false' || raw.trim() === 'off' ? false : raw.trim();
  }
}

function setPath(obj: Record<string, unknown>, path: string[], value: unknown): void {
  let cur = obj;
  for (let i = 0; i < path.length - 1; i++) {
    const k = path[i] as string;
    cur[k] ??= {};
    cur = cur[k] as Record<string, unknown>;
  }
  cur[path[path.length - 1] as string] = value;
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Deep-merge layers, later ones winning; arrays and scalars are replaced, not merged. */
export function mergeLayers(...layers: object[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const layer of layers) {
    for (const [k, v] of Object.entries(layer)) {
      if (v === undefined) continue;
      const prev = out[k];
      out[k] = isPlainObject(prev) && isPlainObject(v) ? mergeLayers(prev, v) : structuredClone(v);
    }
  }
  return out;
}

/** The password of a URL such as `store.url`, if it has one. */
function urlPassword(url: string | undefined): string | undefined {
  if (!url) return undefined;
  try {
    return decodeURIComponent(new URL(url).password) || undefined;
  } catch {
    return undefined;
  }
}
