/** `parley cache stats | clear [--model M]`. */
import path from 'node:path';
import {
  DEFAULT_LOCAL_MODEL,
  EXIT,
  UsageError,
  parseModelName,
  type CacheModelStats,
  type Parley,
} from '@parley/core';
import type { CliArgs } from '../args.js';
import { table, type Output } from '../output.js';

const USAGE = 'use parley cache stats | clear [--model M]';

/**
 * The `provider:model` label the cache keeps a model's answers under, for a name as the user
 * gives it (`provider:model`, an alias, a .gguf path, `local`).
 */
export function cacheLabel(name: string, parley: Parley): string {
  const t = parseModelName(name, parley.config);
  if (t.kind === 'provider') return `${t.provider}:${t.modelId}`;
  if (t.kind !== 'local') return `${t.kind}:${t.name}`;
  const base = t.name || path.basename(t.path ?? DEFAULT_LOCAL_MODEL.file);
  return `local:${base.replace(/\.gguf$/i, '')}`;
}

function mb(bytes: number): string {
  return bytes < 1024 * 1024 ? `${(bytes / 1024).toFixed(1)} KB` : `${(bytes / 1024 / 1024).toFixed(1)} MB`;
}

function row(r: CacheModelStats): string[] {
  const ratio = r.hitRatio === null ? '-' : `${(r.hitRatio * 100).toFixed(1)} %`;
  return [
    r.model === '*' ? 'total' : r.model,
    String(r.hits),
    String(r.misses),
    ratio,
    String(r.entries),
    mb(r.bytes),
  ];
}

export async function runCacheCommand(parley: Parley, args: CliArgs, o: Output): Promise<number> {
  const [sub, ...extra] = args.rest;
  if (extra.length > 0) throw new UsageError(`unexpected ${extra.join(' ')}: ${USAGE}`);
  const cache = parley.responseCache();
  if (sub === 'stats' || sub === undefined) {
    if (args.model !== undefined) throw new UsageError(`parley cache stats shows every model: ${USAGE}`);
    const s = await cache.stats();
    if (args.json) {
      o.out.write(`${JSON.stringify(s)}\n`);
      return EXIT.ok;
    }
    const head = ['model', 'hits', 'misses', 'hit ratio', 'entries', 'bytes'];
    o.out.write(`${table([head, ...s.models.map(row), row(s.total)])}\n`);
    const where = s.persistent ? 'kept in the store' : 'in memory only (cache.persist is off)';
    o.err.write(`answers are ${where}; memory budget ${mb(s.maxBytes)}\n`);
    return EXIT.ok;
  }
  if (sub === 'clear') {
    const model = args.model === undefined ? undefined : cacheLabel(args.model, parley);
    const n = await cache.invalidate(model);
    o.err.write(`cleared ${n} cached answer${n === 1 ? '' : 's'}${model ? ` of ${model}` : ''}\n`);
    return EXIT.ok;
  }
  throw new UsageError(`unknown cache command "${sub}": ${USAGE}`);
}
