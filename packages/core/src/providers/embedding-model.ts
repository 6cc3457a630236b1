/**
 * AI SDK embedding models for the providers that have them: OpenAI, Google, Cohere, Mistral,
 * and every OpenAI-compatible server (Ollama, LM Studio, llama.cpp server, vLLM).
 */
import type { EmbeddingModelV3 } from '@ai-sdk/provider';
import { UsageError } from '../errors.js';
import type { ProviderSpec } from './catalog.js';
import { openAICompatible, type FactorySettings } from './create-provider-model.js';

const KINDS_WITH_EMBEDDINGS: ReadonlySet<ProviderSpec['kind']> = new Set([
  'openai',
  'google',
  'cohere',
  'mistral',
  'openai-compatible',
]);

function noEmbeddings(spec: ProviderSpec): UsageError {
  return new UsageError(
    `${spec.name} has no embedding models parley can use; use openai, google, cohere, mistral or an OpenAI-compatible server (ollama, lmstudio, llamacpp, vllm)`,
  );
}

/** Throws a `UsageError` for a provider without embedding models parley can use. */
export function checkEmbeddingProvider(spec: ProviderSpec): void {
  if (!KINDS_WITH_EMBEDDINGS.has(spec.kind)) throw noEmbeddings(spec);
}

/** The AI SDK embedding model `modelId` of a provider; its package loads here, on first use. */
export async function embeddingModel(
  spec: ProviderSpec,
  modelId: string,
  s: FactorySettings,
): Promise<EmbeddingModelV3> {
  switch (spec.kind) {
    case 'openai':
      return (await import('@ai-sdk/openai')).createOpenAI(s).embedding(modelId);
    case 'google':
      return (await import('@ai-sdk/google')).createGoogleGenerativeAI(s).embedding(modelId);
    case 'cohere':
      return (await import('@ai-sdk/cohere')).createCohere(s).embedding(modelId);
    case 'mistral':
      return (await import('@ai-sdk/mistral')).createMistral(s).embedding(modelId);
    case 'openai-compatible':
      return (await openAICompatible(spec, s)).embeddingModel(modelId);
    default:
      throw noEmbeddings(spec);
  }
}
