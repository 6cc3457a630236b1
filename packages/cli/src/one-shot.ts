/** `parley "prompt"`: stream one answer to stdout. */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import type {
  AttachmentInfo,
  ChatEvent,
  Citation,
  Conversation,
  ExtractedDocument,
  MessagePart,
  Parley,
  ToolSession,
} from '@parley/core';
import {
  EXIT,
  StreamError,
  UsageError,
  collectTurn,
  formatLocation,
  modelLabel,
  partsAttachments,
  questionWithContext,
} from '@parley/core';
import type { CliArgs } from './args.js';
import { cliConversation } from './commands/history.js';
import { templatePrompt } from './commands/template.js';
import { buildPrompt, readStdin } from './input.js';
import { paint, type Output } from './output.js';
import { sanitize } from './sanitize.js';

const IMAGE_TYPES: Record<string, string> = {
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.gif': 'image/gif',
  '.webp': 'image/webp',
};

async function readImage(file: string): Promise<MessagePart> {
  const mediaType = IMAGE_TYPES[path.extname(file).toLowerCase()];
  if (!mediaType) {
    throw new UsageError(
      `--image ${file}: not a supported image type (use ${Object.keys(IMAGE_TYPES).join(', ')})`,
    );
  }
  try {
    return { type: 'image', data: new Uint8Array(await readFile(file)), mediaType };
  } catch (e) {
    throw new UsageError(
      `--image ${file}: ${(e as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (e as Error).message}`,
    );
  }
}

export async function runOneShot(
  parley: Parley,
  args: CliArgs,
  o: Output,
  stdin?: NodeJS.ReadStream,
): Promise<number> {
  const piped = await readStdin(stdin);
  const text = buildPrompt(await templatePrompt(parley, args), piped, parley.config.max_input_chars);
  const images = await Promise.all(args.images.map(readImage));
  // -f: every file is read (and any refusal reported) before a model is loaded.
  // The document readers load only then (start-up time; docs/PERFORMANCE.md).
  const files: ExtractedDocument[] =
    args.files.length > 0 ? await (await import('./attach-files.js')).readCliFiles(parley, args.files) : [];

  const ac = new AbortController();
  let interrupts = 0;
  const onSigint = (): void => {
    interrupts++;
    if (interrupts > 1) process.exit(EXIT.interrupted);
    ac.abort(new Error('interrupted by Ctrl+C'));
  };
  process.on('SIGINT', onSigint);
  let tools: ToolSession | undefined;
  try {
    if (images.length > 0) {
      const names = args.race ?? [args.model];
      for (const n of names) {
        const m = await parley.model(n, ac.signal);
        if (!m.capabilities.images) {
          throw new UsageError(
            `${modelLabel(m)} cannot take images (--image); choose a vision model with -m`,
          );
        }
      }
    }
    // The turn is saved as it goes (unless --no-log); -c and --conversation go on with one
    // (with --assistant, with one of its threads).
    const { conversation, assistantTools } = await openConversation(parley, args, o, 'cli');
    // Tool code (and MCP) loads only when a tool is on: --tools, the assistant's or tools.enabled.
    if (args.tools?.length || assistantTools?.length || parley.config.tools?.enabled?.length) {
      const { cliConfirmer, cliToolSession } = await import('./tools.js');
      tools = await cliToolSession(parley, args, o, cliConfirmer(o, args.yes), assistantTools);
    }
    const opts = {
      signal: ac.signal,
      ...(args.model ? { model: args.model } : {}),
      ...(args.race ? { race: args.race } : {}),
      ...(tools ? { tools } : {}),
      ...(args.intent !== undefined ? { intent: args.intent } : {}),
      ...(args.route !== undefined ? { route: args.route } : {}),
      ...(files.length > 0 ? { attachments: files } : {}),
    };
    // Routed to image generation: an image instead of an answer (docs/images.md).
    if (images.length === 0 && (args.intent !== undefined || (args.route ?? parley.config.router?.enabled))) {
      const code = await (await import('./commands/image.js')).imageIntent(parley, text, args, o, ac.signal);
      if (code !== undefined) return code;
    }
    // --docs NAME: the question goes with the collection's closest passages, numbered to cite.
    let asked = text;
    let citations: Citation[] | undefined;
    if (args.docs !== undefined) {
      const ctx = await parley.documents().context(args.docs, text, { signal: ac.signal });
      citations = ctx.citations;
      asked = questionWithContext(text, ctx);
      if (citations.length === 0) {
        o.err.write(`${paint(o, 'yellow', 'parley:')} no passage of ${args.docs} matches the question\n`);
      }
    }
    const events = conversation.send([{ type: 'text', text: asked }, ...images], opts);
    if (args.json) {
      // What the model was given of each file, from the user's message as it was sent.
      const attached = (): AttachmentInfo[] =>
        partsAttachments(conversation.messages.findLast((m) => m.role === 'user')?.content ?? []);
      return await printJson(events, o, { citations, attachments: files.length > 0 ? attached : undefined });
    }
    const code = await printStream(events, o, args);
    if (citations && citations.length > 0) {
      const lines = citations.map((c) => `  [${c.n}] ${formatLocation(c)}`);
      o.out.write(`\n${paint(o, 'dim', `Sources:\n${lines.join('\n')}`)}\n`);
    }
    return code;
  } finally {
    process.off('SIGINT', onSigint);
    await tools?.close();
  }
}

/** The conversation of a turn: an assistant's thread with `--assistant`, else the usual one. */
export async function openConversation(
  parley: Parley,
  args: CliArgs,
  o: Output,
  source: string,
): Promise<{ conversation: Conversation; assistantTools: string[] | undefined }> {
  if (args.assistant === undefined) {
    return { conversation: await cliConversation(parley, args, o, source), assistantTools: undefined };
  }
  const { assistantConversation } = await import('./commands/assistant.js');
  const { conversation, assistant } = await assistantConversation(parley, args, o, source);
  return { conversation, assistantTools: assistant.tools };
}

async function printStream(events: AsyncIterable<ChatEvent>, o: Output, args: CliArgs): Promise<number> {
  let text = '';
  let endsWithNewline = true;
  // On a terminal, model text loses its control characters: an answer (or a page it quotes)
  // could carry escapes that write the clipboard or redraw the screen. Piped, it stays as is.
  const onTerminal = (w: NodeJS.WritableStream) => (w as { isTTY?: boolean }).isTTY === true;
  const shown = (s: string): string => (onTerminal(o.out) ? sanitize(s) : s);
  const write = (s: string): void => {
    if (!s) return;
    o.out.write(s);
    endsWithNewline = s.endsWith('\n');
  };
  for await (const e of events) {
    switch (e.type) {
      case 'text-delta':
        text += e.text;
        if (args.stream) write(shown(e.text));
        break;
      case 'reasoning-delta':
        // Reasoning goes to stderr, dimmed, with --think or --verbose; stdout keeps the answer.
        if (args.verbose || args.flags.think)
          o.err.write(paint(o, 'dim', onTerminal(o.err) ? sanitize(e.text) : e.text));
        break;
      case 'notice':
        o.err.write(`${paint(o, 'yellow', 'parley:')} ${e.message}\n`);
        break;
      case 'tool-call':
        if (!endsWithNewline) write('\n');
        o.err.write(paint(o, 'cyan', `→ ${e.name} ${shorten(JSON.stringify(e.args) ?? '')}\n`));
        break;
      case 'tool-result':
        o.err.write(
          e.isError
            ? `${paint(o, 'yellow', `✗ ${e.name}:`)} ${shorten(typeof e.result === 'object' && e.result !== null ? String((e.result as { message?: unknown }).message) : String(e.result))}\n`
            : paint(o, 'dim', `✓ ${e.name}: ${shorten(String(e.result))}\n`),
        );
        break;
      case 'route':
        if (args.verbose) o.err.write(paint(o, 'dim', `route: ${e.intent} (${e.strategy}: ${e.reason})\n`));
        break;
      case 'error':
        if (!args.stream) write(shown(text));
        if (!endsWithNewline) write('\n');
        throw new StreamError(e.error);
      case 'done':
      case 'interrupted':
        if (!args.stream) write(shown(text));
        if (!endsWithNewline) write('\n');
        if (args.verbose) {
          const t = e.timings;
          o.err.write(
            paint(
              o,
              'dim',
              `${e.model} · ${e.type === 'done' ? e.finishReason : 'interrupted'} · ttft ${t.ttftMs ?? '-'} ms · ${t.tokensPerSecond ?? '-'} tok/s · ${e.usage.inputTokens ?? '?'} in / ${e.usage.outputTokens ?? '?'} out\n`,
            ),
          );
        }
        if (e.type === 'interrupted') {
          o.err.write(`${paint(o, 'yellow', 'parley:')} interrupted (${e.reason})\n`);
          return EXIT.interrupted;
        }
        return EXIT.ok;
      default:
        break;
    }
  }
  return EXIT.ok;
}

/** One line of at most 200 characters, without control characters (tool results can carry escapes). */
function shorten(s: string): string {
  const line = sanitize(s).replace(/\s+/g, ' ');
  return line.length > 200 ? `${line.slice(0, 200)}…` : line;
}

async function printJson(
  events: AsyncIterable<ChatEvent>,
  o: Output,
  extra: { citations?: Citation[] | undefined; attachments?: (() => AttachmentInfo[]) | undefined },
): Promise<number> {
  const calls: { id: string; name: string; args: unknown; result?: unknown; is_error?: boolean }[] = [];
  async function* tap(): AsyncIterable<ChatEvent> {
    for await (const e of events) {
      if (e.type === 'tool-call') calls.push({ id: e.id, name: e.name, args: e.args });
      if (e.type === 'tool-result') {
        const c = calls.find((x) => x.id === e.id);
        if (c) Object.assign(c, { result: e.result, is_error: e.isError === true });
      }
      yield e;
    }
  }
  const r = await collectTurn(tap());
  o.out.write(
    `${JSON.stringify({
      text: r.text,
      ...(r.reasoning ? { reasoning: r.reasoning } : {}),
      model: r.model,
      finish_reason: r.finishReason,
      usage: r.usage,
      timings: r.timings,
      notices: r.notices,
      cached: r.cached,
      ...(calls.length > 0 ? { tool_calls: calls } : {}),
      ...(extra.attachments ? { attachments: extra.attachments() } : {}),
      ...(extra.citations ? { citations: extra.citations } : {}),
      ...(r.route
        ? { route: { intent: r.route.intent, strategy: r.route.strategy, scores: r.route.scores } }
        : {}),
    })}\n`,
  );
  return r.finishReason === 'interrupted' ? EXIT.interrupted : EXIT.ok;
}
