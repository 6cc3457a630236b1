/**
 * Downloading GGUF model files for the local engine (`parley models pull`). A ref is a
 * Hugging Face repo and quant (`hf:org/repo:Q4_K_M`), a file in a repo
 * (`hf:org/repo/file.gguf`) or an http(s) URL of a `.gguf` file. Bytes go to
 * `<file>.part`, which a later pull resumes with a `Range` request; the whole file is
 * checked with sha256 and only then renamed into place.
 */
import { createHash, type Hash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { mkdir, open, rename, rm, stat } from 'node:fs/promises';
import path from 'node:path';
import { DownloadError, ModelNotFoundError, UsageError } from '../errors.js';
import { abortReason } from '../util/abort.js';

/** A parsed model ref: a Hugging Face repo (with a quant or a file) or a plain URL. */
export type ModelRef =
  | { kind: 'hf'; org: string; repo: string; quant?: string | undefined; file?: string | undefined }
  | { kind: 'url'; url: string; file: string };

/** Progress of one download; `receivedBytes` counts the resumed part too. */
export interface PullProgress {
  file: string;
  receivedBytes: number;
  totalBytes: number | undefined;
  resumedFrom: number;
}

export interface PullOptions {
  /** Where model files live; created when missing. */
  modelsDir: string;
  /** Hugging Face endpoint; default `$HF_ENDPOINT` or https://huggingface.co. */
  hfEndpoint?: string;
  /** Expected sha256 (hex); wins over the hash the server advertises. */
  sha256?: string;
  /** Aborting keeps the `.part` file for a later resume. */
  signal?: AbortSignal;
  onProgress?: (p: PullProgress) => void;
  /** Injected fetch (tests); default the global one. */
  fetch?: typeof fetch;
}

export interface PullResult {
  /** Absolute path of the finished file. */
  path: string;
  file: string;
  bytes: number;
  sha256: string;
  /** True when bytes from an earlier `.part` were kept. */
  resumed: boolean;
  /** Which hash the file was checked against: `opts.sha256`, the server's, or none. */
  verified: 'expected' | 'server' | 'none';
}

const MAGIC = Buffer.from('GGUF');
const SEGMENT = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;
const SPLIT = /-\d{5}-of-\d{5}\.gguf$/i;
const QUANT = /(?:^|[-._])((?:i?q\d|bf16|f16|f32)[a-z0-9_]*)(?=[-.])/i;
const REF_HELP = 'use hf:org/repo:QUANT, hf:org/repo/file.gguf or an http(s) URL of a .gguf file';

/** Parse a model ref; throws `UsageError` for anything else. */
export function parseModelRef(ref: string): ModelRef {
  const s = ref.trim();
  if (/^hf:/i.test(s)) {
    const m = /^([^/:]+)\/([^/:]+)(?::([^/:]+)|\/(.+))?$/.exec(s.slice(3));
    const [, org, repo, quant, file] = m ?? [];
    if (org === undefined || repo === undefined || !SEGMENT.test(org) || !SEGMENT.test(repo)) {
      throw new UsageError(`bad model ref "${s}": ${REF_HELP}`);
    }
    if (file !== undefined && (!/\.gguf$/i.test(file) || file.split('/').some((p) => !SEGMENT.test(p)))) {
      throw new UsageError(`bad model ref "${s}": the file must be a .gguf path inside the repo`);
    }
    return { kind: 'hf', org, repo, quant, file };
  }
  if (/^https?:\/\//i.test(s)) {
    let url: URL;
    try {
      url = new URL(s);
    } catch {
      throw new UsageError(`bad model URL "${safeUrl(s)}"`);
    }
    const last = url.pathname.split('/').pop() ?? '';
    let file = last;
    try {
      file = decodeURIComponent(last);
    } catch {
      // keep the raw segment; the check below rejects it if unusable
    }
    if (!/\.gguf$/i.test(file) || /[/\\\0]/.test(file) || file.startsWith('.')) {
      throw new UsageError(`model URL ${safeUrl(s)} must end in a .gguf file name`);
    }
    return { kind: 'url', url: url.href, file };
  }
  throw new UsageError(`unknown model ref "${s}": ${REF_HELP}`);
}

/**
 * Download a model file into `opts.modelsDir` and return where it is. Resumes a `.part`
 * left by an earlier try, verifies sha256 (expected, else the server's LFS hash) and
 * returns at once when the file is already there (and matches the expected hash).
 */
export async function pullModel(ref: string, opts: PullOptions): Promise<PullResult> {
  const parsed = parseModelRef(ref);
  const expected = normaliseSha(opts.sha256);
  const f = opts.fetch ?? fetch;
  const endpoint = (opts.hfEndpoint ?? process.env.HF_ENDPOINT ?? 'https://huggingface.co').replace(
    /\/+$/,
    '',
  );
  const { url, file } = parsed.kind === 'url' ? parsed : await resolveHf(parsed, endpoint, f, opts.signal);
  await mkdir(opts.modelsDir, { recursive: true });
  const finalPath = path.resolve(opts.modelsDir, file);
  const partPath = `${finalPath}.part`;

  const existing = await sizeOf(finalPath);
  if (existing !== undefined) {
    const sha = await hashFile(finalPath, createHash('sha256'), opts.signal);
    if (expected === undefined || sha === expected) {
      const verified = expected === undefined ? 'none' : 'expected';
      return { path: finalPath, file, bytes: existing, sha256: sha, resumed: false, verified };
    }
    // A different file under that name: download again, replace it once verified.
  }

  let have = (await sizeOf(partPath)) ?? 0;
  if (have > 0 && (have < MAGIC.length || !(await readHead(partPath)).equals(MAGIC))) have = 0;
  for (let attempt = 0; attempt < 2; attempt++, have = 0) {
    const headers: Record<string, string> = { 'accept-encoding': 'identity' };
    if (have > 0) headers.range = `bytes=${have}-`;
    const { res, linkedSha } = await get(f, url, headers, opts.signal);
    const serverSha = linkedSha ?? shaFromHeader(res.headers.get('etag'));
    const range = parseContentRange(res.headers.get('content-range'));
    let resumedFrom = 0;
    let total = numberHeader(res.headers.get('content-length'));
    let complete = false;
    if (res.status === 416 && have > 0) {
      await res.body?.cancel();
      if (range?.total !== have) continue; // the .part is not the file the server has: start over
      complete = true;
      resumedFrom = have;
      total = have;
    } else if (!res.ok) {
      await res.body?.cancel();
      throw httpError(url, res.status);
    } else if (res.status === 206) {
      if (range?.start !== have) {
        await res.body?.cancel();
        continue;
      }
      resumedFrom = have;
      total = range.total ?? (total === undefined ? undefined : have + total);
    }
    const hash = createHash('sha256');
    if (resumedFrom > 0) await hashFile(partPath, hash, opts.signal, resumedFrom);
    const bytes = complete
      ? have
      : await receive(res, { partPath, file, url, resumedFrom, total, hash, opts });
    const sha256 = hash.digest('hex');
    const want = expected ?? serverSha;
    if (want !== undefined && want !== sha256) {
      await rm(partPath, { force: true });
      throw new DownloadError(
        'checksum',
        `checksum mismatch for ${file}: expected sha256 ${want}${expected ? '' : ' (from the server)'}, ` +
          `got ${sha256}; the download was deleted`,
      );
    }
    await rename(partPath, finalPath);
    const verified = expected !== undefined ? 'expected' : serverSha !== undefined ? 'server' : 'none';
    return { path: finalPath, file, bytes, sha256, resumed: resumedFrom > 0, verified };
  }
  throw new DownloadError('download', `${safeUrl(url)} kept answering with the wrong byte range`);
}

interface ReceiveArgs {
  partPath: string;
  file: string;
  url: string;
  resumedFrom: number;
  total: number | undefined;
  hash: Hash;
  opts: PullOptions;
}

/** Stream the body into the `.part` file (appending after `resumedFrom` bytes). */
async function receive(res: Response, a: ReceiveArgs): Promise<number> {
  const { partPath, file, url, resumedFrom, total, hash, opts } = a;
  if (!res.body) throw new DownloadError('download', `${safeUrl(url)} sent no body`);
  const reader = res.body.getReader();
  const fh = await open(partPath, resumedFrom > 0 ? 'a' : 'w');
  let received = resumedFrom;
  let pending: Buffer | undefined = resumedFrom > 0 ? undefined : Buffer.alloc(0);
  const write = async (chunk: Buffer): Promise<void> => {
    hash.update(chunk);
    await fh.write(chunk);
    received += chunk.length;
    opts.onProgress?.({ file, receivedBytes: received, totalBytes: total, resumedFrom });
  };
  let notGguf = false;
  try {
    opts.onProgress?.({ file, receivedBytes: received, totalBytes: total, resumedFrom });
    for (;;) {
      let chunk: Awaited<ReturnType<typeof reader.read>>;
      try {
        chunk = await reader.read();
      } catch (e) {
        if (opts.signal?.aborted) throw abortReason(opts.signal);
        throw new DownloadError(
          'download',
          `download of ${file} was interrupted at ${received} bytes (${message(e)}); run it again to resume`,
          { cause: e, retryable: true },
        );
      }
      if (chunk.done) break;
      const buf = Buffer.from(chunk.value.buffer, chunk.value.byteOffset, chunk.value.byteLength);
      if (pending === undefined) {
        await write(buf);
        continue;
      }
      // A fresh download: hold bytes back until the GGUF magic has been seen.
      pending = Buffer.concat([pending, buf]);
      if (pending.length < MAGIC.length) continue;
      if (!pending.subarray(0, MAGIC.length).equals(MAGIC)) {
        notGguf = true;
        break;
      }
      const head = pending;
      pending = undefined;
      await write(head);
    }
    if (pending !== undefined) notGguf = true;
  } finally {
    if (notGguf) await reader.cancel().catch(() => undefined);
    await fh.close();
  }
  if (notGguf) {
    await rm(partPath, { force: true });
    const type = res.headers.get('content-type');
    throw new DownloadError(
      'download',
      `${safeUrl(url)} did not return a GGUF model file (it does not start with "GGUF"` +
        `${type ? `; content-type ${type}` : ''}); check the ref or URL`,
    );
  }
  if (total !== undefined && received !== total) {
    throw new DownloadError(
      'download',
      `download of ${file} stopped at ${received} of ${total} bytes; run it again to resume`,
      { retryable: true },
    );
  }
  return received;
}

/** Resolve an `hf:` ref to a download URL through the Hub API. */
async function resolveHf(
  ref: Extract<ModelRef, { kind: 'hf' }>,
  endpoint: string,
  f: typeof fetch,
  signal: AbortSignal | undefined,
): Promise<{ url: string; file: string }> {
  const repoId = `${ref.org}/${ref.repo}`;
  let chosen = ref.file;
  if (chosen === undefined) {
    const api = `${endpoint}/api/models/${repoId}`;
    const { res } = await get(f, api, { accept: 'application/json' }, signal);
    if (!res.ok) {
      await res.body?.cancel();
      throw httpError(api, res.status);
    }
    let siblings: unknown;
    try {
      siblings = ((await res.json()) as { siblings?: unknown }).siblings;
    } catch (e) {
      throw new DownloadError('download', `${api} did not return the repo's file list`, { cause: e });
    }
    const names = (Array.isArray(siblings) ? siblings : [])
      .map((s) => (s as { rfilename?: unknown } | null)?.rfilename)
      .filter((n): n is string => typeof n === 'string' && /\.gguf$/i.test(n));
    chosen = pickGguf(names, ref.quant, repoId);
  }
  const encoded = chosen.split('/').map(encodeURIComponent).join('/');
  return { url: `${endpoint}/${repoId}/resolve/main/${encoded}`, file: path.posix.basename(chosen) };
}

/** Choose the one `.gguf` in a repo whose name contains `quant` (case-insensitive). */
function pickGguf(files: string[], quant: string | undefined, repoId: string): string {
  const models = files.filter((f) => !/mmproj/i.test(path.posix.basename(f)) && !SPLIT.test(f));
  const available = [...new Set(models.map((f) => quantOf(f)))].join(', ') || 'none';
  if (models.length === 0) {
    const split = files.some((f) => SPLIT.test(f)) ? ' (split models are not supported yet)' : '';
    throw new ModelNotFoundError(`${repoId} has no single-file .gguf model${split}`);
  }
  const q = quant?.toLowerCase();
  let hits =
    q === undefined ? models : models.filter((f) => path.posix.basename(f).toLowerCase().includes(q));
  if (q !== undefined && hits.length > 1) {
    const token = new RegExp(`(?:^|[-.])${q.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}(?=[-.])`);
    const exact = hits.filter((f) => token.test(path.posix.basename(f).toLowerCase()));
    if (exact.length === 1) hits = exact;
  }
  const [only] = hits;
  if (hits.length === 1 && only !== undefined) return only;
  if (hits.length === 0) {
    throw new ModelNotFoundError(
      `${repoId} has no .gguf file for quant ${quant}; available quants: ${available}`,
    );
  }
  const names = hits.map((f) => path.posix.basename(f)).join(', ');
  throw new ModelNotFoundError(
    quant === undefined
      ? `${repoId} has several .gguf files; name one as hf:${repoId}:QUANT (available quants: ${available})`
      : `quant ${quant} is ambiguous in ${repoId} (${names}); available quants: ${available}`,
  );
}

function quantOf(file: string): string {
  const base = path.posix.basename(file);
  return QUANT.exec(base)?.[1]?.toUpperCase() ?? base;
}

/** GET with redirects followed by hand, so a hop's `x-linked-etag` (the LFS sha256) is seen. */
async function get(
  f: typeof fetch,
  url: string,
  headers: Record<string, string>,
  signal: AbortSignal | undefined,
): Promise<{ res: Response; linkedSha: string | undefined }> {
  let current = url;
  let linkedSha: string | undefined;
  for (let hop = 0; hop <= 10; hop++) {
    let res: Response;
    try {
      res = await f(current, { headers, signal, redirect: 'manual' });
    } catch (e) {
      if (signal?.aborted) throw abortReason(signal);
      throw new DownloadError('download', `cannot reach ${safeUrl(current)}: ${message(e)}`, {
        cause: e,
        retryable: true,
      });
    }
    linkedSha ??= shaFromHeader(res.headers.get('x-linked-etag'));
    const location = res.headers.get('location');
    if (res.status < 300 || res.status >= 400 || location === null) return { res, linkedSha };
    await res.body?.cancel();
    current = new URL(location, current).href;
  }
  throw new DownloadError('download', `too many redirects from ${safeUrl(url)}`);
}

function httpError(url: string, status: number): DownloadError {
  const hint =
    status === 404
      ? ' (not found)'
      : status === 401 || status === 403
        ? ' (private or gated; not allowed)'
        : '';
  return new DownloadError('download', `GET ${safeUrl(url)} failed: HTTP ${status}${hint}`, {
    retryable: status === 408 || status === 429 || status >= 500,
  });
}

/** The URL without query, fragment or credentials, which may carry tokens. */
function safeUrl(raw: string): string {
  try {
    const u = new URL(raw);
    u.search = '';
    u.hash = '';
    u.username = '';
    u.password = '';
    return u.href;
  } catch {
    return raw.replace(/[?#].*$/, '');
  }
}

function normaliseSha(sha: string | undefined): string | undefined {
  if (sha === undefined) return undefined;
  const s = sha
    .trim()
    .toLowerCase()
    .replace(/^sha256:/, '');
  if (!/^[0-9a-f]{64}$/.test(s))
    throw new UsageError(`expected sha256 must be 64 hex characters, got "${sha}"`);
  return s;
}

/** A 64-hex ETag (how the Hub exposes an LFS file's sha256), else undefined. */
function shaFromHeader(v: string | null): string | undefined {
  const s = v?.trim().replace(/^W\//, '').replace(/^"|"$/g, '').toLowerCase();
  return s !== undefined && /^[0-9a-f]{64}$/.test(s) ? s : undefined;
}

function parseContentRange(
  v: string | null,
): { start: number | undefined; total: number | undefined } | undefined {
  const m = v === null ? null : /^bytes\s+(?:(\d+)-\d+|\*)\/(\d+|\*)$/i.exec(v.trim());
  if (!m) return undefined;
  return {
    start: m[1] === undefined ? undefined : Number(m[1]),
    total: m[2] === '*' ? undefined : Number(m[2]),
  };
}

function numberHeader(v: string | null): number | undefined {
  return v !== null && /^\d+$/.test(v.trim()) ? Number(v) : undefined;
}

async function sizeOf(p: string): Promise<number | undefined> {
  try {
    const s = await stat(p);
    return s.isFile() ? s.size : undefined;
  } catch {
    return undefined;
  }
}

async function readHead(p: string): Promise<Buffer> {
  const fh = await open(p, 'r');
  try {
    const buf = Buffer.alloc(MAGIC.length);
    const { bytesRead } = await fh.read(buf, 0, buf.length, 0);
    return buf.subarray(0, bytesRead);
  } finally {
    await fh.close();
  }
}

/** Feed the file's first `length` bytes (all by default) into `hash`; returns the hex digest so far. */
async function hashFile(p: string, hash: Hash, signal?: AbortSignal, length?: number): Promise<string> {
  const end = length === undefined ? undefined : length - 1;
  for await (const chunk of createReadStream(p, { start: 0, end, signal })) hash.update(chunk as Buffer);
  return hash.copy().digest('hex');
}

function message(e: unknown): string {
  if (!(e instanceof Error)) return String(e);
  return e.cause instanceof Error ? `${e.message}: ${e.cause.message}` : e.message;
}
