/** Slash commands, shared by the terminal UI and the plain REPL. No UI code here. */
import {
  describeError,
  formatBytes,
  formatLocation,
  questionWithContext,
  type ChatMessage,
} from '@parley/core';
import { describeModes, terminalMode, TERMINAL_MODES } from './modes.js';
import type { ChatSession, Completion } from './session.js';

export type CommandResult =
  | { kind: 'info'; text: string }
  | { kind: 'error'; text: string }
  /** Send this text as your message (`/template`, `/docs`); show `after` once answered. */
  | { kind: 'send'; text: string; after?: string }
  /** A new conversation: clear the screen. */
  | { kind: 'clear'; text: string }
  /** Another conversation: show its messages. */
  | { kind: 'load'; text: string; messages: ChatMessage[] }
  | { kind: 'quit' };

export interface SlashCommand {
  name: string;
  /** Argument synopsis for help and the completion menu. */
  args: string;
  summary: string;
  run(session: ChatSession, arg: string, ui: 'tui' | 'repl'): Promise<CommandResult>;
  /** Choices for the first argument. */
  complete?(session: ChatSession): Promise<Completion[]>;
}

const info = (text: string): CommandResult => ({ kind: 'info', text });

export const KEY_HELP = [
  ['Enter', 'send'],
  ['Alt+Enter, Shift+Enter, Ctrl+J', 'new line (or end a line with \\)'],
  ['Ctrl+C', 'cancel the answer; again (or on an empty input) to quit'],
  ['Ctrl+Q, Ctrl+D (empty input)', 'quit'],
  ['Esc', 'close a menu, cancel a search or the answer'],
  ['↑ ↓  PgUp PgDn  Home End', 'scroll (↑ ↓ move between lines of a multi-line input)'],
  ['F5', 'follow the answer as it streams: on/off'],
  ['F1–F4', 'favourite models (tui.favorites in config.toml)'],
  ['F6', 'high contrast on/off'],
  ['Ctrl+L', 'clear the screen (the conversation goes on)'],
  ['Ctrl+R', 'search what you typed before; Ctrl+P / Ctrl+N step through it'],
  ['Tab', 'complete a slash command'],
  ['Ctrl+A Ctrl+E Ctrl+U Ctrl+K Ctrl+W', 'line start, end, delete to start, to end, a word'],
] as const;

function parseVars(raw: string): unknown {
  if (raw.trim() === '') return undefined;
  try {
    return JSON.parse(raw) as unknown;
  } catch (e) {
    throw new Error(`the variables must be JSON, e.g. {"text": "…"}: ${(e as Error).message}`);
  }
}

/** Split an argument line into words; "double" or 'single' quotes keep spaces in a path. */
export function splitWords(arg: string): string[] {
  const out: string[] = [];
  const re = /"([^"]*)"|'([^']*)'|(\S+)/g;
  for (let m = re.exec(arg); m; m = re.exec(arg)) out.push(m[1] ?? m[2] ?? m[3] ?? '');
  return out;
}

const ATTACH_USAGE = 'usage: /attach PATH… (files, folders, globs such as docs/*.md), /attach --clear';

export const COMMANDS: SlashCommand[] = [
  {
    name: 'model',
    args: '[NAME]',
    summary: 'show the model, or switch to NAME',
    async run(s, arg) {
      if (!arg) {
        const fav = s.favorites.map((f, i) => `F${i + 1} ${f}`).join(' · ');
        const choices = (await s.modelChoices()).map((c) => c.value);
        return info(
          [
            `model: ${s.modelName}`,
            `favourites: ${fav || 'none (set tui.favorites in config.toml)'}`,
            `try: ${choices.slice(0, 12).join(', ')}`,
          ].join('\n'),
        );
      }
      s.setModel(arg);
      return info(`model: ${arg}`);
    },
    complete: (s) => s.modelChoices(),
  },
  {
    name: 'system',
    args: '[TEXT | --clear]',
    summary: 'show or set the system prompt',
    run(s, arg) {
      if (!arg) return Promise.resolve(info(`system prompt: ${s.system ?? '(none)'}`));
      if (arg === '--clear') {
        s.setSystem(undefined);
        return Promise.resolve(info('system prompt cleared'));
      }
      s.setSystem(arg);
      return Promise.resolve(info(`system prompt set (${arg.length} characters)`));
    },
  },
  {
    name: 'clear',
    args: '',
    summary: 'start a new conversation (the old one stays in history)',
    run(s) {
      const old = s.conversationId;
      s.newConversation();
      return Promise.resolve({
        kind: 'clear',
        text: old ? `new conversation (the last one is ${old}: /load ${old})` : 'new conversation',
      });
    },
  },
  {
    name: 'attach',
    args: '[PATH… | --clear]',
    summary: 'attach files to your next message (no PATH: list them)',
    async run(s, arg) {
      if (arg === '--clear') {
        const n = s.clearAttachments();
        return info(n === 0 ? 'no files were attached' : `${n} attached file(s) dropped`);
      }
      if (!arg) {
        if (s.attachments.length === 0) return info(`no files attached; ${ATTACH_USAGE}`);
        const list = s.attachments.map((d) => `  ${d.path} (${d.kind}, ${formatBytes(d.bytes)})`);
        return info(['attached, to go with your next message:', ...list].join('\n'));
      }
      const words = splitWords(arg);
      if (words.length === 0) return { kind: 'error', text: ATTACH_USAGE };
      const added = await s.attach(words);
      if (added.length === 0) return info('those files are attached already');
      const names = added.map((d) => `${d.path} (${d.kind}, ${formatBytes(d.bytes)})`).join(', ');
      return info(`attached ${names}: they go with your next message (/attach lists them)`);
    },
  },
  {
    name: 'template',
    args: 'NAME [{json}]',
    summary: 'send a prompt template, rendered with the JSON variables',
    async run(s, arg) {
      const m = /^(\S+)\s*([\s\S]*)$/.exec(arg);
      if (!m) return { kind: 'error', text: 'usage: /template NAME {"var": "value"} (parley template list)' };
      const text = await s.renderTemplate(m[1] as string, parseVars(m[2] ?? ''));
      return { kind: 'send', text };
    },
    complete: (s) => s.templateChoices(),
  },
  {
    name: 'image',
    args: 'PROMPT',
    summary: 'generate an image (images.model) and show where it was saved',
    run(_s, arg) {
      if (!arg.trim())
        return Promise.resolve({
          kind: 'error',
          text: 'usage: /image PROMPT, e.g. /image a lighthouse at dusk',
        });
      return Promise.resolve({ kind: 'send', text: `/image ${arg}` });
    },
  },
  {
    name: 'docs',
    args: 'NAME QUESTION',
    summary: 'answer QUESTION from the document collection NAME, citing its sources',
    async run(s, arg) {
      const m = /^(\S+)\s+([\s\S]*\S)$/.exec(arg);
      if (!m) return { kind: 'error', text: 'usage: /docs NAME question (parley docs list)' };
      const [, name, question] = m as unknown as [string, string, string];
      const ctx = await s.parley.documents().context(name, question);
      if (ctx.citations.length === 0) {
        return { kind: 'error', text: `no passage of ${name} matches the question` };
      }
      const sources = ctx.citations.map((c) => `  [${c.n}] ${formatLocation(c)}`).join('\n');
      return { kind: 'send', text: questionWithContext(question, ctx), after: `Sources:\n${sources}` };
    },
    async complete(s) {
      return (await s.parley.documents().list()).map((c) => ({ value: c.name, hint: `${c.files} files` }));
    },
  },
  {
    name: 'save',
    args: '[TITLE]',
    summary: 'save the conversation (turns are saved as they happen) and give it a title',
    async run(s, arg) {
      const id = await s.save(arg || undefined);
      return info(`saved as ${id}${arg ? ` ("${arg}")` : ''}: parley chat --conversation ${id}`);
    },
  },
  {
    name: 'load',
    args: 'ID',
    summary: 'go on with a saved conversation',
    async run(s, arg) {
      if (!arg) return { kind: 'error', text: 'usage: /load ID (parley history list shows them)' };
      const messages = await s.load(arg);
      return { kind: 'load', text: `loaded ${arg} (${messages.length} messages)`, messages };
    },
    complete: (s) => s.conversationChoices(),
  },
  {
    name: 'export',
    args: 'FILE',
    summary: 'write the conversation to FILE: JSON, or Markdown for .md',
    async run(s, arg) {
      if (!arg) return { kind: 'error', text: 'usage: /export FILE (FILE.md for Markdown)' };
      return info(`exported to ${await s.exportTo(arg)}`);
    },
  },
  {
    name: 'mode',
    args: '[NAME]',
    summary: 'list the modes, or switch to NAME (text, router, deep-dive here)',
    run(s, arg) {
      if (!arg) return Promise.resolve(info(describeModes(s.mode, s.parley.config)));
      s.setMode(terminalMode(arg));
      return Promise.resolve(info(`mode: ${s.mode}`));
    },
    complete: () => Promise.resolve(TERMINAL_MODES.map((m) => ({ value: m }))),
  },
  {
    name: 'help',
    args: '',
    summary: 'commands and keys',
    run(_s, _arg, ui) {
      return Promise.resolve(info(helpText(ui)));
    },
  },
  {
    name: 'quit',
    args: '',
    summary: 'leave (also /exit)',
    run() {
      return Promise.resolve({ kind: 'quit' });
    },
  },
];

const ALIASES: Record<string, string> = { exit: 'quit', q: 'quit', h: 'help', '?': 'help' };

export function helpText(ui: 'tui' | 'repl'): string {
  const w = Math.max(...COMMANDS.map((c) => `/${c.name} ${c.args}`.length));
  const lines = ['commands:'];
  for (const c of COMMANDS) lines.push(`  ${`/${c.name} ${c.args}`.padEnd(w)}  ${c.summary}`);
  if (ui === 'tui') {
    const kw = Math.max(...KEY_HELP.map(([k]) => k.length));
    lines.push('keys:');
    for (const [k, v] of KEY_HELP) lines.push(`  ${k.padEnd(kw)}  ${v}`);
  }
  return lines.join('\n');
}

/** The command a line names (by name, alias or unique prefix), and its argument. */
export function findCommand(line: string): { command: SlashCommand | undefined; name: string; arg: string } {
  const m = /^\/(\S*)\s*([\s\S]*)$/.exec(line.trim());
  const name = (m?.[1] ?? '').toLowerCase();
  const arg = (m?.[2] ?? '').trim();
  const exact = COMMANDS.find((c) => c.name === (ALIASES[name] ?? name));
  if (exact) return { command: exact, name, arg };
  const byPrefix = name ? COMMANDS.filter((c) => c.name.startsWith(name)) : [];
  return { command: byPrefix.length === 1 ? byPrefix[0] : undefined, name, arg };
}

/** Commands whose name starts with `prefix` (without the slash). */
export function matchCommands(prefix: string): SlashCommand[] {
  const p = prefix.toLowerCase();
  return COMMANDS.filter((c) => c.name.startsWith(p));
}

/** Run one slash command line. Errors become an `error` result, never a throw. */
export async function runSlash(
  session: ChatSession,
  line: string,
  ui: 'tui' | 'repl',
): Promise<CommandResult> {
  const { command, name, arg } = findCommand(line);
  if (!command) {
    const near = matchCommands(name).map((c) => `/${c.name}`);
    return {
      kind: 'error',
      text: near.length
        ? `/${name} could be ${near.join(', ')}`
        : `unknown command /${name}: /help lists them`,
    };
  }
  try {
    return await command.run(session, arg, ui);
  } catch (e) {
    return { kind: 'error', text: `/${command.name}: ${describeError(e)}` };
  }
}
