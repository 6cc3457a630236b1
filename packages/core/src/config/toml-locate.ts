/** Finds the line of a key in TOML source, so config errors can say where. */

/** 1-based line of `keyPath` (e.g. ['local', 'threads']) in `source`, when found. */
export function locateTomlKey(source: string, keyPath: readonly (string | number)[]): number | undefined {
  const keys = keyPath.filter((k): k is string => typeof k === 'string');
  if (keys.length === 0) return undefined;
  const lines = source.split(/\r?\n/);
  let table: string[] = [];
  for (let i = 0; i < lines.length; i++) {
    const line = (lines[i] ?? '').trim();
    const header = /^\[\[?\s*([^\]]+?)\s*\]\]?/.exec(line);
    if (header) {
      table = splitKey(header[1] ?? '');
      if (sameStart(keys, table) && keys.length === table.length) return i + 1;
      continue;
    }
    const assign = /^((?:"[^"]*"|'[^']*'|[A-Za-z0-9_.\- ])+?)\s*=/.exec(line);
    if (!assign) continue;
    const full = [...table, ...splitKey(assign[1] ?? '')];
    if (sameStart(keys, full) || sameStart(full, keys)) return i + 1;
  }
  return undefined;
}

function splitKey(k: string): string[] {
  return k
    .split('.')
    .map((s) => s.trim().replace(/^["']|["']$/g, ''))
    .filter(Boolean);
}

function sameStart(a: readonly string[], b: readonly string[]): boolean {
  if (b.length === 0 || b.length > a.length) return false;
  return b.every((k, i) => a[i] === k);
}
