/**
 * The provider catalog: every cloud API and local server parley can talk to through the
 * AI SDK, with where its key comes from and its defaults. Pure data, no network.
 */

/** Which AI SDK factory builds a provider's models. */
export type ProviderKind =
  | 'openai'
  | 'anthropic'
  | 'google'
  | 'groq'
  | 'cohere'
  | 'xai'
  | 'deepseek'
  | 'mistral'
  | 'openai-compatible';

/** What parley knows about one provider. */
export interface ProviderSpec {
  /** The name users type, e.g. `openai` in `openai:gpt-5-mini`. */
  readonly name: string;
  /** Which AI SDK factory builds its models. */
  readonly kind: ProviderKind;
  /** Environment variables holding the API key, in the order they are tried. */
  readonly envKeys: readonly string[];
  /** True when a request cannot work without a key (cloud APIs). */
  readonly requiresKey: boolean;
  /** The model used when none is named; `undefined` when the server decides (local servers). */
  readonly defaultModel: string | undefined;
  /** The API root; `undefined` only for `openai-compatible`, which needs `--base-url`. */
  readonly baseURL: string | undefined;
  /** Whether the provider's models take image parts (best effort: some of its models may not). */
  readonly images: boolean;
  /** True for servers that run on this machine. */
  readonly local: boolean;
}

function cloud(
  name: ProviderKind,
  envKeys: readonly string[],
  defaultModel: string,
  baseURL: string,
  images: boolean,
): ProviderSpec {
  return { name, kind: name, envKeys, requiresKey: true, defaultModel, baseURL, images, local: false };
}

function localServer(name: string, baseURL: string | undefined, defaultModel?: string): ProviderSpec {
  return {
    name,
    kind: 'openai-compatible',
    envKeys: [],
    requiresKey: false,
    defaultModel,
    baseURL,
    images: false,
    local: true,
  };
}

/** Every provider name, in catalog order. */
export const PROVIDER_NAMES = [
  'openai',
  'anthropic',
  'google',
  'groq',
  'cohere',
  'xai',
  'deepseek',
  'mistral',
  'ollama',
  'lmstudio',
  'llamacpp',
  'vllm',
  'openai-compatible',
] as const;

/** A name in {@link PROVIDERS}. */
export type ProviderName = (typeof PROVIDER_NAMES)[number];

const SPECS: Record<ProviderName, ProviderSpec> = {
  openai: cloud('openai', ['OPENAI_API_KEY'], 'gpt-5.4-mini', 'https://api.openai.com/v1', true),
  anthropic: cloud(
    'anthropic',
    ['ANTHROPIC_API_KEY'],
    'claude-sonnet-4-6',
    'https://api.anthropic.com/v1',
    true,
  ),
  google: cloud(
    'google',
    ['GEMINI_API_KEY', 'GOOGLE_GENERATIVE_AI_API_KEY'],
    'gemini-2.5-flash',
    'https://generativelanguage.googleapis.com/v1beta',
    true,
  ),
  groq: cloud('groq', ['GROQ_API_KEY'], 'llama-3.3-70b-versatile', 'https://api.groq.com/openai/v1', false),
  cohere: cloud('cohere', ['COHERE_API_KEY'], 'command-a-03-2025', 'https://api.cohere.com/v2', false),
  xai: cloud('xai', ['XAI_API_KEY'], 'grok-4.3', 'https://api.x.ai/v1', true),
  deepseek: cloud('deepseek', ['DEEPSEEK_API_KEY'], 'deepseek-v4-flash', 'https://api.deepseek.com', false),
  mistral: cloud('mistral', ['MISTRAL_API_KEY'], 'mistral-small-latest', 'https://api.mistral.ai/v1', true),
  ollama: localServer('ollama', 'http://localhost:11434/v1', 'llama3.2'),
  lmstudio: localServer('lmstudio', 'http://localhost:1234/v1'),
  llamacpp: localServer('llamacpp', 'http://localhost:8080/v1'),
  vllm: localServer('vllm', 'http://localhost:8000/v1'),
  // Any other OpenAI-compatible server, local or remote; `--base-url` is required.
  'openai-compatible': { ...localServer('openai-compatible', undefined), local: false },
};

/**
 * Every provider parley knows, keyed by name. Typed as a string record so callers can index
 * it with user input; it has no prototype, so `PROVIDERS['toString']` is `undefined` too.
 */
export const PROVIDERS: Readonly<Record<string, ProviderSpec>> = Object.freeze(
  Object.assign(Object.create(null) as Record<string, ProviderSpec>, SPECS),
);

/** Every provider name, in catalog order. */
export function providerNames(): ProviderName[] {
  return [...PROVIDER_NAMES];
}

/** True when `name` is a provider in the catalog. */
export function isProviderName(name: string): name is ProviderName {
  return (PROVIDER_NAMES as readonly string[]).includes(name);
}

/** The spec of a provider, or `undefined` for an unknown name. */
export function getProviderSpec(name: string): ProviderSpec | undefined {
  return isProviderName(name) ? SPECS[name] : undefined;
}

/** Key prefixes, most specific first: `sk-ant-` must be tried before `sk-`. */
const KEY_PREFIXES: readonly (readonly [string, ProviderName])[] = [
  ['sk-ant-', 'anthropic'],
  ['sk-', 'openai'],
  ['AIza', 'google'],
  ['gsk_', 'groq'],
  ['xai-', 'xai'],
];

/** Guess the provider from the shape of an API key; `undefined` when the shape is unknown. */
export function inferProviderFromKey(key: string): ProviderName | undefined {
  const k = key.trim();
  for (const [prefix, name] of KEY_PREFIXES) {
    if (k.startsWith(prefix)) return name;
  }
  return undefined;
}
