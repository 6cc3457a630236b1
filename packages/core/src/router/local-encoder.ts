/**
 * A local embedding model (a GGUF such as bge-small-en-v1.5 or all-MiniLM-L6-v2) through
 * node-llama-cpp's embedding context, on the local engine's llama.cpp bindings. The model
 * loads on the first `embed` and stays loaded until `dispose`.
 */
import path from 'node:path';
import type { LlamaEmbeddingContext, LlamaModel } from 'node-llama-cpp';
import type { LocalEngine } from '../local/local-engine.js';
import { chooseThreads } from '../local/threads.js';
import { abortReason } from '../util/abort.js';
import type { Encoder } from './encoder.js';

/** Tokens of one text the model sees; longer texts are cut (sentence encoders take 512). */
const MAX_TOKENS = 512;

interface Loaded {
  model: LlamaModel;
  context: LlamaEmbeddingContext;
  maxTokens: number;
}

export class LocalEmbeddingEncoder implements Encoder {
  readonly name: string;
  readonly defaultThreshold = 0.3;
  private loading: Promise<Loaded> | undefined;

  /**
   * @param engine the local engine whose llama.cpp bindings (and thread setting) to use
   * @param file the embedding GGUF
   */
  constructor(
    private readonly engine: LocalEngine,
    readonly file: string,
  ) {
    this.name = `local:${path.basename(file).replace(/\.gguf$/i, '')}`;
  }

  async embed(texts: readonly string[], signal?: AbortSignal): Promise<Float32Array[]> {
    const { model, context, maxTokens } = await this.load();
    const out: Float32Array[] = [];
    // One context embeds one text at a time; the examples are embedded once per router.
    for (const text of texts) {
      if (signal?.aborted) throw abortReason(signal);
      // llama.cpp adds a beginning and an end token, and wants the whole less than the context.
      const tokens = model.tokenize(text).slice(0, maxTokens - 3);
      const e = await context.getEmbeddingFor(tokens);
      out.push(Float32Array.from(e.vector));
    }
    return out;
  }

  private load(): Promise<Loaded> {
    if (!this.loading) {
      this.loading = this.doLoad();
      this.loading.catch(() => (this.loading = undefined));
    }
    return this.loading;
  }

  private async doLoad(): Promise<Loaded> {
    const { model, size } = await this.engine.loadModelFile(this.file);
    const maxTokens = Math.min(MAX_TOKENS, model.trainContextSize);
    const context = await model.createEmbeddingContext({
      threads: this.engine.options.threads ?? chooseThreads(size),
      contextSize: maxTokens,
      batchSize: maxTokens,
    });
    return { model, context, maxTokens };
  }

  async dispose(): Promise<void> {
    const p = this.loading;
    this.loading = undefined;
    if (!p) return;
    try {
      const { model, context } = await p;
      await context.dispose();
      await model.dispose();
    } catch {
      // nothing was loaded
    }
  }
}
