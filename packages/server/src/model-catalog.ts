/**
 * The models the server offers (`GET /v1/models`, the WebSocket's `ready`) and the check
 * that keeps clients to them: a client names a listed id or a `provider:model` of a remote
 * provider, never a path on the server's disk.
 */
import type { Parley } from '@parley/core';
import { CANNED_NAMES, defaultModelName, listModels, parseModelName } from '@parley/core';

/** One entry of `GET /v1/models`. */
export interface ModelEntry {
  /** What clients send as `model`. */
  id: string;
  /** The name handed to the core (may be a path: never sent to clients). */
  name: string;
  /** Who provides it: `local`, `canned`, `alias` or the provider name. */
  ownedBy: string;
  /** Unix seconds (the file's time for local models). */
  created: number;
}

/** Lists models and maps a client's model id to a name the core resolves. */
export class ModelCatalog {
  private readonly startedAt = Math.floor(Date.now() / 1000);

  constructor(private readonly parley: Parley) {}

  /** The id of the configured default model. */
  defaultId(): string {
    const name = defaultModelName(this.parley.config);
    return this.idFor(name);
  }

  private idFor(name: string): string {
    try {
      const t = parseModelName(name, this.parley.config);
      if (t.kind === 'local' && t.path !== undefined) return `local:${t.name}`;
    } catch {
      // an invalid configured name is listed as it is; using it reports the error
    }
    return name;
  }

  private ownerOf(name: string): string {
    try {
      const t = parseModelName(name, this.parley.config);
      return t.kind === 'provider' ? t.provider : t.kind;
    } catch {
      return 'parley';
    }
  }

  /** The default, the aliases, the downloaded local models and the canned texts, without duplicates. */
  async list(): Promise<ModelEntry[]> {
    const config = this.parley.config;
    const out = new Map<string, ModelEntry>();
    const add = (e: ModelEntry): void => {
      if (!out.has(e.id)) out.set(e.id, e);
    };
    const def = defaultModelName(config);
    add({ id: this.idFor(def), name: def, ownedBy: this.ownerOf(def), created: this.startedAt });
    for (const alias of Object.keys(config.aliases)) {
      add({ id: alias, name: alias, ownedBy: 'alias', created: this.startedAt });
    }
    for (const f of await listModels(this.parley.paths.models).catch(() => [])) {
      add({
        id: `local:${f.name}`,
        name: f.path,
        ownedBy: 'local',
        created: Math.floor(f.modifiedAt.getTime() / 1000),
      });
    }
    for (const n of CANNED_NAMES) {
      add({
        id: n === 'lorem' ? 'canned' : `canned:${n}`,
        name: `canned:${n}`,
        ownedBy: 'canned',
        created: 0,
      });
    }
    return [...out.values()];
  }

  /**
   * The core's name for a client's model id, or `undefined` when the server does not offer it.
   * Listed ids, `canned:NAME` and `provider:model` of non-local providers are offered.
   */
  async resolve(id: string): Promise<string | undefined> {
    const listed = (await this.list()).find((e) => e.id === id);
    if (listed) return listed.name;
    let target;
    try {
      target = parseModelName(id, this.parley.config);
    } catch {
      return undefined;
    }
    if (target.kind === 'canned')
      return (CANNED_NAMES as readonly string[]).includes(target.name) ? id : undefined;
    if (target.kind === 'provider') return id;
    return undefined;
  }
}
