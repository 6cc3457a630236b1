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
