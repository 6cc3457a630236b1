/**
 * The sanitiser. API keys, bearer tokens and `Authorization` headers never reach output,
 * errors or logs: every message that leaves parley goes through `redact()`.
 */

const registered = new Set<string>();

/** Remember a secret value so `redact()` removes it wherever it appears. */
export function registerSecret(value: string | undefined | null): void {
  if (typeof value === 'string' && value.length >= 6) registered.add(value);
}

/** Forget every registered secret (tests). */
export function clearSecrets(): void {
  registered.clear();
}

const PATTERNS: RegExp[] = [
  // Authorization: Bearer xyz / Authorization: Basic xyz
  /(authorization["']?\s*[:=]\s*["']?)(?:bearer\s+|basic\s+)?[^\s"',}]+/gi,
  /(bearer\s+)[A-Za-z0-9._~+/=-]{6,}/gi,
  // x-api-key: ..., x-goog-api-key: ..., api_key=..., "apiKey":"..."
  /((?:x-(?:goog-)?api-key|api[_-]?key|apikey|(?:access|auth|api|bearer)[_-]?token)["']?\s*[:=]\s*["']?)[^\s"',}&]{4,}/gi,
  /([?&]token=)[^\s&"']+/gi,
  // The password of a URL's user info (`postgres://user:password@host/db`), however short.
  // (`***`, as parley itself shows a hidden one, is left as it is.)
  /(\b[a-z][a-z0-9+.-]*:\/\/[^\s:/@"']*:)(?!\*\*\*@)[^\s@/"']+(?=@)/gi,
  // Well-known key shapes.
  /\bsk-ant-[A-Za-z0-9_-]{6,}/g,
  /\bsk-[A-Za-z0-9_-]{6,}/g,
  /\bAIza[0-9A-Za-z_-]{10,}/g,
  /\bgsk_[A-Za-z0-9]{6,}/g,
  /\bxai-[A-Za-z0-9]{6,}/g,
];

/** Replace every secret in `text` with `[REDACTED]`. */
export function redact(text: string): string {
  let out = text;
  for (const s of registered) {
    if (out.includes(s)) out = out.split(s).join('[REDACTED]');
  }
  for (const re of PATTERNS) {
    out = out.replace(re, (m, prefix?: string) =>
      typeof prefix === 'string' && m.startsWith(prefix) ? `${prefix}[REDACTED]` : '[REDACTED]',
    );
  }
  return out;
}

/** Show that a key is set without showing it: `sk-…(51 chars)`. */
export function maskKey(key: string | undefined): string | undefined {
  if (key === undefined || key === '') return undefined;
  return `[REDACTED ${key.length} chars]`;
}
