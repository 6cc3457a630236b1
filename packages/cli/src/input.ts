/** Prompt input: stdin joined to the prompt, control characters stripped, length checked. */
import { UsageError } from '@parley/core';

/** Remove control characters except newline and tab (and normalise CRLF). */
export function stripControl(text: string): string {
  // eslint-disable-next-line no-control-regex
  return text.replace(/\r\n?/g, '\n').replace(/[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/g, '');
}

/** Join the prompt and piped input, clean them, and check they are usable. */
export function buildPrompt(prompt: string | undefined, stdin: string | undefined, maxChars: number): string {
  const parts = [prompt, stdin]
    .map((p) => (p === undefined ? '' : stripControl(p)))
    .filter((p) => p.trim() !== '');
  const text = parts.join('\n\n');
  if (text.trim() === '') {
    throw new UsageError('the prompt is empty: give one as an argument (parley "question") or pipe text in');
  }
  if (text.length > maxChars) {
    throw new UsageError(
      `the prompt is ${text.length} characters, more than the limit of ${maxChars} (set max_input_chars in config.toml or PARLEY_MAX_INPUT_CHARS)`,
    );
  }
  return text;
}

/** Read all of stdin when it is piped; undefined on a TTY. */
export async function readStdin(stream: NodeJS.ReadStream = process.stdin): Promise<string | undefined> {
  if (stream.isTTY) return undefined;
  const chunks: Buffer[] = [];
  for await (const c of stream) chunks.push(typeof c === 'string' ? Buffer.from(c) : (c as Buffer));
  return Buffer.concat(chunks).toString('utf8');
}
