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
import { DownloadError, UsageError } from '../errors.js';
import { abortReason } from '../util/abort.js';
import { resolveHf } from './hf.js';
import { get, httpError, safeUrl, message, shaFromHeader } from './http-get.js';

/** A parsed model ref: a Hugging Face repo (with a quant or a file path) or a plain URL. */
export type ModelRef =
  | { kind: 'hf'; org: string; repo: string; quant?: string | undefined; file?: string | undefined }
  | { kind: 'url'; url: string; file: string };

/** Progress of one download; `receivedBytes` includes the resumed part. */
export interface PullProgress {
  file: string;
  receivedBytes: number;
  totalBytes: number | undefined;
  resumedFrom: number;
}

/** Options of `pullModel`. */
export interface PullOptions {
  /** Where model files live; created when missing. */
  modelsDir: string;
  /** Hugging Face endpoint; default `$HF_ENDPOINT`, else https://huggingface.co. */
  hfEndpoint?: string;
  /** Expected sha256 (hex); wins over the hash the server advertises. */
  sha256?: string;
  /** Aborting keeps the `.part` file for a later resume. */
  signal?: AbortSignal;
  onProgress?: (p: PullProgress) => void;
  /** Injected fetch; default the global one. */
  fetch?: typeof fetch;
}

/** What `pullModel` downloaded (or found already there). */
export interface PullResult {
  /** Absolute path of the finished file. */
  path: string;
  file: string;
  bytes: number;
  sha256: string;
  /** True when bytes of an earlier `.part` were kept. */
  resumed: boolean;
  /** What the file was checked against: `opts.sha256`, the server's hash, or nothing. */
  verified: 'expected' | 'server' | 'none';
}

type Job = { partPath: string; file: string; url: string; hash: Hash; opts: PullOptions };

const MAGIC = Buffer.from('GGUF');
const SEGMENT = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;
const REF_HELP = 'use hf:org/repo:QUANT, hf:org/repo/file.gguf or an http(s) URL of a .gguf file';

/** Parse a model ref; throws `UsageError` for anything else. */
export function parseModelRef(ref: string): ModelRef {
  const s = ref.trim();
  if (/^hf:/i.test(s)) {
    const [, org, repo, quant, file] = /^([^/:]+)\/([^/:]+)(?::([^/:]+)|\/(.+))?$/.exec(s.slice(3)) ?? [];
    if (org === undefined || repo === undefined || !SEGMENT.test(org) || !SEGMENT.test(repo)) {
      throw new UsageError(`bad model ref "${s}": ${REF_HELP}`);
    }
    if (file !== undefined && (!/\.gguf$/i.test(file) || !file.split('/').every((p) => SEGMENT.test(p)))) {
      throw new UsageError(`bad model ref "${s}": the file must be a .gguf path inside the repo`);
    }
    return { kind: 'hf', org, repo, quant, file };
  }
  if (!/^https?:\/\//i.test(s)) throw new UsageError(`unknown model ref "${s}": ${REF_HELP}`);
  const url = URL.canParse(s) ? new URL(s) : undefined;
  const last = url?.pathname.split('/').pop() ?? '';
  let file = last;
  try {
    file = decodeURIComponent(last);
  } catch {
    // keep the raw segment
  }
  if (!url || !/\.gguf$/i.test(file) || /[/\\\0]/.test(file) || file.startsWith('.')) {
    throw new UsageError(`model URL ${safeUrl(s)} must end in a .gguf file name`);
  }
  return { kind: 'url', url: url.href, file };
}

/**
 * Download a model file into `opts.modelsDir` and return where it is. Resumes a `.part`
 * left by an earlier try, verifies sha256 (the expected one, else the server's LFS hash)
 * and returns at once when the file is already there (and matches the expected hash).
 */
export async function pullModel(ref: string, opts: PullOptions): Promise<PullResult> {
  const parsed = parseModelRef(ref);
  const expected = normaliseSha(opts.sha256);
  const f = opts.fetch ?? fetch;
  const endpoint = opts.hfEndpoint ?? process.env.HF_ENDPOINT ?? 'https://huggingface.co';
  const { url, file } =
    parsed.kind === 'url' ? parsed : await resolveHf(parsed, endpoint.replace(/\/+$/, ''), f, opts.signal);
  await mkdir(opts.modelsDir, { recursive: true });
  const finalPath = path.resolve(opts.modelsDir, file);
  const partPath = `${finalPath}.part`;

  const existing = await sizeOf(finalPath);
  if (existing !== undefined) {
    const sha256 = await hashFile(finalPath, createHash('sha256'), opts.signal);
    if (expected === undefined || sha256 === expected) {
      const verified = expected === undefined ? 'none' : 'expected';
      return { path: finalPath, file, bytes: existing, sha256, resumed: false, verified };
    }
    // Another file under that name: download again and replace it once verified.
  }

  let have = (await sizeOf(partPath)) ?? 0;
  if (have > 0 && !(await readHead(partPath)).equals(MAGIC)) have = 0; // junk: start over
  for (let attempt = 0; attempt < 2; attempt++, have = 0) {
    const headers: Record<string, string> = { 'accept-encoding': 'identity' };
    if (have > 0) headers.range = `bytes=${have}-`;
    const { res, linkedSha } = await get(f, url, headers, opts.signal);
    const serverSha = linkedSha ?? shaFromHeader(res.headers.get('etag'));
    const range = /^bytes (?:(\d+)-\d+|\*)\/(\d+)$/.exec(res.headers.get('content-range') ?? '');
    const length = res.headers.get('content-length');
    let total = length === null ? undefined : Number(length);
    let resumedFrom = 0;
    if (res.status === 416 && have > 0) {
      await res.body?.cancel();
      // The .part is complete when the server's size is its size; otherwise start over.
      if (Number(range?.[2]) !== have) continue;
      resumedFrom = total = have;
    } else if (!res.ok) {
      await res.body?.cancel();
      throw httpError(url, res.status);
    } else if (res.status === 206) {
      if (Number(range?.[1]) !== have) {
        await res.body?.cancel();
        continue;
      }
      resumedFrom = have;
      total = range?.[2] !== undefined ? Number(range[2]) : total === undefined ? undefined : have + total;
    }
    const hash = createHash('sha256');
    if (resumedFrom > 0) await hashFile(partPath, hash, opts.signal, resumedFrom);
    const bytes =
      res.status === 416 ? have : await receive(res, { partPath, file, url, hash, opts }, resumedFrom, total);
    const sha256 = hash.digest('hex');
    const want = expected ?? serverSha;
    if (want !== undefined && want !== sha256) {
      await rm(partPath, { force: true });
      const from = expected === undefined ? ' (from the server)' : '';
      throw new DownloadError(
        'checksum',
        `checksum mismatch for ${file}: expected sha256 ${want}${from}, got ${sha256}; the download was deleted`,
      );
    }
    await rename(partPath, finalPath);
    const verified = expected !== undefined ? 'expected' : serverSha !== undefined ? 'server' : 'none';
    return { path: finalPath, file, bytes, sha256, resumed: resumedFrom > 0, verified };
  }
  throw new DownloadError('download', `${safeUrl(url)} kept answering with the wrong byte range`);
}

/** Stream the body into the `.part` file (appended to after `resumedFrom` bytes). */
async function receive(res: Response, job: Job, resumedFrom: number, total?: number): Promise<number> {
  const { partPath, file, url, hash, opts } = job;
  if (!res.body) throw new DownloadError('download', `${safeUrl(url)} sent no body`);
  const reader = res.body.getReader();
  const fh = await open(partPath, resumedFrom > 0 ? 'a' : 'w');
  let received = resumedFrom;
  let head = resumedFrom > 0 ? MAGIC : Buffer.alloc(0); // a resumed .part was checked already
  let notGguf = false;
  try {
    opts.onProgress?.({ file, receivedBytes: received, totalBytes: total, resumedFrom });
    for (;;) {
      let chunk: Awaited<ReturnType<typeof reader.read>>;
      try {
        chunk = await reader.read();
      } catch (e) {
        if (opts.signal?.aborted) throw abortReason(opts.signal);
        const why = `download of ${file} was interrupted at ${received} bytes (${message(e)})`;
        throw new DownloadError('download', `${why}; run it again to resume`, { cause: e, retryable: true });
      }
      if (chunk.done) break;
      const buf = Buffer.from(chunk.value.buffer, chunk.value.byteOffset, chunk.value.byteLength);
      if (head.length < MAGIC.length) {
        head = Buffer.concat([head, buf]);
        if (head.length >= MAGIC.length && !head.subarray(0, MAGIC.length).equals(MAGIC)) break;
      }
      hash.update(buf);
      await fh.write(buf);
      received += buf.length;
      opts.onProgress?.({ file, receivedBytes: received, totalBytes: total, resumedFrom });
    }
    notGguf = !head.subarray(0, MAGIC.length).equals(MAGIC);
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
    const why = `download of ${file} stopped at ${received} of ${total} bytes`;
    throw new DownloadError('download', `${why}; run it again to resume`, { retryable: true });
  }
  return received;
}

function normaliseSha(sha: string | undefined): string | undefined {
  const s = sha
    ?.trim()
    .replace(/^sha256:/i, '')
    .toLowerCase();
  if (s !== undefined && !/^[0-9a-f]{64}$/.test(s)) {
    throw new UsageError(`the expected sha256 must be 64 hex characters, got "${sha}"`);
  }
  return s;
}

/** A 64-hex ETag (how the Hub exposes an LFS file's sha256), else undefined. */

async function sizeOf(p: string): Promise<number | undefined> {
  const s = await stat(p).catch(() => undefined);
  return s?.isFile() ? s.size : undefined;
}

async function readHead(p: string): Promise<Buffer> {
  const fh = await open(p, 'r');
  try {
    const { buffer, bytesRead } = await fh.read(Buffer.alloc(MAGIC.length), 0, MAGIC.length, 0);
    return buffer.subarray(0, bytesRead);
  } finally {
    await fh.close();
  }
}

/** Feed the file's first `length` bytes (all by default) into `hash`; returns the digest so far. */
async function hashFile(p: string, hash: Hash, signal?: AbortSignal, length?: number): Promise<string> {
  const end = length === undefined ? undefined : length - 1;
  for await (const chunk of createReadStream(p, { start: 0, end, signal })) hash.update(chunk as Buffer);
  return hash.copy().digest('hex');
}
