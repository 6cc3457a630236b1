/**
 * Reading the Prometheus text exposition format (what `GET /metrics` sends) back into
 * samples: the load tester reads the server's RSS from it, and the tests parse the exporter's
 * output with it. Version 0.0.4 of the format: `# HELP`, `# TYPE`, then
 * `name{label="value",…} number [timestamp]` lines.
 */

/** One sample line. */
export interface PromSample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

/** A metric family: its `# TYPE`, `# HELP` and samples (histogram `_bucket`/`_sum`/`_count` included). */
export interface PromFamily {
  name: string;
  type: string;
  help: string;
  samples: PromSample[];
}

const SAMPLE = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{(.*)\})?\s+(\S+)(?:\s+-?\d+)?$/;
const LABEL = /([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"\s*,?/gy;

function unescapeLabel(v: string): string {
  return v.replace(/\\(.)/g, (_m, c: string) => (c === 'n' ? '\n' : c));
}

/** Special values are case-insensitive, as Go's ParseFloat reads them (prom-client writes `Nan`). */
function parseValue(raw: string): number {
  if (/^\+?inf$/i.test(raw)) return Infinity;
  if (/^-inf$/i.test(raw)) return -Infinity;
  if (/^nan$/i.test(raw)) return NaN;
  const n = Number(raw);
  if (Number.isNaN(n)) throw new Error(`not a number: ${raw}`);
  return n;
}

function parseLabels(body: string, line: string): Record<string, string> {
  const labels: Record<string, string> = {};
  LABEL.lastIndex = 0;
  let m: RegExpExecArray | null;
  while (LABEL.lastIndex < body.length && (m = LABEL.exec(body))) {
    labels[m[1] as string] = unescapeLabel(m[2] as string);
  }
  if (LABEL.lastIndex < body.trim().length) throw new Error(`bad labels in: ${line}`);
  return labels;
}

/** The family a sample belongs to (`x_bucket` of histogram `x` belongs to `x`). */
function familyOf(name: string, types: Map<string, string>): string {
  for (const suffix of ['_bucket', '_sum', '_count', '_total', '_created']) {
    if (!name.endsWith(suffix)) continue;
    const base = name.slice(0, -suffix.length);
    const t = types.get(base);
    if (t === 'histogram' || t === 'summary') return base;
  }
  return name;
}

/** Parse exposition text into families, in the order they appear. Throws on a malformed line. */
export function parsePrometheusText(text: string): Map<string, PromFamily> {
  const families = new Map<string, PromFamily>();
  const types = new Map<string, string>();
  const family = (name: string): PromFamily => {
    let f = families.get(name);
    if (!f) families.set(name, (f = { name, type: types.get(name) ?? 'untyped', help: '', samples: [] }));
    return f;
  };
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (line === '') continue;
    if (line.startsWith('#')) {
      const m = /^#\s+(HELP|TYPE)\s+(\S+)\s?(.*)$/.exec(line);
      if (!m) continue; // a comment
      const name = m[2] as string;
      if (m[1] === 'TYPE') {
        types.set(name, m[3] ?? 'untyped');
        family(name).type = m[3] ?? 'untyped';
      } else {
        family(name).help = (m[3] ?? '').replace(/\\n/g, '\n').replace(/\\\\/g, '\\');
      }
      continue;
    }
    const m = SAMPLE.exec(line);
    if (!m) throw new Error(`not a Prometheus sample line: ${line}`);
    const name = m[1] as string;
    const labels = m[3] === undefined ? {} : parseLabels(m[3], line);
    family(familyOf(name, types)).samples.push({ name, labels, value: parseValue(m[4] as string) });
  }
  return families;
}

/** The sum of the samples named `name` whose labels include `labels` (0 when none). */
export function promValue(
  families: Map<string, PromFamily>,
  name: string,
  labels: Record<string, string> = {},
): number {
  let sum = 0;
  for (const f of families.values()) {
    for (const s of f.samples) {
      if (s.name !== name) continue;
      if (Object.entries(labels).every(([k, v]) => s.labels[k] === v)) sum += s.value;
    }
  }
  return sum;
}
