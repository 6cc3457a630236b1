/** The server's resident memory, read from its Prometheus `/metrics` (parley's, or any Node server's). */
import { parsePrometheusText, promValue } from '@parley/core/observability';

/** The HTTP base URL of a `ws://…/ws` or `http://…` URL. */
export function httpBase(url: string): string {
  const u = new URL(url);
  u.protocol = u.protocol === 'wss:' ? 'https:' : u.protocol === 'ws:' ? 'http:' : u.protocol;
  u.pathname = '/';
  u.search = '';
  return u.toString().replace(/\/$/, '');
}

/** What the load tester reads from the server's `/metrics` (each undefined when absent). */
export interface ServerGauges {
  rssBytes: number | undefined;
  /** `parley_ws_sessions_open`: WebSocket connections with a session. */
  wsSessions: number | undefined;
}

/** RSS and open sessions from the server's `/metrics`, or undefined when it cannot be read. */
export async function readServerGauges(
  base: string,
  token: string | undefined,
  timeoutMs = 5000,
): Promise<ServerGauges | undefined> {
  try {
    const res = await fetch(`${base}/metrics`, {
      headers: token ? { authorization: `Bearer ${token}` } : {},
      signal: AbortSignal.timeout(timeoutMs),
    });
    if (res.status !== 200) return undefined;
    const families = parsePrometheusText(await res.text());
    const rss =
      promValue(families, 'parley_process_memory_bytes', { kind: 'rss' }) ||
      promValue(families, 'process_resident_memory_bytes');
    return {
      rssBytes: rss > 0 ? rss : undefined,
      wsSessions: families.has('parley_ws_sessions_open')
        ? promValue(families, 'parley_ws_sessions_open')
        : undefined,
    };
  } catch {
    return undefined;
  }
}
