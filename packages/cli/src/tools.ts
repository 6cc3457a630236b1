/**
 * Tools in the one-shot CLI: the session for `--tools`, and the confirmer. On a terminal it
 * asks y/n on stderr; with stdin not a terminal it refuses unless `--yes` was given, and a
 * `dangerous` tool (shell) is never allowed by `--yes`, only by a yes typed at a terminal.
 * Loaded only when tools are on.
 */
import { createInterface } from 'node:readline/promises';
import type { Confirmer, Parley, ToolSession } from '@parley/core';
import { createToolSession } from '@parley/core';
import type { CliArgs } from './args.js';
import { version } from './main.js';
import { paint, type Output } from './output.js';

export function cliConfirmer(o: Output, yes: boolean, stdin: NodeJS.ReadStream = process.stdin): Confirmer {
  return async (q, signal) => {
    if (q.safety === 'confirm' && yes) return true;
    if (stdin.isTTY !== true) {
      const why =
        q.safety === 'dangerous'
          ? `${q.tool} is dangerous: it runs only after a yes typed at a terminal`
          : 'stdin is not a terminal, so parley cannot ask: add --yes to allow tools that ask first';
      o.err.write(`${paint(o, 'yellow', 'parley:')} refused ${q.summary} (${why})\n`);
      return false;
    }
    const rl = createInterface({ input: stdin, output: o.err, terminal: true });
    try {
      const label = q.safety === 'dangerous' ? paint(o, 'red', 'DANGEROUS') : 'allow';
      const answer = await rl.question(`${paint(o, 'yellow', 'parley:')} ${label} ${q.summary}? [y/N] `, {
        signal,
      });
      return /^y(es)?$/i.test(answer.trim());
    } catch {
      o.err.write('\n');
      return false;
    } finally {
      rl.close();
    }
  };
}

/** The tool session of a one-shot turn, or undefined when no tool is on. */
export async function cliToolSession(
  parley: Parley,
  args: CliArgs,
  o: Output,
  confirm: Confirmer = cliConfirmer(o, args.yes),
  /** An assistant's tools, used when `--tools` is not given. */
  assistantTools?: string[],
): Promise<ToolSession | undefined> {
  const enabled = args.tools ?? assistantTools ?? parley.config.tools?.enabled ?? [];
  if (enabled.length === 0) return undefined;
  return createToolSession(parley.config, {
    enabled,
    confirm,
    version: version(),
  });
}
