/** Where the CLI writes: the answer to stdout, everything else to stderr, colour only on a TTY. */

export interface Output {
  out: NodeJS.WritableStream;
  err: NodeJS.WritableStream;
  color: boolean;
}

export function defaultOutput(env: NodeJS.ProcessEnv = process.env): Output {
  const color = Boolean(process.stderr.isTTY) && env.NO_COLOR === undefined && env.TERM !== 'dumb';
  return { out: process.stdout, err: process.stderr, color };
}

const CODES = { red: 31, yellow: 33, dim: 2, cyan: 36 } as const;

export function paint(o: Output, color: keyof typeof CODES, text: string): string {
  return o.color ? `\u001b[${CODES[color]}m${text}\u001b[0m` : text;
}

/** Columns padded to their widest cell, the first left-aligned, the others (numbers) right-aligned. */
export function table(rows: string[][]): string {
  const widths = rows[0]?.map((_, i) => Math.max(...rows.map((r) => (r[i] ?? '').length))) ?? [];
  return rows
    .map((r) => r.map((c, i) => (i === 0 ? c.padEnd(widths[i] ?? 0) : c.padStart(widths[i] ?? 0))).join('  '))
    .join('\n');
}
