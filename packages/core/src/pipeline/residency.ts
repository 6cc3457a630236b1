/**
 * Model residency: a memory budget, and only what the active pipeline needs kept loaded.
 * Models the new pipeline does not need are unloaded when it is activated, except the
 * semi-sticky roles (VAD, STT, TTS by default), which stay until a model that is loading
 * needs their room; then the least recently used go first. A model a running turn holds is
 * never unloaded under it. Every load and unload is reported as a `residency` event.
 */
import type { MetricsSink } from '../observability/metrics-sink.js';
import type { ResidencyEvent } from './events.js';
import type { ModelRole, ModelSpec } from './types.js';

/** Loads and unloads the models behind specs (the host knows how: local engine, speech engines). */
export interface ModelLoader {
  /** Make the model resident; what it returns is handed back to `unload`. */
  load(spec: ModelSpec, signal?: AbortSignal): Promise<unknown>;
  unload(spec: ModelSpec, loaded: unknown): Promise<void>;
}

/** Options of {@link ModelResidency}. */
export interface ResidencyOptions {
  /** Memory budget in MB. */
  budgetMb: number;
  loader: ModelLoader;
  /** Roles that stay resident across pipelines until their room is needed (default vad, stt, tts). */
  sticky?: readonly ModelRole[] | undefined;
  /** Told about every load and unload. */
  onEvent?: ((e: ResidencyEvent) => void) | undefined;
  metrics?: MetricsSink | undefined;
}

/** One resident model, as `resident()` lists it. */
export interface ResidentModel {
  spec: ModelSpec;
  loaded: unknown;
  /** Higher is more recent. */
  lastUsed: number;
  /** Running turns holding it. */
  holders: number;
}

/** What `acquire` hands back: the models, held until `release()`. */
export interface ResidencyLease {
  /** The loaded value of a model of the lease, by id. */
  get(id: string): unknown;
  release(): void;
}

export class ModelResidency {
  private readonly models = new Map<string, ResidentModel>();
  private tick = 0;
  private queue: Promise<unknown> = Promise.resolve();
  private readonly listeners = new Set<(e: ResidencyEvent) => void>();
  readonly sticky: ReadonlySet<ModelRole>;

  constructor(private readonly options: ResidencyOptions) {
    this.sticky = new Set(options.sticky ?? ['vad', 'stt', 'tts']);
    if (options.onEvent) this.listeners.add(options.onEvent);
  }

  get budgetMb(): number {
    return this.options.budgetMb;
  }

  /** Memory of every resident model, in MB. */
  get residentMb(): number {
    let sum = 0;
    for (const m of this.models.values()) sum += m.spec.memoryMb;
    return sum;
  }

  /** Resident models, least recently used first. */
  resident(): ResidentModel[] {
    return [...this.models.values()].sort((a, b) => a.lastUsed - b.lastUsed);
  }

  /** Listen to `residency` events; returns the function that stops listening. */
  subscribe(fn: (e: ResidencyEvent) => void): () => void {
    this.listeners.add(fn);
    return () => void this.listeners.delete(fn);
  }

  /**
   * Make `specs` resident for `pipeline` and hold them until the lease is released: unload
   * what the pipeline does not need (sticky roles excepted), make room by least recently
   * used, then load what is missing. Calls are serialised.
   */
  acquire(pipeline: string, specs: readonly ModelSpec[], signal?: AbortSignal): Promise<ResidencyLease> {
    const run = this.queue.then(() => this.doAcquire(pipeline, specs, signal));
    this.queue = run.catch(() => undefined);
    return run;
  }

  /** `acquire` and release at once: the pipeline's models are loaded, nothing is held. */
  async activate(pipeline: string, specs: readonly ModelSpec[], signal?: AbortSignal): Promise<void> {
    (await this.acquire(pipeline, specs, signal)).release();
  }

  private async doAcquire(
    pipeline: string,
    specs: readonly ModelSpec[],
    signal?: AbortSignal,
  ): Promise<ResidencyLease> {
    const needed = new Map<string, ModelSpec>();
    for (const s of specs) if (!needed.has(s.id)) needed.set(s.id, s);
    for (const m of this.resident()) {
      if (needed.has(m.spec.id) || m.holders > 0 || this.sticky.has(m.spec.role)) continue;
      await this.unload(m, `not needed by ${pipeline}`);
    }
    const held: ResidentModel[] = [];
    try {
      for (const spec of needed.values()) {
        signal?.throwIfAborted();
        let m = this.models.get(spec.id);
        if (!m) {
          await this.makeRoom(spec, needed);
          m = await this.load(spec, `needed by ${pipeline}`, signal);
        }
        m.holders++;
        held.push(m);
      }
    } catch (e) {
      for (const m of held) m.holders--;
      throw e;
    }
    for (const m of held) m.lastUsed = ++this.tick;
    let released = false;
    return {
      get: (id) => this.models.get(id)?.loaded,
      release: () => {
        if (released) return;
        released = true;
        for (const m of held) m.holders = Math.max(0, m.holders - 1);
      },
    };
  }

  /** Unload least recently used models the loading one may displace until it fits. */
  private async makeRoom(spec: ModelSpec, needed: ReadonlyMap<string, ModelSpec>): Promise<void> {
    const budget = this.options.budgetMb;
    for (const victim of this.resident()) {
      if (this.residentMb + spec.memoryMb <= budget) return;
      if (needed.has(victim.spec.id) || victim.holders > 0) continue;
      await this.unload(victim, `room for ${spec.id} (least recently used)`);
    }
  }

  private async load(spec: ModelSpec, reason: string, signal?: AbortSignal): Promise<ResidentModel> {
    const t0 = performance.now();
    let loaded: unknown;
    try {
      loaded = await this.options.loader.load(spec, signal);
    } catch (e) {
      this.options.metrics?.residencyLoad({
        model: spec.id,
        outcome: 'failed',
        seconds: (performance.now() - t0) / 1000,
      });
      throw e;
    }
    const m: ResidentModel = { spec, loaded, lastUsed: ++this.tick, holders: 0 };
    this.models.set(spec.id, m);
    const ms = performance.now() - t0;
    this.options.metrics?.residencyLoad({ model: spec.id, outcome: 'loaded', seconds: ms / 1000 });
    const over = this.residentMb > this.options.budgetMb ? ' (over the budget: nothing else could go)' : '';
    this.emit('load', spec, reason + over, ms);
    return m;
  }

  private async unload(m: ResidentModel, reason: string): Promise<void> {
    this.models.delete(m.spec.id);
    const t0 = performance.now();
    try {
      await this.options.loader.unload(m.spec, m.loaded);
    } catch {
      // An engine that fails to free itself is gone from the budget all the same.
    }
    this.options.metrics?.residencyLoad({ model: m.spec.id, outcome: 'evicted' });
    this.emit('unload', m.spec, reason, performance.now() - t0);
  }

  private emit(action: 'load' | 'unload', spec: ModelSpec, reason: string, ms: number): void {
    const e: ResidencyEvent = {
      type: 'residency',
      action,
      model: spec.id,
      role: spec.role,
      memoryMb: spec.memoryMb,
      reason,
      ms: Math.round(ms * 10) / 10,
      residentMb: this.residentMb,
      budgetMb: this.options.budgetMb,
      at: Date.now(),
    };
    for (const fn of this.listeners) {
      try {
        fn(e);
      } catch {
        // A listener never breaks residency.
      }
    }
  }

  /** Unload everything (shutdown). */
  async dispose(): Promise<void> {
    await this.queue;
    for (const m of this.resident()) await this.unload(m, 'shutting down');
  }
}
