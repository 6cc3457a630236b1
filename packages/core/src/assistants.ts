/**
 * Assistants (docs/assistants.md): instructions, a model and tools saved under a name, and
 * their threads (conversations bound to one assistant). This module checks what a user
 * gives before it is stored, and opens the conversation an assistant's turn goes into.
 */
import { existsSync } from 'node:fs';
import type { ParleyConfig } from './config/schema.js';
import type { ParleyPaths } from './config/paths.js';
import type { Conversation } from './conversation.js';
import { UsageError } from './errors.js';
import { parseModelName } from './model-resolver.js';
import { resolveModelFile } from './models/model-files.js';
import type { Parley } from './parley.js';
import type { ConversationStore } from './store/conversation-store.js';
import type { AssistantRecord, NewAssistant } from './store/types.js';
import { BUILTIN_TOOL_NAMES } from './tools/index.js';

/** Assistant names: 1–64 lowercase letters, digits, `-` and `_`, starting with a letter or digit. */
export const ASSISTANT_NAME = /^[a-z0-9][a-z0-9_-]{0,63}$/;
/** The longest instructions an assistant takes, in characters. */
export const MAX_INSTRUCTIONS_CHARS = 32_000;

/** Check a name; throws `UsageError` saying what is wrong with it. */
export function checkAssistantName(name: string): string {
  if (!ASSISTANT_NAME.test(name)) {
    const shown = JSON.stringify(name.length > 80 ? `${name.slice(0, 80)}…` : name);
    throw new UsageError(
      `bad assistant name ${shown}: use 1-64 lowercase letters, digits, - or _, starting with a letter or digit`,
    );
  }
  return name;
}

/** Check instructions: not empty, within the limit, no NUL characters. */
export function checkInstructions(text: string): string {
  if (text.trim() === '') throw new UsageError('the instructions are empty: say what the assistant is for');
  if (text.length > MAX_INSTRUCTIONS_CHARS) {
    throw new UsageError(
      `the instructions are ${text.length} characters long; the limit is ${MAX_INSTRUCTIONS_CHARS}`,
    );
  }
  if (text.includes('\u0000')) throw new UsageError('the instructions contain a NUL character');
  return text;
}

/** Check tool names against the built-in tools and the configured MCP servers (not contacted). */
export function checkAssistantTools(tools: readonly string[], config: ParleyConfig): string[] {
  const servers = Object.keys(config.mcp?.servers ?? {});
  const out: string[] = [];
  for (const raw of tools) {
    const t = raw.trim();
    if (t === '') continue;
    const mcp = /^([A-Za-z0-9-]{1,32})__(\*|[A-Za-z0-9_-]{1,64})$/.exec(t);
    const known =
      t === 'all' ||
      (BUILTIN_TOOL_NAMES as readonly string[]).includes(t) ||
      (mcp !== null && servers.includes(mcp[1] as string));
    if (!known) {
      const mcpHint = servers.length ? `, SERVER__tool of ${servers.join(', ')}` : '';
      throw new UsageError(
        `unknown tool "${t}": the tools are ${BUILTIN_TOOL_NAMES.join(', ')}${mcpHint} (or all)`,
      );
    }
    if (!out.includes(t)) out.push(t);
  }
  return out;
}

/**
 * Check a model name: a known provider, an alias, a `.gguf` file that exists or a local
 * model that is downloaded. Throws `UsageError` naming what is unknown.
 */
export async function checkAssistantModel(
  name: string,
  config: ParleyConfig,
  paths: ParleyPaths,
): Promise<string> {
  const n = name.trim();
  const target = parseModelName(n, config);
  if (target.kind === 'local' && (target.path !== undefined || target.name !== '')) {
    const file = target.path ?? (await resolveModelFile(target.name, paths.models));
    if (file === undefined || !existsSync(file)) {
      throw new UsageError(
        `unknown model "${n}": no such local model (parley models list shows them; or use provider:model)`,
      );
    }
  }
  return n;
}

/** Everything checked: what `store.assistants.create` takes. */
export async function checkAssistant(
  a: {
    name: string;
    instructions: string;
    model?: string | undefined;
    tools?: readonly string[] | undefined;
  },
  config: ParleyConfig,
  paths: ParleyPaths,
): Promise<NewAssistant> {
  return {
    name: checkAssistantName(a.name),
    instructions: checkInstructions(a.instructions),
    model: a.model === undefined ? null : await checkAssistantModel(a.model, config, paths),
    tools: checkAssistantTools(a.tools ?? [], config),
  };
}

/** The stored assistant; `UsageError` naming the ones there are when it is unknown. */
export async function loadAssistant(store: ConversationStore, name: string): Promise<AssistantRecord> {
  const a = ASSISTANT_NAME.test(name) ? await store.assistants.get(name) : undefined;
  if (a) return a;
  const names = (await store.assistants.list()).map((x) => x.name);
  const shown = JSON.stringify(name.length > 80 ? `${name.slice(0, 80)}…` : name);
  throw new UsageError(
    `unknown assistant ${shown}: ${names.length ? `the assistants are ${names.join(', ')}` : 'there are none yet'} (parley assistant create NAME --instructions TEXT)`,
  );
}

/** Where an assistant's turn goes. */
export interface AssistantThreadOptions {
  /** Go on with the assistant's most recent thread (`-c`). */
  continue?: boolean;
  /** Go on with this thread (`--conversation ID`); it must be one of the assistant's. */
  conversationId?: string | undefined;
  source?: string;
  /** Save the turns (default: `store.log`). Without saving there is no thread to go on with. */
  log?: boolean;
}

/**
 * The conversation an assistant's turn goes into: a new thread, its latest one, or the one
 * named. It carries the assistant's current instructions as its system prompt and its
 * model. `resumed` is false when `continue` found no thread and a new one was started.
 */
export async function openAssistantThread(
  parley: Parley,
  a: AssistantRecord,
  opts: AssistantThreadOptions = {},
): Promise<{ conversation: Conversation; resumed: boolean }> {
  const store = parley.store();
  const base = {
    assistant: a.name,
    system: a.instructions,
    ...(a.model !== null ? { model: a.model } : {}),
    ...(opts.source !== undefined ? { source: opts.source } : {}),
    ...(opts.log !== undefined ? { log: opts.log } : {}),
  };
  let id = opts.conversationId;
  if (id !== undefined) {
    const owner = await store.assistants.threadOf(id);
    if (owner !== a.name) {
      throw new UsageError(
        `conversation ${JSON.stringify(id)} is not a thread of assistant ${a.name}` +
          (owner ? ` (it is one of ${owner})` : ''),
      );
    }
  } else if (opts.continue) {
    id = (await store.assistants.threads(a.name, { limit: 1 }))[0]?.id;
  }
  if (id === undefined)
    return { conversation: parley.conversation({ ...base, assistant: a.name }), resumed: false };
  return { conversation: await parley.resumeConversation(id, base), resumed: true };
}
