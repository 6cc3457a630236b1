/**
 * A chat session over the core API, with no UI: the conversation (saved as it goes, like a
 * one-shot's), the model, the system prompt, and what the slash commands do to them. The
 * terminal UI and the plain REPL both drive one.
 */
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import {
  PROVIDERS,
  TemplateLibrary,
  UsageError,
  conversationToMarkdown,
  defaultModelName,
  exportConversation,
  listModels,
  parseModelName,
  toStoredParts,
  type ChatEvent,
  type ChatMessage,
  type Conversation,
  type ConversationSummary,
  type Parley,
} from '@parley/core';

import { modeStreamOptions, type TerminalMode } from './modes.js';

export interface Completion {
  value: string;
  hint?: string | undefined;
}

export class ChatSession {
  private conv: Conversation;
  private templatesLib: TemplateLibrary | undefined;

  constructor(
    readonly parley: Parley,
    conversation: Conversation,
    readonly source = 'tui',
  ) {
    this.conv = conversation;
  }

  get conversation(): Conversation {
    return this.conv;
  }

  /** The stored conversation's id, once its first turn is saved. */
  get conversationId(): string | undefined {
    return this.conv.id;
  }

  /** The model the next message goes to, as named (an alias, `provider:model`, a path). */
  get modelName(): string {
    return this.conv.model ?? defaultModelName(this.parley.config);
  }

  /** F1–F4: the favourite models from `tui.favorites`. */
  get favorites(): string[] {
    return this.parley.config.tui?.favorites ?? [];
  }

  get system(): string | undefined {
    return this.conv.system;
  }

  /** Switch model for the next messages. Throws `UsageError` for a name that cannot be one. */
  setModel(name: string): void {
    const n = name.trim();
    parseModelName(n, this.parley.config);
    this.conv.model = n;
  }

  setSystem(text: string | undefined): void {
    this.conv.system = text;
  }

  /** The mode of the next messages (`/mode`): text, router or deep-dive. */
  get mode(): TerminalMode {
    return this.currentMode;
  }
  private currentMode: TerminalMode = 'text';

  setMode(mode: TerminalMode): void {
    this.currentMode = mode;
  }

  /** Send a message and stream the answer; the turn joins the history and is saved. */
  send(text: string, signal: AbortSignal): AsyncIterable<ChatEvent> {
    return this.conv.send(text, { ...modeStreamOptions(this.currentMode, this.parley.config), signal });
  }

  /** `/clear`: a new conversation with the same model and system prompt (the old one stays saved). */
  newConversation(): void {
    const opts: Parameters<Parley['conversation']>[0] = { source: this.source };
    if (this.conv.system !== undefined) opts.system = this.conv.system;
    if (this.conv.model !== undefined) opts.model = this.conv.model;
    if (this.conv.log === undefined) opts.log = false;
    this.conv = this.parley.conversation(opts);
  }

  /** `/load ID`: go on with a stored conversation; returns its messages. */
  async load(id: string): Promise<ChatMessage[]> {
    const opts: Parameters<Parley['conversation']>[0] = { source: this.source };
    if (this.conv.log === undefined) opts.log = false;
    this.conv = await this.parley.resumeConversation(id, opts);
    return this.conv.messages;
  }

  /**
   * `/save [TITLE]`: turns are saved as they happen, so this names the conversation (and
   * gives it a title). With history off (`--no-log`) it saves the conversation so far and
   * saves the turns after it too.
   */
  async save(title?: string): Promise<string> {
    const store = this.parley.store();
    const id = this.conv.id;
    if (id === undefined) {
      if (this.conv.messages.length === 0) throw new UsageError('nothing to save yet: send a message first');
      const first = this.conv.messages.find((m) => m.role === 'user');
      const firstText = first?.content.map((p) => (p.type === 'text' ? p.text : '')).join('') ?? '';
      const c = await store.conversations.create({
        title: title ?? (firstText.trim().split('\n')[0]?.slice(0, 80) || null),
        model: this.conv.model ?? null,
        system: this.conv.system ?? null,
        metadata: { source: this.source },
      });
      for (const m of this.conv.messages) {
        await store.messages.append(c.id, { role: m.role, parts: toStoredParts(m.content) });
      }
      this.conv = await this.parley.resumeConversation(c.id, { source: this.source, log: true });
      return c.id;
    }
    if (title) await store.conversations.update(id, { title });
    return id;
  }

  /** `/export FILE`: the conversation as JSON, or Markdown for a `.md` file. Returns the path. */
  async exportTo(file: string): Promise<string> {
    const id = this.conv.id;
    if (id === undefined) {
      throw new UsageError(
        this.conv.messages.length === 0
          ? 'nothing to export yet: send a message first'
          : 'this conversation is not saved (history is off): /save it first',
      );
    }
    const doc = await exportConversation(this.parley.store(), id);
    const full = path.resolve(file);
    const md = /\.(md|markdown)$/i.test(file);
    await writeFile(full, md ? conversationToMarkdown(doc) : `${JSON.stringify(doc, null, 2)}\n`, {
      mode: 0o600,
    });
    return full;
  }

  templates(): TemplateLibrary {
    this.templatesLib ??= new TemplateLibrary({ dir: this.parley.paths.templates });
    return this.templatesLib;
  }

  /** `/template NAME {json}`: the rendered prompt. */
  async renderTemplate(name: string, vars: unknown): Promise<string> {
    return this.templates().render(name, vars);
  }

  /** Model names to complete `/model` with: favourites, aliases, downloaded models, providers. */
  async modelChoices(): Promise<Completion[]> {
    const out: Completion[] = [];
    const seen = new Set<string>();
    const add = (value: string, hint?: string): void => {
      if (seen.has(value)) return;
      seen.add(value);
      out.push({ value, hint });
    };
    this.favorites.forEach((f, i) => add(f, `F${i + 1}`));
    for (const [alias, target] of Object.entries(this.parley.config.aliases)) add(alias, target);
    add('local', 'the default local model');
    try {
      for (const m of await listModels(this.parley.paths.models)) add(`local:${m.name}`, 'downloaded');
    } catch {
      // No models folder.
    }
    for (const p of Object.values(PROVIDERS)) {
      if (p.defaultModel) add(`${p.name}:${p.defaultModel}`, p.name);
    }
    return out;
  }

  async templateChoices(): Promise<Completion[]> {
    return (await this.templates().list()).map((t) => ({ value: t.name, hint: t.description }));
  }

  async conversationChoices(): Promise<Completion[]> {
    let list: ConversationSummary[] = [];
    try {
      list = await this.parley.store().conversations.list({ limit: 20 });
    } catch {
      return [];
    }
    return list.map((c) => ({ value: c.id, hint: c.title ?? undefined }));
  }
}
