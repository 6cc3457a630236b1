/**
 * `fetch_url`: read a web page as text. http and https only, a size and a time limit, and
 * the private-network guard on the first request, on every redirect and on every DNS answer.
 */
import http from 'node:http';
import https from 'node:https';
import * as z from 'zod';
import { checkHost, guardedLookup, type NetPolicy } from './net-guard.js';
import type { Tool } from './types.js';
import { ToolError } from './types.js';

export interface FetchLimits {
  maxBytes: number;
  timeoutMs: number;
  maxRedirects: number;
}

const Input = z
  .object({
    url: z.string().min(1).max(8192).describe('The http or https URL to read'),
  })
  .strict();

export function fetchUrlTool(policy: NetPolicy, limits: FetchLimits): Tool<z.infer<typeof Input>> {
  return {
    name: 'fetch_url',
    description:
      'Read a web page (http or https) and return its readable text. Pages on the local network are refused.',
    input: Input,
    safety: 'safe',
    async execute({ url }, ctx) {
      const page = await fetchGuarded(url, policy, limits, ctx.signal);
      const text = page.contentType.includes('html') ? htmlToText(page.body) : page.body;
      return {
        forModel: `URL: ${page.url}\nStatus: ${page.status}\n\n${text}`,
        forUser: `${page.status} ${page.url} (${page.bytes} bytes${page.truncated ? ', cut at the size limit' : ''})`,
      };
    },
  };
}

export interface FetchedPage {
  url: string;
  status: number;
  contentType: string;
  body: string;
  bytes: number;
  truncated: boolean;
}

/** GET a URL under the guard, following redirects by hand so that each one is checked. */
export async function fetchGuarded(
  raw: string,
  policy: NetPolicy,
  limits: FetchLimits,
  signal: AbortSignal,
): Promise<FetchedPage> {
  const ac = new AbortController();
  const onAbort = (): void => ac.abort();
  signal.addEventListener('abort', onAbort, { once: true });
  const timer = setTimeout(() => ac.abort(), limits.timeoutMs);
  try {
    let url = parseUrl(raw);
    for (let hop = 0; ; hop++) {
      const res = await getOnce(url, policy, limits, ac.signal).catch((e: unknown) => {
        if (e instanceof ToolError) throw e;
        if (ac.signal.aborted) {
          throw signal.aborted
            ? new ToolError('failed', 'cancelled')
            : new ToolError('timeout', `${url.href}: no answer within ${limits.timeoutMs} ms`);
        }
        const cause = (e as { cause?: unknown }).cause;
        if (cause instanceof ToolError) throw cause;
        throw new ToolError('failed', `${url.href}: ${(e as Error).message}`);
      });
      if (res.status >= 300 && res.status < 400 && res.location !== undefined) {
        if (hop >= limits.maxRedirects) {
          throw new ToolError('failed', `${url.href}: more than ${limits.maxRedirects} redirects`);
        }
        url = parseUrl(new URL(res.location, url).href);
        continue;
      }
      return { ...res, url: url.href };
    }
  } finally {
    clearTimeout(timer);
    signal.removeEventListener('abort', onAbort);
  }
}

function parseUrl(raw: string): URL {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new ToolError('invalid_args', `"${raw.slice(0, 200)}" is not a URL`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new ToolError('blocked', `${url.protocol} URLs are not fetched: use http or https`);
  }
  if (url.username || url.password) throw new ToolError('blocked', 'URLs with credentials are not fetched');
  return url;
}

function getOnce(
  url: URL,
  policy: NetPolicy,
  limits: FetchLimits,
  signal: AbortSignal,
): Promise<Omit<FetchedPage, 'url'> & { location?: string | undefined }> {
  checkHost(url.hostname, policy);
  const mod = url.protocol === 'https:' ? https : http;
  return new Promise((resolve, reject) => {
    const req = mod.request(
      url,
      {
        method: 'GET',
        signal,
        lookup: guardedLookup(url.hostname.replace(/^\[|\]$/g, ''), policy),
        headers: { 'user-agent': 'parley-fetch_url', accept: 'text/html, text/plain, */*;q=0.5' },
      },
      (res) => {
        const status = res.statusCode ?? 0;
        const location = res.headers.location;
        if (status >= 300 && status < 400 && location !== undefined) {
          res.resume();
          resolve({ status, contentType: '', body: '', bytes: 0, truncated: false, location });
          return;
        }
        const chunks: Buffer[] = [];
        let bytes = 0;
        let truncated = false;
        res.on('data', (c: Buffer) => {
          if (truncated) return;
          const room = limits.maxBytes - bytes;
          if (c.length > room) {
            chunks.push(c.subarray(0, room));
            bytes += room;
            truncated = true;
            res.destroy();
            finish();
            return;
          }
          chunks.push(c);
          bytes += c.length;
        });
        let done = false;
        const finish = (): void => {
          if (done) return;
          done = true;
          resolve({
            status,
            contentType: String(res.headers['content-type'] ?? ''),
            body: Buffer.concat(chunks).toString('utf8'),
            bytes,
            truncated,
          });
        };
        res.on('end', finish);
        res.on('error', (e) => (truncated ? finish() : reject(e)));
      },
    );
    req.on('error', reject);
    req.end();
  });
}

const ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'", nbsp: ' ' };

/** The readable text of an HTML page: no scripts, styles or tags; blocks on their own lines. */
export function htmlToText(html: string): string {
  const title = /<title[^>]*>([\s\S]*?)<\/title>/i.exec(html)?.[1]?.trim();
  const body = html
    .replace(/<!--[\s\S]*?-->/g, '')
    .replace(/<(script|style|noscript|template|svg|head)\b[\s\S]*?<\/\1\s*>/gi, '')
    .replace(/<(br|hr)\b[^>]*>/gi, '\n')
    .replace(
      /<\/?(p|div|section|article|header|footer|li|ul|ol|h[1-6]|tr|table|pre|blockquote)\b[^>]*>/gi,
      '\n',
    )
    .replace(/<[^>]+>/g, '')
    .replace(/&(#x[0-9a-f]+|#\d+|[a-z]+);/gi, (m, ent: string) => {
      if (ent[0] === '#') {
        const code =
          ent[1] === 'x' || ent[1] === 'X' ? parseInt(ent.slice(2), 16) : parseInt(ent.slice(1), 10);
        return Number.isFinite(code) && code > 0 && code < 0x110000 ? String.fromCodePoint(code) : m;
      }
      return ENTITIES[ent.toLowerCase()] ?? m;
    })
    .split('\n')
    .map((l) => l.replace(/[ \t\r\f\v]+/g, ' ').trim())
    .filter((l, i, a) => l !== '' || (i > 0 && a[i - 1] !== ''))
    .join('\n')
    .trim();
  return title ? `${title}\n\n${body}` : body;
}
