/** Builds a `ChatModel` for any provider in the catalog through its AI SDK factory. */
import type { OpenAICompatibleProvider } from '@ai-sdk/openai-compatible';
import type { ChatModel } from '../chat-model.js';
import { AuthError, UsageError } from '../errors.js';
import { registerSecret } from '../secrets.js';
import { AiSdkChatModel, type AiSdkLanguageModel } from './ai-sdk-chat-model.js';
import { getProviderSpec, providerNames, type ProviderSpec } from './catalog.js';
import { LazyLanguageModel } from './lazy-language-model.js';
import { thinkingOptions } from './thinking.js';

/** Everything needed to talk to one model of one provider. */
export interface CreateProviderModelOptions {
  /** A name from `PROVIDERS`, e.g. `openai`, `anthropic`, `ollama`. */
  provider: string;
  /** Model id within the provider, e.g. `gpt-5-mini`. */
  modelId: string;
  /** The API key; when absent, the provider's environment variables are read. */
  apiKey?: string | undefined;
  /** Overrides the catalog's base URL (required for `openai-compatible`). */
  baseURL?: string | undefined;
  /** Extra HTTP headers sent with every request. */
  headers?: Record<string, string> | undefined;
  /** A `fetch` to use instead of the global one (tests, proxies). */
  fetch?: typeof globalThis.fetch | undefined;
  /** Where to look up keys; defaults to `process.env`. */
  env?: Readonly<Record<string, string | undefined>> | undefined;
}

/** The first non-empty key: the explicit one, then the spec's environment variables in order. */
function resolveKey(
  spec: ProviderSpec,
  apiKey: string | undefined,
  env: Readonly<Record<string, string | undefined>>,
): string | undefined {
  if (apiKey !== undefined && apiKey.trim() !== '') return apiKey.trim();
  for (const name of spec.envKeys) {
    const v = env[name]?.trim();
    if (v) return v;
  }
  return undefined;
}

function missingKey(spec: ProviderSpec): AuthError {
  const vars = spec.envKeys.join(' or ');
  return new AuthError(
    `no API key for ${spec.name}: set ${vars} or providers.${spec.name}.api_key in config.toml`,
    { provider: spec.name },
  );
}

/** A provider's spec, the trimmed model id and the settings its AI SDK factory takes. */
export interface ResolvedProviderSettings {
  spec: ProviderSpec;
  modelId: string;
  settings: FactorySettings;
}

/**
 * Check a provider and model id and find the key and base URL, as every factory needs them.
 *
 * @throws UsageError for an unknown provider, or `openai-compatible` without a base URL
 * @throws AuthError when the provider needs a key and none is given or set in the environment
 */
export function resolveProviderSettings(options: CreateProviderModelOptions): ResolvedProviderSettings {
  const spec = getProviderSpec(options.provider);
  if (!spec) {
    throw new UsageError(
      `unknown provider "${options.provider}"; known providers: ${providerNames().join(', ')}`,
    );
  }
  const modelId = options.modelId.trim();
  if (!modelId) throw new UsageError(`no model id given for ${spec.name}`);
  const baseURL = options.baseURL?.trim() || spec.baseURL;
  if (baseURL === undefined) {
    throw new UsageError(
      `${spec.name} needs the server's URL: pass --base-url (e.g. --base-url http://localhost:8000/v1)`,
    );
  }
  const apiKey = resolveKey(spec, options.apiKey, options.env ?? process.env);
  if (spec.requiresKey && apiKey === undefined) throw missingKey(spec);
  registerSecret(apiKey);
  return { spec, modelId, settings: { apiKey, baseURL, headers: options.headers, fetch: options.fetch } };
}

/**
 * A `ChatModel` for `provider:modelId`.
 *
 * @throws UsageError for an unknown provider, or `openai-compatible` without a base URL
 * @throws AuthError when the provider needs a key and none is given or set in the environment
 */
export function createProviderModel(options: CreateProviderModelOptions): ChatModel {
  const { spec, modelId, settings } = resolveProviderSettings(options);
  // The provider's package loads on the first request, not at start-up: a run that never
  // calls this provider (a local model, a cache hit) never pays for importing it.
  const model = new LazyLanguageModel(spec.name, modelId, () => languageModel(spec, modelId, settings));
  // OpenAI sends reasoning summaries only through the Responses API: thinking turns use it.
  const thinkingModel =
    spec.kind === 'openai'
      ? new LazyLanguageModel(spec.name, modelId, async () =>
          (await import('@ai-sdk/openai')).createOpenAI(settings).responses(modelId),
        )
      : undefined;
  return new AiSdkChatModel({
    provider: spec.name,
    modelId,
    model,
    capabilities: { images: spec.images },
    thinking: {
      providerOptions: thinkingOptions(spec.kind),
      ...(thinkingModel ? { model: thinkingModel } : {}),
    },
    // Reasoning models on local servers write their reasoning in a leading <think> block.
    splitThinkTags: spec.kind === 'openai-compatible',
  });
}

/** What every AI SDK provider factory takes. */
export interface FactorySettings {
  apiKey: string | undefined;
  baseURL: string;
  headers: Record<string, string> | undefined;
  fetch: typeof globalThis.fetch | undefined;
}

/** The AI SDK model for a spec. The base URL is always explicit, so `*_BASE_URL` env vars never redirect it. */
async function languageModel(
  spec: ProviderSpec,
  modelId: string,
  s: FactorySettings,
): Promise<AiSdkLanguageModel> {
  switch (spec.kind) {
    case 'openai':
      // Chat completions (not /v1/responses), so it also works with OpenAI-compatible servers.
      return (await import('@ai-sdk/openai')).createOpenAI(s).chat(modelId);
    case 'anthropic':
      return (await import('@ai-sdk/anthropic')).createAnthropic(s).messages(modelId);
    case 'google':
      return (await import('@ai-sdk/google')).createGoogleGenerativeAI(s).languageModel(modelId);
    case 'groq':
      return (await import('@ai-sdk/groq')).createGroq(s).languageModel(modelId);
    case 'cohere':
      return (await import('@ai-sdk/cohere')).createCohere(s).languageModel(modelId);
    case 'xai':
      return (await import('@ai-sdk/xai')).createXai(s).chat(modelId);
    case 'deepseek':
      return (await import('@ai-sdk/deepseek')).createDeepSeek(s).chat(modelId);
    case 'mistral':
      return (await import('@ai-sdk/mistral')).createMistral(s).chat(modelId);
    case 'openai-compatible':
      return (await openAICompatible(spec, s, { includeUsage: true })).chatModel(modelId);
  }
}

/**
 * The AI SDK provider of an OpenAI-compatible server (Ollama, LM Studio, llama.cpp server,
 * vLLM, …): chat, embedding and image models all come from it. Its package loads on first use.
 */
export async function openAICompatible(
  spec: ProviderSpec,
  s: FactorySettings,
  opts: { includeUsage?: boolean } = {},
): Promise<OpenAICompatibleProvider> {
  return (await import('@ai-sdk/openai-compatible')).createOpenAICompatible({
    name: spec.name,
    baseURL: s.baseURL,
    apiKey: s.apiKey,
    headers: s.headers,
    fetch: s.fetch,
    ...opts,
  });
}
