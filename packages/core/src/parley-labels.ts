/** Small helpers of the Parley class: errors as events, model names as logs show them. */
import path from 'node:path';
import { ParleyError, describeError } from './errors.js';
import type { ErrorInfo } from './events.js';

/** Any thrown value as the `error` event's info (a ParleyError keeps its code). */
export function errorInfo(e: unknown): ErrorInfo {
  return ParleyError.is(e) ? e.toInfo() : { code: 'runtime', message: describeError(e), retryable: false };
}

/** A model name as logs and metrics show it: a GGUF path as `local:NAME`, never the path. */
export function requestedLabel(name: string): string {
  return /[/\\]|\.gguf$/i.test(name) ? `local:${path.basename(name).replace(/\.gguf$/i, '')}` : name;
}
