/**
 * `parley chat` without a terminal: a plain line-by-line REPL. Each line is a message (a
 * line ending in `\` goes on to the next) or a slash command. Answers go to stdout as they
 * stream, everything else to stderr, so `printf 'hi\nmore\n' | parley chat > out.txt` works.
 * No Ink, no React, no markdown: this loads nothing the one-shot does not.
 */
import { createInterface } from 'node:readline';
import { EXIT, StreamError, exitCodeFor } from '@parley/core';
import { paint, type Output } from '../output.js';
import { runSlash } from './commands.js';
import type { ChatSession } from './session.js';

export async function runRepl(
  session: ChatSession,
  o: Output,
  input: NodeJS.ReadableStream = process.stdin,
): Promise<number> {
  const rl = createInterface({ input, terminal: false, crlfDelay: Infinity });
  let code: number = EXIT.ok;
  let ac: AbortController | undefined;
  let interrupts = 0;
  const onSigint = (): void => {
    interrupts++;
    if (!ac || interrupts > 1) process.exit(EXIT.interrupted);
    ac.abort(new Error('interrupted by Ctrl+C'));
  };
  process.on('SIGINT', onSigint);
  const note = (s: string): void => {
    o.err.write(`${s}\n`);
  };

  const send = async (text: string): Promise<void> => {
    ac = new AbortController();
    interrupts = 0;
    let endsWithNewline = true;
    try {
      for await (const e of session.send(text, ac.signal)) {
        if (e.type === 'text-delta' && e.text) {
          o.out.write(e.text);
          endsWithNewline = e.text.endsWith('\n');
        } else if (e.type === 'notice') {
          note(`${paint(o, 'yellow', 'parley:')} ${e.message}`);
        } else if (e.type === 'error') {
          if (!endsWithNewline) o.out.write('\n');
          endsWithNewline = true;
          note(`${paint(o, 'red', 'parley: error:')} ${e.error.message}`);
          code = exitCodeFor(new StreamError(e.error));
        } else if (e.type === 'interrupted') {
          if (!endsWithNewline) o.out.write('\n');
          endsWithNewline = true;
          note(`${paint(o, 'yellow', 'parley:')} interrupted (${e.reason})`);
        }
      }
    } finally {
      if (!endsWithNewline) o.out.write('\n');
      ac = undefined;
    }
  };

  try {
    let pending = '';
    for await (const raw of rl) {
      const line = raw.replace(/\r$/, '');
      if (line.endsWith('\\')) {
        pending += `${line.slice(0, -1)}\n`;
        continue;
      }
      const text = pending + line;
      pending = '';
      if (text.trim() === '') continue;
      if (text.startsWith('/') && !text.startsWith('//')) {
        const r = await runSlash(session, text.trim(), 'repl');
        if (r.kind === 'quit') break;
        if (r.kind === 'error') {
          note(`${paint(o, 'red', 'parley: error:')} ${r.text}`);
          code = EXIT.usage;
        } else if (r.kind === 'send') {
          await send(r.text);
          if (r.after) note(r.after);
        } else {
          note(r.text);
        }
        continue;
      }
      await send(text.startsWith('//') ? text.slice(1) : text);
    }
  } finally {
    process.off('SIGINT', onSigint);
    rl.close();
  }
  return code;
}
