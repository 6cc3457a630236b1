/**
 * Response-cache keys: SHA-256 over canonical JSON of everything that changes an answer.
 *
 * The whole request is canonicalised generically (every field, known or not), so a field added
 * to `ChatRequest` later, such as tools, changes the key without anyone remembering to list it.
 * Object keys are sorted at every level and `undefined` values are left out, so the same
 * request built in a different key order gives the same key; any other change gives another.
 */
import { createHash } from 'node:crypto';
import type { ChatRequest } from '../chat-model.js';

/** Bumped when the key material changes shape, so old entries can never be served. */
export const CACHE_KEY_VERSION = 1;

/** What identifies the model that answers, besides the request. */
export interface CacheKeyModel {
  provider: string;
  modelId: string;
  /**
   * What else tells two models of the same name apart: the GGUF file of a local model, the
   * base URL of a server. Left out when there is nothing.
   */
  identity?: string | undefined;
}

/** Deepest nesting accepted; deeper input (or a cycle) is refused rather than recursed into. */
const MAX_DEPTH = 64;

function sha256Hex(data: string | Uint8Array): string {
  return createHash('sha256').update(data).digest('hex');
}

function bytesOf(v: unknown): Uint8Array | undefined {
  if (v instanceof Uint8Array) return v;
  if (v instanceof ArrayBuffer) return new Uint8Array(v);
  if (ArrayBuffer.isView(v)) return new Uint8Array(v.buffer, v.byteOffset, v.byteLength);
  return undefined;
}

function encode(v: unknown, depth: number): string | undefined {
  if (depth > MAX_DEPTH) throw new TypeError(`cache key: input nested deeper than ${MAX_DEPTH} levels`);
  switch (typeof v) {
    case 'undefined':
    case 'function':
    case 'symbol':
      return undefined;
    case 'string':
    case 'boolean':
      return JSON.stringify(v);
    case 'number':
      return Number.isFinite(v) ? JSON.stringify(v) : `{"$number":${JSON.stringify(String(v))}}`;
    case 'bigint':
      return `{"$bigint":${JSON.stringify(v.toString())}}`;
    default:
      break;
  }
  if (v === null) return 'null';
  const bytes = bytesOf(v);
  // Image bytes are hashed: the key stays small and still changes with every byte.
  if (bytes) return `{"$bytes":"${sha256Hex(bytes)}","length":${bytes.byteLength}}`;
  if (v instanceof Date) return JSON.stringify(v.toISOString());
  if (Array.isArray(v)) return `[${v.map((x) => encode(x, depth + 1) ?? 'null').join(',')}]`;
  const obj = v as Record<string, unknown>;
  const parts: string[] = [];
  for (const k of Object.keys(obj).sort()) {
    const e = encode(obj[k], depth + 1);
    if (e !== undefined) parts.push(`${JSON.stringify(k)}:${e}`);
  }
  return `{${parts.join(',')}}`;
}

/**
 * Canonical JSON: object keys sorted (by UTF-16 code unit), `undefined` and functions left out,
 * binary data replaced by its SHA-256 and length, non-finite numbers kept distinct from null.
 */
export function canonicalJson(value: unknown): string {
  return encode(value, 0) ?? 'null';
}

/** The cache key (64 hex digits) of a request to a model. */
export function cacheKey(model: CacheKeyModel, request: ChatRequest): string {
  return sha256Hex(
    canonicalJson({
      v: CACHE_KEY_VERSION,
      provider: model.provider,
      model: model.modelId,
      identity: model.identity,
      request,
    }),
  );
}

/**
 * True when a request asks for a reproducible answer: temperature 0, or no temperature on the
 * local engine (which samples greedily by default). Only these are cached unless forced.
 */
export function isDeterministic(provider: string, request: ChatRequest): boolean {
  if (request.temperature === 0) return true;
  return request.temperature === undefined && provider === 'local';
}
