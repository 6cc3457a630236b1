/** Hugging Face refs: from `hf:org/repo:QUANT` to one `.gguf` file's download URL. */
import path from 'node:path';
import { DownloadError, ModelNotFoundError } from '../errors.js';
import type { ModelRef } from './download.js';
import { get, httpError } from './http-get.js';

type HfRef = Extract<ModelRef, { kind: 'hf' }>;
/** Where to download a resolved file from. */
export type Source = { url: string; file: string };

const SPLIT = /-\d{5}-of-\d{5}\.gguf$/i;
const QUANT = /(?:^|[-._])((?:i?q\d|bf16|f16|f32)[a-z0-9_]*)(?=[-.])/i;

/** Resolve an `hf:` ref to a download URL, through the Hub API when it names a quant. */
export async function resolveHf(
  ref: HfRef,
  hub: string,
  f: typeof fetch,
  signal?: AbortSignal,
): Promise<Source> {
  const repoId = `${ref.org}/${ref.repo}`;
  let chosen = ref.file;
  if (chosen === undefined) {
    const api = `${hub}/api/models/${repoId}`;
    const { res } = await get(f, api, { accept: 'application/json' }, signal);
    if (!res.ok) {
      await res.body?.cancel();
      throw httpError(api, res.status);
    }
    const json = (await res.json().catch(() => undefined)) as { siblings?: unknown } | undefined;
    if (!Array.isArray(json?.siblings)) throw new DownloadError('download', `${api} sent no file list`);
    const names = json.siblings
      .map((s) => (s as { rfilename?: unknown } | null)?.rfilename)
      .filter((n): n is string => typeof n === 'string' && /\.gguf$/i.test(n));
    chosen = pickGguf(names, ref.quant, repoId);
  }
  const encoded = chosen.split('/').map(encodeURIComponent).join('/');
  return { url: `${hub}/${repoId}/resolve/main/${encoded}`, file: path.posix.basename(chosen) };
}

/** The one single-file `.gguf` whose name contains `quant` (case-insensitive). */
export function pickGguf(files: string[], quant: string | undefined, repoId: string): string {
  const base = (f: string): string => path.posix.basename(f);
  const models = files.filter((f) => !/mmproj/i.test(base(f)) && !SPLIT.test(f));
  if (models.length === 0) {
    const split = files.some((f) => SPLIT.test(f)) ? ' (split models are not supported yet)' : '';
    throw new ModelNotFoundError(`${repoId} has no single-file .gguf model${split}`);
  }
  const available = [...new Set(models.map((f) => QUANT.exec(base(f))?.[1]?.toUpperCase() ?? base(f)))];
  const q = quant?.toLowerCase();
  let hits = q === undefined ? models : models.filter((f) => base(f).toLowerCase().includes(q));
  if (q !== undefined && hits.length > 1) {
    // Prefer a whole name part: Q4_K picks x-Q4_K.gguf over x-Q4_K_M.gguf.
    const token = new RegExp(`(?:^|[-.])${q.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}(?=[-.])`);
    const exact = hits.filter((f) => token.test(base(f).toLowerCase()));
    if (exact.length === 1) hits = exact;
  }
  const [only] = hits;
  if (hits.length === 1 && only !== undefined) return only;
  const list = `available quants: ${available.join(', ')}`;
  if (quant === undefined) {
    throw new ModelNotFoundError(
      `${repoId} has several .gguf files; pick one as hf:${repoId}:QUANT (${list})`,
    );
  }
  if (hits.length === 0)
    throw new ModelNotFoundError(`${repoId} has no .gguf file for quant ${quant}; ${list}`);
  throw new ModelNotFoundError(
    `quant ${quant} is ambiguous in ${repoId} (${hits.map(base).join(', ')}); ${list}`,
  );
}
