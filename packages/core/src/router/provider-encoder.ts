/** Provider embeddings through the AI SDK's `embedMany` (OpenAI, Google, Cohere, Mistral, Ollama, …). */
import type { EmbeddingModelV3 } from '@ai-sdk/provider';
import { ParleyError } from '../errors.js';
import {
  resolveProviderSettings,
  type CreateProviderModelOptions,
} from '../providers/create-provider-model.js';
import { checkEmbeddingProvider, embeddingModel } from '../providers/embedding-model.js';
import { toProviderError } from '../providers/provider-errors.js';
import type { Encoder } from './encoder.js';

export class ProviderEncoder implements Encoder {
  readonly name: string;
  readonly defaultThreshold = 0.3;
  private readonly provider: string;
  private readonly model: () => Promise<EmbeddingModelV3>;
  private loaded: Promise<EmbeddingModelV3> | undefined;

  /**
   * Checks the provider, the model id and the key now; the provider's package loads on the
   * first `embed`.
   *
   * @throws UsageError for a provider without embeddings; AuthError without a key
   */
  constructor(options: CreateProviderModelOptions) {
    const { spec, modelId, settings } = resolveProviderSettings(options);
    checkEmbeddingProvider(spec);
    this.provider = spec.name;
    this.name = `${spec.name}:${modelId}`;
    this.model = () => embeddingModel(spec, modelId, settings);
  }

  async embed(texts: readonly string[], signal?: AbortSignal): Promise<Float32Array[]> {
    this.loaded ??= this.model();
    const model = await this.loaded;
    const { embedMany } = await import('ai');
    try {
      const r = await embedMany({ model, values: [...texts], abortSignal: signal, maxRetries: 1 });
      return r.embeddings.map((e) => Float32Array.from(e));
    } catch (e) {
      if (signal?.aborted || ParleyError.is(e)) throw e;
      throw toProviderError(e, this.provider);
    }
  }
}
