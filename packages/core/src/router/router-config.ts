/**
 * The router as config describes it: the default intents merged with `router.intents`, and
 * the encoder `router.encoder` names.
 */
import path from 'node:path';
import type { ParleyPaths } from '../config/paths.js';
import type { ParleyConfig } from '../config/schema.js';
import { ConfigError, ModelNotFoundError } from '../errors.js';
import type { LocalEngine } from '../local/local-engine.js';
import { parseModelName } from '../model-resolver.js';
import { resolveModelFile } from '../models/model-files.js';
import { DEFAULT_INTENT, DEFAULT_INTENTS } from './default-intents.js';
import type { Encoder } from './encoder.js';
import { LexicalEncoder } from './lexical-encoder.js';
import { LocalEmbeddingEncoder } from './local-encoder.js';
import { ProviderEncoder } from './provider-encoder.js';
import { Router } from './router.js';
import type { Intent } from './types.js';

type RouterConfig = NonNullable<ParleyConfig['router']>;

/** What building the router's encoder may need. */
export interface RouterDeps {
  config: ParleyConfig;
  paths: ParleyPaths;
  env: NodeJS.ProcessEnv;
  engine: LocalEngine;
  fetch?: typeof fetch | undefined;
}

/** The default intents with config's changes, then config's new intents; `enabled = false` ones left out. */
export function intentsFromConfig(router: RouterConfig | undefined): Intent[] {
  const given = router?.intents ?? {};
  const out: Intent[] = [];
  const names = [...DEFAULT_INTENTS.map((i) => i.name), ...Object.keys(given)];
  for (const name of new Set(names)) {
    const base = DEFAULT_INTENTS.find((i) => i.name === name);
    const c = given[name];
    if (c?.enabled === false) continue;
    const threshold = c?.threshold ?? base?.threshold ?? router?.threshold;
    out.push({
      name,
      examples: c?.examples ?? base?.examples ?? [],
      target: { ...base?.target, ...c?.target },
      commands: c?.commands ?? base?.commands ?? [],
      onImage: c?.on_image ?? base?.onImage ?? false,
      ...(threshold === undefined ? {} : { threshold }),
    });
  }
  return out;
}

/**
 * The encoder `router.encoder` names: `lexical` (the default), a .gguf path or `local:NAME`
 * (a local embedding model), or `provider:model` (provider embeddings).
 */
export async function encoderFromConfig(deps: RouterDeps): Promise<Encoder> {
  const spec = deps.config.router?.encoder ?? 'lexical';
  if (spec === 'lexical') return new LexicalEncoder();
  return neuralEncoder(spec, 'router.encoder', deps);
}

/**
 * A neural encoder by name: a .gguf path or `local:NAME` (a local embedding model), or
 * `provider:model` (provider embeddings). `key` is the config key errors name.
 */
export async function neuralEncoder(spec: string, key: string, deps: RouterDeps): Promise<Encoder> {
  const target = parseModelName(spec, deps.config);
  if (target.kind === 'canned') {
    throw new ConfigError('canned: is not an embedding model', { key });
  }
  if (target.kind === 'provider') {
    const settings = deps.config.providers[target.provider] ?? {};
    return new ProviderEncoder({
      provider: target.provider,
      modelId: target.modelId,
      apiKey: settings.api_key,
      baseURL: settings.base_url,
      fetch: deps.fetch,
      env: deps.env,
    });
  }
  if (target.path) return new LocalEmbeddingEncoder(deps.engine, target.path);
  const found = target.name ? await resolveModelFile(target.name, deps.paths.models) : undefined;
  if (!found) {
    throw new ModelNotFoundError(
      `${key}: no local embedding model named "${target.name}" in ${deps.paths.models}; ` +
        `pull one (parley models pull hf:CompendiumLabs/bge-small-en-v1.5-gguf:Q8_0) or give a .gguf path`,
    );
  }
  return new LocalEmbeddingEncoder(deps.engine, path.resolve(found));
}

/** The router config describes. */
export async function routerFromConfig(deps: RouterDeps): Promise<Router> {
  const r = deps.config.router;
  const intents = intentsFromConfig(r);
  const defaultIntent = r?.default_intent ?? DEFAULT_INTENT;
  if (!intents.some((i) => i.name === defaultIntent)) {
    throw new ConfigError(`"${defaultIntent}" is not an enabled intent`, { key: 'router.default_intent' });
  }
  return new Router({
    intents,
    defaultIntent,
    encoder: await encoderFromConfig(deps),
    cacheSize: r?.cache_size,
    topK: r?.top_k,
  });
}
