/**
 * Human-readable log lines for a terminal (`--verbose` on a TTY): the JSON line pino wrote,
 * as `12:03:04.512 INFO  turn done  model=local:qwen ttftMs=41 … req=01J…`.
 */

const NAMES: Record<number, string> = {
  10: 'TRACE',
  20: 'DEBUG',
  30: 'INFO',
  40: 'WARN',
  50: 'ERROR',
  60: 'FATAL',
};
const COLORS: Record<number, string> = { 10: '2', 20: '2', 30: '36', 40: '33', 50: '31', 60: '31' };
const SKIP = new Set(['level', 'time', 'msg', 'pid', 'hostname', 'req', 'v']);

function value(v: unknown): string {
  if (typeof v === 'string') return /[\s"=]/.test(v) ? JSON.stringify(v) : v;
  return JSON.stringify(v) ?? String(v);
}

/** Format one JSON log line (returns it unchanged when it is not JSON). */
export function prettyLine(line: string, color = true): string {
  let o: Record<string, unknown>;
  try {
    o = JSON.parse(line) as Record<string, unknown>;
  } catch {
    return line.endsWith('\n') ? line : `${line}\n`;
  }
  const level = typeof o.level === 'number' ? o.level : 30;
  const time = typeof o.time === 'number' ? new Date(o.time).toISOString().slice(11, 23) : '';
  const name = (NAMES[level] ?? String(level)).padEnd(5);
  const paint = (code: string, s: string): string => (color ? `\x1b[${code}m${s}\x1b[0m` : s);
  const fields = Object.entries(o)
    .filter(([k]) => !SKIP.has(k))
    .map(([k, v]) => `${k}=${value(v)}`);
  if (o.req !== undefined) fields.push(paint('2', `req=${value(o.req)}`));
  const msg = typeof o.msg === 'string' ? o.msg : '';
  return `${paint('2', time)} ${paint(COLORS[level] ?? '0', name)} ${msg}${fields.length ? `  ${fields.join(' ')}` : ''}\n`;
}

/** A pino destination that writes pretty lines to `out`. */
export function prettyStream(
  out: { write(s: string): unknown },
  color = true,
): { write(s: string): boolean } {
  return {
    write(chunk: string): boolean {
      for (const line of chunk.split('\n')) if (line) out.write(prettyLine(line, color));
      return true;
    },
  };
}
