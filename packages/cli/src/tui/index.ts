/**
 * `parley chat` on a terminal: the Ink app in the alternate screen, with the crash guard
 * around it. Only `commands/chat.ts` imports this, and only on a TTY: the one-shot path
 * never loads Ink or React.
 */
import path from 'node:path';
import { EXIT } from '@parley/core';
import type { Output } from '../output.js';
import { ChatController } from './controller.js';
import { InputHistory } from './input-history.js';
import type { ChatSession } from './session.js';
import { ScreenWriter } from './screen.js';
import { ENTER_SCREEN, installCrashGuard, restoreTerminal } from './terminal.js';

export interface TuiOptions {
  session: ChatSession;
  o: Output;
  /** Where the default model's download progress goes while the chat is open. */
  pull?: { handler: (p: { file: string; receivedBytes: number; totalBytes: number | undefined }) => void };
  stdin?: NodeJS.ReadStream;
  stdout?: NodeJS.WriteStream;
  env?: NodeJS.ProcessEnv;
}

/** Ink decides at import whether it runs under CI (and then draws nothing until exit). A chat on a TTY is interactive, whatever CI says. */
async function importInk(
  env: NodeJS.ProcessEnv,
): Promise<[typeof import('ink'), typeof import('./components.js')]> {
  // React's production build: the development one costs several times more per frame.
  env.NODE_ENV ??= 'production';
  const saved: Record<string, string | undefined> = {};
  for (const k of Object.keys(env)) {
    if (k === 'CI' || k === 'CONTINUOUS_INTEGRATION' || k.startsWith('CI_')) {
      saved[k] = env[k];
      delete env[k];
    }
  }
  try {
    return await Promise.all([import('ink'), import('./components.js')]);
  } finally {
    Object.assign(env, saved);
  }
}

export async function runTui(opts: TuiOptions): Promise<number> {
  const { session } = opts;
  const env = opts.env ?? process.env;
  const stdin = opts.stdin ?? process.stdin;
  const stdout = opts.stdout ?? process.stdout;
  const parley = session.parley;
  let instance: { unmount(): void } | undefined;
  const resumeHint = (): string | undefined => {
    const id = session.conversationId;
    return id ? `The conversation is saved: parley chat --conversation ${id}` : undefined;
  };
  // From here on, whatever happens, the terminal is given back.
  const guard = installCrashGuard({
    stdin,
    beforeRestore: () => instance?.unmount(),
    logDir: parley.paths.state,
    resumeHint,
  });
  // Raw mode and the alternate screen at once, so keys typed while Ink loads are kept as
  // typed (not echoed, Enter not turned into a newline) and the screen is ours.
  if (stdin.isTTY) stdin.setRawMode(true);
  stdout.write(`${ENTER_SCREEN}\u001b[${stdout.rows || 24};1Hparley chat: starting…\u001b[H`);

  let code: number = EXIT.ok;
  let controller: ChatController | undefined;
  const screen = new ScreenWriter(stdout);
  try {
    const [{ render }, { App }] = await importInk(env);
    const { createElement } = await import('react');
    const logOn = parley.config.store?.log ?? true;
    const history = new InputHistory(logOn ? path.join(parley.paths.state, 'chat-history.jsonl') : undefined);
    const c = new ChatController({
      session,
      columns: screen.columns,
      rows: screen.rows,
      history,
      debugCrash: Boolean(env.PARLEY_DEBUG_CRASH),
      onQuit: () => instance?.unmount(),
      onRepaint: () => screen.invalidate(),
    });
    controller = c;
    if (opts.pull) {
      let last = -1;
      opts.pull.handler = (p) => {
        const pct = p.totalBytes ? Math.floor((p.receivedBytes / p.totalBytes) * 100) : -1;
        if (pct === last) return;
        last = pct;
        c.setDownload(`downloading ${p.file}${pct >= 0 ? ` ${pct}%` : ''}`);
      };
    }
    if (session.conversation.messages.length > 0) {
      c.showMessages(session.conversation.messages);
      c.addInfo(`going on with ${session.conversationId ?? 'the conversation'}`);
    }
    const ink = render(createElement(App, { controller: c }), {
      stdout: screen as unknown as NodeJS.WriteStream,
      stdin,
      // Debug mode: every render is written whole, to the screen writer, which draws the
      // difference (see screen.ts).
      debug: true,
      exitOnCtrlC: false,
      patchConsole: false,
      kittyKeyboard: { mode: 'auto', flags: ['disambiguateEscapeCodes'] },
    });
    instance = ink;
    // Markdown (and highlight.js) load after the first frame: answers show plain until then.
    setTimeout(() => {
      import('./markdown.js')
        .then((m) => c.setMarkdown(m.createMarkdownEngine()))
        .catch((e: unknown) => c.addInfo(`markdown is off: ${(e as Error).message}`));
    }, 10);
    await ink.waitUntilExit();
  } catch (e) {
    guard.restore();
    opts.o.err.write(`parley chat: ${(e as Error).message}\nThe terminal has been restored.\n`);
    code = EXIT.runtime;
  } finally {
    // Let a cancelled turn save what arrived, but do not hang on it.
    if (controller) await Promise.race([controller.turn, new Promise((r) => setTimeout(r, 2000).unref())]);
    guard.restore();
    guard.uninstall();
    restoreTerminal(stdin);
    screen.dispose();
  }
  const hint = resumeHint();
  if (hint) opts.o.err.write(`${hint}\n`);
  return code;
}
