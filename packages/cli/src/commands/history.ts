/**
 * `parley history list | show ID | search TEXT | rm ID | export ID --format json|md`,
 * `parley import FILE`, and the conversation a one-shot goes on with (`-c`, `--conversation`).
 */
import { readFile } from 'node:fs/promises';
import {
  EXIT,
  NotFoundError,
  UsageError,
  conversationToMarkdown,
  exportConversation,
  importConversation,
  type Conversation,
  type Parley,
} from '@parley/core';
import type { CliArgs } from '../args.js';
import { stripControl } from '../input.js';
import { paint, type Output } from '../output.js';

const USAGE =
  'usage: parley history list [--limit N] | show ID | search TEXT [--fts] | rm ID... | export ID [--format json|md]';

/** The conversation a one-shot sends to: `--conversation ID`, the latest with `-c`, or a new one. */
export async function cliConversation(
  parley: Parley,
  args: CliArgs,
  o: Output,
  source = 'cli',
): Promise<Conversation> {
  const opts = { source, ...(args.flags.system !== undefined ? { system: args.flags.system } : {}) };
  if (args.conversation !== undefined) return parley.resumeConversation(args.conversation, opts);
  if (!args.continue) return parley.conversation(opts);
  const c = await parley.resumeConversation(undefined, opts);
  if (c.id === undefined) o.err.write('parley: no earlier conversation to continue; starting a new one\n');
  return c;
}

/** One line of text for a table: control characters and line breaks become spaces. */
function oneLine(text: string, max = 80): string {
  const s = stripControl(text).replace(/\s+/g, ' ').trim();
  return s.length > max ? `${s.slice(0, max - 1)}…` : s;
}

function when(ms: number): string {
  const d = new Date(ms);
  const p = (n: number): string => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())} ${p(d.getHours())}:${p(d.getMinutes())}`;
}

function json(o: Output, value: unknown): void {
  o.out.write(`${JSON.stringify(value, null, 2)}\n`);
}

/** `parley history …`. */
export async function runHistoryCommand(parley: Parley, args: CliArgs, o: Output): Promise<number> {
  const [sub = 'list', ...words] = args.rest;
  const store = parley.store();
  const one = (): string => {
    if (words.length !== 1 || !words[0])
      throw new UsageError(`parley history ${sub} takes one conversation id`);
    return words[0];
  };
  switch (sub) {
    case 'list': {
      if (words.length > 0) throw new UsageError(USAGE);
      const list = await store.conversations.list({
        limit: args.limit === 0 ? undefined : (args.limit ?? 20),
      });
      if (args.json) return (json(o, list), EXIT.ok);
      if (list.length === 0) o.err.write('no conversations yet\n');
      for (const c of list) {
        const count = `${c.messageCount} msg${c.messageCount === 1 ? '' : 's'}`;
        o.out.write(
          `${c.id}  ${when(c.updatedAt)}  ${count.padStart(7)}  ${oneLine(c.title ?? '(untitled)')}\n`,
        );
      }
      return EXIT.ok;
    }
    case 'show': {
      const doc = await exportConversation(store, one());
      if (args.json) json(o, doc);
      else o.out.write(conversationToMarkdown(doc));
      return EXIT.ok;
    }
    case 'search': {
      const text = words.join(' ');
      const hits = await store.search(text, {
        syntax: args.fts ? 'advanced' : 'words',
        limit: args.limit === 0 ? undefined : (args.limit ?? 20),
      });
      if (args.json) return (json(o, hits), EXIT.ok);
      if (hits.length === 0) o.err.write(`nothing found for ${JSON.stringify(text)}\n`);
      for (const h of hits)
        o.out.write(`${h.conversationId}  #${h.seq} ${h.role.padEnd(9)}  ${oneLine(h.snippet, 100)}\n`);
      return EXIT.ok;
    }
    case 'rm': {
      if (words.length === 0) throw new UsageError('parley history rm takes one or more conversation ids');
      let missing = 0;
      for (const id of words) {
        if (await store.conversations.delete(id)) {
          o.out.write(`deleted ${id}\n`);
        } else {
          missing++;
          o.err.write(
            `${paint(o, 'red', 'parley: error:')} ${new NotFoundError('conversation', id).message}\n`,
          );
        }
      }
      return missing > 0 ? EXIT.runtime : EXIT.ok;
    }
    case 'export': {
      const format = args.format ?? 'json';
      if (format !== 'json' && format !== 'md') {
        throw new UsageError(`--format must be json or md, got ${JSON.stringify(format)}`);
      }
      const doc = await exportConversation(store, one());
      if (format === 'md') o.out.write(conversationToMarkdown(doc));
      else json(o, doc);
      return EXIT.ok;
    }
    default:
      throw new UsageError(`unknown history command ${JSON.stringify(sub)}; ${USAGE}`);
  }
}

/** `parley import FILE` (`-` reads stdin): a JSON export, kept exactly as it was. */
export async function runImportCommand(
  parley: Parley,
  args: CliArgs,
  o: Output,
  stdin: NodeJS.ReadableStream = process.stdin,
): Promise<number> {
  const [file, ...extra] = args.rest;
  if (!file || extra.length > 0)
    throw new UsageError('usage: parley import FILE (a JSON file from parley history export)');
  let text: string;
  try {
    if (file === '-') {
      const chunks: Buffer[] = [];
      for await (const c of stdin) chunks.push(typeof c === 'string' ? Buffer.from(c) : (c as Buffer));
      text = Buffer.concat(chunks).toString('utf8');
    } else {
      text = await readFile(file, 'utf8');
    }
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new UsageError(`cannot read ${file}: ${code === 'ENOENT' ? 'no such file' : (e as Error).message}`);
  }
  const c = await importConversation(parley.store(), text, file === '-' ? 'stdin' : file);
  o.out.write(`${c.id}\n`);
  return EXIT.ok;
}
