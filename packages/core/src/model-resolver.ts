/**
 * Turns a model name into a `ChatModel`: aliases from config, `provider:model`, `local:`
 * names and paths to .gguf files, and the default when nothing is named.
 */
import { readFile, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { ChatModel } from './chat-model.js';
import type { ParleyConfig } from './config/schema.js';
import type { ParleyPaths } from './config/paths.js';
import { ModelNotFoundError, UsageError } from './errors.js';
import { LocalChatModel } from './local/local-chat-model.js';
import type { LocalEngine } from './local/local-engine.js';
import { DEFAULT_LOCAL_MODEL, howToGetAModel } from './models/default-model.js';
import { pullModel } from './models/download.js';
import { resolveModelFile } from './models/model-files.js';
import { CannedChatModel } from './providers/canned-chat-model.js';
import { getProviderSpec, inferProviderFromKey, providerNames } from './providers/catalog.js';
import { createProviderModel } from './providers/create-provider-model.js';

/** Where a model name points, before anything is loaded. */
export type ModelTarget =
  | { kind: 'local'; path: string | undefined; name: string }
  | { kind: 'provider'; provider: string; modelId: string }
  /** `canned:NAME`: the benchmarking aid that streams a fixed text (not a model). */
  | { kind: 'canned'; name: string };

export interface ResolverContext {
  config: ParleyConfig;
  paths: ParleyPaths;
  env: NodeJS.ProcessEnv;
  engine: LocalEngine;
  fetch?: typeof fetch | undefined;
  /** Called while the default local model downloads on first use. */
  onPull?: ((p: { file: string; receivedBytes: number; totalBytes: number | undefined }) => void) | undefined;
  signal?: AbortSignal | undefined;
}

function looksLikePath(s: string): boolean {
  return (
    /\.gguf$/i.test(s) || s.startsWith('./') || s.startsWith('../') || s.startsWith('/') || s.startsWith('~/')
  );
}

function expandHome(p: string): string {
  return p.startsWith('~/') ? path.join(os.homedir(), p.slice(2)) : p;
}

function localPath(p: string): ModelTarget {
  return { kind: 'local', path: path.resolve(expandHome(p)), name: path.basename(p).replace(/\.gguf$/i, '') };
}

/** The model name parley uses when none is given. */
export function defaultModelName(config: ParleyConfig): string {
  if (config.model) return config.model;
  if (config.api_key) {
    const p = inferProviderFromKey(config.api_key);
    if (p) return `${p}:${getProviderSpec(p)?.defaultModel ?? ''}`;
  }
  return 'local';
}

/** Resolve aliases (several levels, loops refused) and classify the name. */
export function parseModelName(name: string, config: ParleyConfig): ModelTarget {
  let spec = name.trim();
  const seen = new Set<string>();
  while (config.aliases[spec] !== undefined) {
    if (seen.has(spec)) throw new UsageError(`alias loop: ${[...seen, spec].join(' -> ')}`);
    seen.add(spec);
    spec = config.aliases[spec] as string;
  }
  if (spec === '') throw new UsageError('the model name is empty');
  if (!spec.startsWith('local:') && looksLikePath(spec)) return localPath(spec);
  const colon = spec.indexOf(':');
  const provider = colon < 0 ? spec : spec.slice(0, colon);
  const rest = colon < 0 ? '' : spec.slice(colon + 1);
  if (provider === 'canned') return { kind: 'canned', name: rest || 'lorem' };
  if (provider === 'local') {
    if (rest === '') return { kind: 'local', path: undefined, name: '' };
    return looksLikePath(rest) ? localPath(rest) : { kind: 'local', path: undefined, name: rest };
  }
  const spec2 = getProviderSpec(provider);
  if (spec2) {
    const modelId = rest || spec2.defaultModel;
    if (!modelId)
      throw new UsageError(`name a model for ${provider}: ${provider}:MODEL (the id the server lists)`);
    return { kind: 'provider', provider, modelId };
  }
  if (colon < 0) return { kind: 'local', path: undefined, name: spec };
  throw new UsageError(
    `unknown provider "${provider}" in model "${spec}": use provider:model with one of ${providerNames().join(', ')}, an alias from config, or a path to a .gguf file`,
  );
}

/** Build the `ChatModel` for a name (or the default). May download the default local model. */
export async function resolveModel(name: string | undefined, ctx: ResolverContext): Promise<ChatModel> {
  const { config } = ctx;
  const target = parseModelName(name ?? defaultModelName(config), config);
  if (target.kind === 'canned') return new CannedChatModel(target.name);
  if (target.kind === 'provider') {
    const spec = getProviderSpec(target.provider);
    const settings = config.providers[target.provider] ?? {};
    const envKey = spec?.envKeys.map((k) => ctx.env[k]).find((v) => v !== undefined && v !== '');
    return createProviderModel({
      provider: target.provider,
      modelId: target.modelId,
      apiKey: config.api_key ?? envKey ?? settings.api_key,
      baseURL: config.base_url ?? settings.base_url,
      fetch: ctx.fetch,
    });
  }
  const file = await localModelFile(target, ctx);
  return new LocalChatModel(
    ctx.engine,
    file,
    target.name.replace(/\.gguf$/i, '') || path.basename(file, '.gguf'),
  );
}

async function localModelFile(
  target: Extract<ModelTarget, { kind: 'local' }>,
  ctx: ResolverContext,
): Promise<string> {
  const dir = ctx.paths.models;
  if (target.path) return target.path;
  if (target.name) {
    const found = await resolveModelFile(target.name, dir);
    if (found) return found;
    throw new ModelNotFoundError(`no local model named "${target.name}" in ${dir}. ${howToGetAModel(dir)}`);
  }
  const ref = ctx.config.local.default_model ?? DEFAULT_LOCAL_MODEL.ref;
  const known =
    ref === DEFAULT_LOCAL_MODEL.ref ? DEFAULT_LOCAL_MODEL.file : await rememberedDefault(dir, ref);
  const existing = known ? await resolveModelFile(known, dir) : undefined;
  if (existing) return existing;
  if (ctx.config.local.auto_pull === false) {
    throw new ModelNotFoundError(`no local model yet, and local.auto_pull is off. ${howToGetAModel(dir)}`);
  }
  try {
    const r = await pullModel(ref, {
      modelsDir: dir,
      signal: ctx.signal,
      onProgress: ctx.onPull,
      ...(ctx.fetch ? { fetch: ctx.fetch } : {}),
      ...(ctx.env.HF_ENDPOINT ? { hfEndpoint: ctx.env.HF_ENDPOINT } : {}),
    });
    await rememberDefault(dir, ref, r.file);
    return r.path;
  } catch (e) {
    if (ctx.signal?.aborted) throw e;
    throw new ModelNotFoundError(
      `no local model yet, and downloading the default (${ref}) failed: ${e instanceof Error ? e.message : String(e)}. ${howToGetAModel(dir)}`,
      { cause: e },
    );
  }
}

/** Records which file a configured default ref resolved to, so later runs need no network. */
const DEFAULT_MARKER = '.default-model.json';

async function rememberedDefault(dir: string, ref: string): Promise<string | undefined> {
  try {
    const m = JSON.parse(await readFile(path.join(dir, DEFAULT_MARKER), 'utf8')) as {
      ref?: unknown;
      file?: unknown;
    };
    return m.ref === ref && typeof m.file === 'string' ? m.file : undefined;
  } catch {
    return undefined;
  }
}

async function rememberDefault(dir: string, ref: string, file: string): Promise<void> {
  await writeFile(path.join(dir, DEFAULT_MARKER), `${JSON.stringify({ ref, file })}\n`).catch(
    () => undefined,
  );
}
