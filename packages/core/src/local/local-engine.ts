/**
 * The local engine: GGUF models in process through node-llama-cpp. Models stay loaded
 * between turns; each request borrows a context sequence and returns it afterwards.
 */
import { stat } from 'node:fs/promises';
import type { Llama, LlamaContext, LlamaContextSequence, LlamaModel } from 'node-llama-cpp';
import { ModelNotFoundError } from '../errors.js';
import { chooseThreads } from './threads.js';
import { Semaphore } from '../util/semaphore.js';

export type GpuSetting = 'auto' | false | 'cuda' | 'vulkan' | 'metal';

export interface LocalEngineOptions {
  /** llama.cpp threads; default chosen by `chooseThreads()` from the machine and model. */
  threads?: number | undefined;
  /** `auto` uses a GPU when one is there and the CPU otherwise. */
  gpu?: GpuSetting | undefined;
  /** Upper bound of the context size in tokens (default 8192, never above the model's). */
  contextSize?: number | undefined;
  /** Parallel sequences per loaded model; more requests queue. Default 1. */
  sequences?: number | undefined;
}

export interface LoadedModel {
  readonly path: string;
  readonly model: LlamaModel;
  readonly context: LlamaContext;
  readonly threads: number;
  readonly hasChatTemplate: boolean;
  /** Borrow a free sequence; waits while all are busy. */
  acquire(signal?: AbortSignal): Promise<{ sequence: LlamaContextSequence; release: () => void }>;
}

/** What the engine is doing right now, for metrics. */
export interface LocalEngineStats {
  /** Models loaded (or loading). */
  models: number;
  /** Requests waiting for a free context sequence, over every loaded model. */
  queued: number;
  /** Requests that had to wait for a sequence since the engine was created. */
  waited: number;
}

export class LocalEngine {
  private llamaPromise: Promise<Llama> | undefined;
  private readonly loaded = new Map<string, Promise<LoadedModel>>();
  private readonly gates = new Set<Semaphore>();
  private waited = 0;

  constructor(readonly options: LocalEngineOptions = {}) {}

  /** The llama.cpp bindings, loaded once. Never builds or downloads anything. */
  getLlama(): Promise<Llama> {
    this.llamaPromise ??= import('node-llama-cpp').then(({ getLlama }) =>
      getLlama({
        gpu: this.options.gpu ?? 'auto',
        build: 'never',
        skipDownload: true,
        logLevel: 'error' as never,
        progressLogs: false,
      }),
    );
    return this.llamaPromise;
  }

  /** Load (once) and return the model at `path`. */
  load(path: string): Promise<LoadedModel> {
    let p = this.loaded.get(path);
    if (!p) {
      p = this.doLoad(path);
      this.loaded.set(path, p);
      p.catch(() => this.loaded.delete(path));
    }
    return p;
  }

  /**
   * Load a GGUF file on the engine's llama.cpp, without a context (the chat models' `load`
   * adds one; an embedding encoder makes its own). Returns the model and the file's size.
   *
   * @throws ModelNotFoundError when the file is missing or is not a GGUF model
   */
  async loadModelFile(path: string): Promise<{ model: LlamaModel; size: number }> {
    let size: number;
    try {
      const st = await stat(path);
      if (!st.isFile()) throw new Error('not a file');
      size = st.size;
    } catch (e) {
      throw new ModelNotFoundError(`model file not found: ${path}`, { cause: e });
    }
    const llama = await this.getLlama();
    try {
      return { model: await llama.loadModel({ modelPath: path }), size };
    } catch (e) {
      throw new ModelNotFoundError(
        `cannot load ${path} as a GGUF model: ${e instanceof Error ? e.message : String(e)}`,
        { cause: e },
      );
    }
  }

  private async doLoad(path: string): Promise<LoadedModel> {
    const { model, size } = await this.loadModelFile(path);
    const threads = this.options.threads ?? chooseThreads(size);
    const sequences = Math.max(1, this.options.sequences ?? 1);
    const max = Math.min(this.options.contextSize ?? 8192, model.trainContextSize);
    const context = await model.createContext({ threads, sequences, contextSize: { max } });
    const pool: LlamaContextSequence[] = [];
    for (let i = 0; i < sequences; i++) pool.push(context.getSequence());
    const gate = new Semaphore(sequences);
    this.gates.add(gate);
    const template = (model.fileInfo.metadata as { tokenizer?: { chat_template?: unknown } }).tokenizer
      ?.chat_template;
    return {
      path,
      model,
      context,
      threads,
      hasChatTemplate: typeof template === 'string' && template.length > 0,
      acquire: async (signal) => {
        if (gate.free === 0) this.waited++;
        await gate.acquire(signal);
        const sequence = pool.pop();
        if (!sequence) {
          gate.release();
          throw new Error('no free context sequence');
        }
        let released = false;
        return {
          sequence,
          release: () => {
            if (released) return;
            released = true;
            pool.push(sequence);
            gate.release();
          },
        };
      },
    };
  }

  /** True when the model at `path` is loaded (or loading). */
  isLoaded(path: string): boolean {
    return this.loaded.has(path);
  }

  /** Unload one model (the next request for it loads it again). */
  async unload(path: string): Promise<void> {
    const p = this.loaded.get(path);
    if (!p) return;
    this.loaded.delete(path);
    try {
      const m = await p;
      await m.context.dispose();
      await m.model.dispose();
    } catch {
      // a model that failed to load has nothing to free
    }
  }

  /** Loaded models and the queue for their context sequences. */
  stats(): LocalEngineStats {
    let queued = 0;
    for (const g of this.gates) queued += g.queued;
    return { models: this.loaded.size, queued, waited: this.waited };
  }

  /** Unload every model and free llama.cpp. */
  async dispose(): Promise<void> {
    const all = [...this.loaded.values()];
    this.loaded.clear();
    this.gates.clear();
    for (const p of all) {
      try {
        const m = await p;
        await m.context.dispose();
        await m.model.dispose();
      } catch {
        // a model that failed to load has nothing to free
      }
    }
  }
}
