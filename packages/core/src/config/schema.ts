/**
 * The one schema that validates every configuration layer: `config.toml`, `PARLEY_*`
 * environment variables and command-line flags. Every field is optional in a layer;
 * `DEFAULTS` fills what no layer sets.
 */
import { z } from 'zod';

const modelName = z.string().trim().min(1, 'must not be empty');
const positiveInt = z.number().int().positive();

export const ProviderSettingsSchema = z
  .object({
    api_key: z.string().min(1).optional(),
    base_url: z.url().optional(),
  })
  .strict();

export const ConfigSchema = z
  .object({
    /** `provider:model`, an alias, or a path to a .gguf file. */
    model: modelName.optional(),
    system: z.string().optional(),
    temperature: z.number().min(0).max(2).optional(),
    max_tokens: positiveInt.optional(),
    top_p: z.number().gt(0).max(1).optional(),
    seed: z.number().int().optional(),
    /** Base URL for the chosen provider (OpenAI-compatible servers). */
    base_url: z.url().optional(),
    /** A key without a provider: the provider is inferred from its prefix. */
    api_key: z.string().min(1).optional(),
    stream: z.boolean().optional(),
    /** Models tried in order when the main one fails before its first token. */
    fallback: z.array(modelName).optional(),
    /** Milliseconds before a request without an answer is abandoned. */
    timeout_ms: positiveInt.optional(),
    /** Retries on 429, 5xx and network errors. */
    max_retries: z.number().int().min(0).max(10).optional(),
    retry_base_delay_ms: positiveInt.optional(),
    retry_max_delay_ms: positiveInt.optional(),
    /** Longest prompt accepted, in characters. */
    max_input_chars: positiveInt.optional(),
    /** Messages of history kept before token-aware trimming. */
    history_limit: positiveInt.optional(),
    aliases: z
      .record(z.string().regex(/^[A-Za-z0-9_.-]+$/, 'alias names use letters, digits, _ . -'), modelName)
      .optional(),
    providers: z.record(z.string(), ProviderSettingsSchema).optional(),
    local: z
      .object({
        threads: z.number().int().min(1).max(1024).optional(),
        gpu: z.union([z.enum(['auto', 'cuda', 'vulkan', 'metal']), z.literal(false)]).optional(),
        context_size: z.number().int().min(64).optional(),
        sequences: z.number().int().min(1).max(64).optional(),
        /** Pull the default model on first use when no model is present. */
        auto_pull: z.boolean().optional(),
        /** What to pull on first use (`hf:org/repo:QUANT` or a URL). */
        default_model: z.string().min(1).optional(),
      })
      .strict()
      .optional(),
  })
  .strict();

export type ConfigLayer = z.infer<typeof ConfigSchema>;

/** Settings that always have a value after merging. */
type Defaulted =
  | 'stream'
  | 'timeout_ms'
  | 'max_retries'
  | 'retry_base_delay_ms'
  | 'retry_max_delay_ms'
  | 'max_input_chars'
  | 'history_limit'
  | 'fallback'
  | 'aliases'
  | 'providers'
  | 'local';

/** The merged configuration with defaults applied. */
export type ParleyConfig = Omit<ConfigLayer, Defaulted> & Required<Pick<ConfigLayer, Defaulted>>;

export const DEFAULTS: Pick<ParleyConfig, Defaulted> = {
  stream: true,
  timeout_ms: 120_000,
  max_retries: 3,
  retry_base_delay_ms: 500,
  retry_max_delay_ms: 30_000,
  max_input_chars: 200_000,
  history_limit: 100,
  fallback: [],
  aliases: {},
  providers: {},
  local: { gpu: 'auto', auto_pull: true, sequences: 1 },
};
