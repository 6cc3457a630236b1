/**
 * `parley chat` (and `parley` with no prompt at a terminal): the terminal UI on a TTY, a
 * plain line-by-line REPL otherwise. Loaded only for this command; it loads Ink and React
 * only when there is a terminal to draw on.
 */
import { UsageError, type Parley } from '@parley/core';
import type { CliArgs } from '../args.js';
import type { Output } from '../output.js';
import { ChatSession } from '../tui/session.js';
import { openConversation } from '../one-shot.js';

export interface ChatIo {
  stdin: NodeJS.ReadStream;
  stdout: NodeJS.WriteStream;
}

export async function runChatCommand(
  parley: Parley,
  args: CliArgs,
  o: Output,
  pull?: { handler: (p: { file: string; receivedBytes: number; totalBytes: number | undefined }) => void },
  io: ChatIo = { stdin: process.stdin, stdout: process.stdout },
): Promise<number> {
  if (args.rest.length > 0) {
    throw new UsageError(
      `parley chat takes no words (got "${args.rest.join(' ')}"): type them in the chat, or ask once with parley "prompt"`,
    );
  }
  if (args.json || args.race || args.images.length > 0 || args.template !== undefined) {
    throw new UsageError('--json, --race, --image and --template go with a one-shot prompt, not parley chat');
  }
  const tty = Boolean(io.stdin.isTTY && io.stdout.isTTY && o.out === process.stdout);
  const { conversation, assistantTools } = await openConversation(parley, args, o, tty ? 'tui' : 'cli');
  if (args.model !== undefined) conversation.model = args.model;
  const session = new ChatSession(parley, conversation, tty ? 'tui' : 'cli');
  // Tools (and MCP) load only when one is on: --tools or tools.enabled.
  if (args.tools?.length || assistantTools?.length || parley.config.tools?.enabled?.length) {
    const { cliConfirmer, cliToolSession } = await import('../tools.js');
    session.tools = await cliToolSession(parley, args, o, session.confirm, assistantTools);
    // Without a terminal the REPL cannot ask: the one-shot's rule (--yes) applies.
    if (!tty) session.confirmer = cliConfirmer(o, args.yes, io.stdin);
    else session.autoYes = args.yes;
  }
  try {
    if (tty) {
      const { runTui } = await import('../tui/index.js');
      return await runTui({ session, o, ...(pull ? { pull } : {}), stdin: io.stdin, stdout: io.stdout });
    }
    const { runRepl } = await import('../tui/repl.js');
    return await runRepl(session, o, io.stdin);
  } finally {
    await session.tools?.close();
  }
}
