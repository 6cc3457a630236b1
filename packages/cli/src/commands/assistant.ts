/**
 * `parley assistant create|update|list|show|rm` (docs/assistants.md), and the conversation
 * a `parley --assistant NAME` turn goes into.
 */
import {
  EXIT,
  NotFoundError,
  UsageError,
  checkAssistant,
  checkAssistantModel,
  checkAssistantName,
  checkAssistantTools,
  checkInstructions,
  loadAssistant,
  openAssistantThread,
  type AssistantPatch,
  type AssistantRecord,
  type Conversation,
  type Parley,
} from '@parley/core';
import type { CliArgs } from '../args.js';
import type { Output } from '../output.js';

const USAGE =
  'parley assistant create NAME --instructions TEXT [-m MODEL] [--tools a,b] [--force] | update NAME … | list | show NAME | rm NAME';

function oneLine(text: string, max = 60): string {
  // eslint-disable-next-line no-control-regex -- control characters never reach the terminal
  const s = text.replace(/[\u0000-\u001f\u007f-\u009f]+/g, ' ').trim();
  return s.length > max ? `${s.slice(0, max - 1)}…` : s;
}

function nameArg(args: CliArgs, sub: string): string {
  const [, name, ...extra] = args.rest;
  if (name === undefined || extra.length > 0)
    throw new UsageError(`parley assistant ${sub} takes one NAME; ${USAGE}`);
  return checkAssistantName(name);
}

function describe(a: AssistantRecord): string {
  return `${a.name} (model ${a.model ?? 'default'}; tools ${a.tools.length ? a.tools.join(', ') : 'none'})`;
}

/** `parley assistant …`. */
export async function runAssistantCommand(parley: Parley, args: CliArgs, o: Output): Promise<number> {
  const sub = args.rest[0] ?? 'list';
  const store = parley.store();
  switch (sub) {
    case 'create': {
      const name = nameArg(args, sub);
      if (args.instructions === undefined) {
        throw new UsageError(`parley assistant create ${name} needs --instructions TEXT (its system prompt)`);
      }
      const a = await checkAssistant(
        { name, instructions: args.instructions, model: args.model, tools: args.tools },
        parley.config,
        parley.paths,
      );
      const existing = await store.assistants.get(name);
      if (existing && !args.force) {
        throw new UsageError(
          `assistant ${name} exists already: parley assistant update ${name} changes it, --force replaces it`,
        );
      }
      const saved = existing
        ? await store.assistants.update(name, {
            instructions: a.instructions,
            model: a.model,
            tools: a.tools,
          })
        : await store.assistants.create(a);
      o.err.write(`${existing ? 'replaced' : 'created'} assistant ${describe(saved)}\n`);
      return EXIT.ok;
    }
    case 'update': {
      const name = nameArg(args, sub);
      const patch: AssistantPatch = {};
      if (args.instructions !== undefined) patch.instructions = checkInstructions(args.instructions);
      if (args.model !== undefined)
        patch.model = await checkAssistantModel(args.model, parley.config, parley.paths);
      if (args.tools !== undefined) patch.tools = checkAssistantTools(args.tools, parley.config);
      if (Object.keys(patch).length === 0) {
        throw new UsageError(`nothing to change: give --instructions, -m or --tools (${USAGE})`);
      }
      await loadAssistant(store, name);
      o.err.write(`updated assistant ${describe(await store.assistants.update(name, patch))}\n`);
      return EXIT.ok;
    }
    case 'list': {
      if (args.rest.length > 1) throw new UsageError(`parley assistant list takes no words; ${USAGE}`);
      const all = await store.assistants.list();
      if (args.json) {
        o.out.write(`${JSON.stringify(all, null, 2)}\n`);
        return EXIT.ok;
      }
      if (all.length === 0) {
        o.err.write('no assistants yet: parley assistant create NAME --instructions TEXT\n');
        return EXIT.ok;
      }
      for (const a of all) {
        o.out.write(
          `${a.name}\t${a.model ?? 'default'}\t${a.tools.join(',') || '-'}\t${oneLine(a.instructions)}\n`,
        );
      }
      return EXIT.ok;
    }
    case 'show': {
      const a = await loadAssistant(store, nameArg(args, sub));
      const threads = await store.assistants.threads(a.name, { limit: 10 });
      if (args.json) {
        const list = threads.map((t) => ({
          id: t.id,
          title: t.title,
          messages: t.messageCount,
          updatedAt: t.updatedAt,
        }));
        o.out.write(`${JSON.stringify({ ...a, threads: list }, null, 2)}\n`);
        return EXIT.ok;
      }
      o.out.write(
        `name:         ${a.name}\nmodel:        ${a.model ?? 'default'}\ntools:        ${a.tools.join(', ') || 'none'}\n` +
          `created:      ${new Date(a.createdAt).toISOString()}\nupdated:      ${new Date(a.updatedAt).toISOString()}\n` +
          `instructions:\n${a.instructions
            .split('\n')
            .map((l) => `  ${l}`)
            .join('\n')}\n`,
      );
      o.out.write(threads.length ? 'threads (newest first):\n' : 'threads: none yet\n');
      for (const t of threads)
        o.out.write(`  ${t.id}  ${t.messageCount} messages  ${oneLine(t.title ?? '')}\n`);
      return EXIT.ok;
    }
    case 'rm':
    case 'delete': {
      const name = nameArg(args, sub);
      if (!(await store.assistants.delete(name))) throw new NotFoundError('assistant', name);
      o.err.write(`removed assistant ${name} (its threads stay in the history)\n`);
      return EXIT.ok;
    }
    default:
      throw new UsageError(`unknown subcommand "${oneLine(sub, 40)}": ${USAGE}`);
  }
}

/** The conversation of a `--assistant NAME` turn (with `-c` or `--conversation`), and the assistant. */
export async function assistantConversation(
  parley: Parley,
  args: CliArgs,
  o: Output,
  source: string,
): Promise<{ conversation: Conversation; assistant: AssistantRecord }> {
  const assistant = await loadAssistant(parley.store(), args.assistant ?? '');
  const { conversation, resumed } = await openAssistantThread(parley, assistant, {
    continue: args.continue,
    conversationId: args.conversation,
    source,
  });
  if (args.continue && !resumed) {
    o.err.write(`parley: assistant ${assistant.name} has no thread yet; starting one\n`);
  }
  if (args.flags.system !== undefined)
    conversation.system = `${assistant.instructions}\n\n${args.flags.system}`;
  return { conversation, assistant };
}
