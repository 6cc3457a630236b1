/**
 * The tool registry: tools by name, their definitions for models, and `call()`, which
 * validates a model's arguments, asks for confirmation and turns every failure into a typed
 * result.
 */
import * as z from 'zod';
import type { ToolDefinition } from '../chat-model.js';
import { redact } from '../secrets.js';
import type { Confirmer, Tool, ToolResult, ToolSafety } from './types.js';
import { ToolError } from './types.js';

/** Tool names: what every provider accepts (letters, digits, `_` and `-`, at most 64). */
export const TOOL_NAME = /^[A-Za-z0-9_-]{1,64}$/;
/** Longest argument JSON accepted from a model, in characters. */
export const MAX_ARGS_CHARS = 1_000_000;

export interface CallOptions {
  confirm: Confirmer;
  signal: AbortSignal;
  /** How long to wait for the user's answer; no answer means no (default 60 s). */
  confirmTimeoutMs?: number;
  /** Largest text handed back to the model, in characters (default 100 000). */
  maxOutputChars?: number;
}

export class ToolRegistry {
  private readonly tools = new Map<string, Tool<never>>();
  /** `definitions()` computed once (JSON schema conversion is not free); reset by `register`. */
  private defs: ToolDefinition[] | undefined;

  register<A>(tool: Tool<A>): this {
    if (!TOOL_NAME.test(tool.name)) {
      throw new ToolError('invalid_args', `tool name "${tool.name}": use 1-64 letters, digits, _ or -`);
    }
    if (this.tools.has(tool.name))
      throw new ToolError('invalid_args', `tool "${tool.name}" is registered twice`);
    this.tools.set(tool.name, tool as unknown as Tool<never>);
    this.defs = undefined;
    return this;
  }

  get(name: string): Tool<unknown> | undefined {
    return this.tools.get(name) as Tool<unknown> | undefined;
  }

  list(): Tool<unknown>[] {
    return [...this.tools.values()] as Tool<unknown>[];
  }

  get size(): number {
    return this.tools.size;
  }

  /** What models are told about every tool. */
  definitions(): ToolDefinition[] {
    this.defs ??= this.list().map((t) => ({
      name: t.name,
      description: t.description,
      inputSchema: t.jsonSchema ?? jsonSchemaOf(t.input),
    }));
    return this.defs;
  }

  /** Run one call from a model. Never throws: a failure is a `{ ok: false }` result. */
  async call(name: unknown, id: string, args: unknown, opts: CallOptions): Promise<ToolResult> {
    try {
      const tool = typeof name === 'string' ? this.get(name) : undefined;
      if (!tool) {
        // A model may send anything as a name; describing it must not throw (String() can).
        const shown =
          typeof name === 'string'
            ? name.slice(0, 80)
            : `(${name === null ? 'null' : typeof name}, not a name)`;
        const known = this.list().map((t) => t.name);
        throw new ToolError(
          'unknown_tool',
          `there is no tool "${shown}"${known.length ? `; the tools are ${known.join(', ')}` : ''}`,
        );
      }
      if (typeof args === 'string') {
        if (args.length > MAX_ARGS_CHARS) {
          throw new ToolError(
            'too_large',
            `${tool.name}: the arguments are ${args.length} characters (at most ${MAX_ARGS_CHARS})`,
          );
        }
        throw new ToolError('invalid_args', `${tool.name}: the arguments are not a JSON object`);
      }
      const size = JSON.stringify(args ?? null).length;
      if (size > MAX_ARGS_CHARS) {
        throw new ToolError(
          'too_large',
          `${tool.name}: the arguments are ${size} characters (at most ${MAX_ARGS_CHARS})`,
        );
      }
      const parsed = tool.input.safeParse(args ?? {});
      if (!parsed.success) {
        const issue = parsed.error.issues[0];
        const where = issue?.path.length ? `${issue.path.join('.')}: ` : '';
        throw new ToolError('invalid_args', `${tool.name}: ${where}${issue?.message ?? 'invalid arguments'}`);
      }
      if (tool.safety !== 'safe') {
        const ok = await askWithTimeout(opts, {
          id,
          tool: tool.name,
          safety: tool.safety,
          args: parsed.data,
          summary: summarise(tool.name, parsed.data),
        });
        if (!ok) throw new ToolError('denied', `${tool.name}: the user did not allow this call`);
      }
      if (opts.signal.aborted) throw new ToolError('failed', `${tool.name}: cancelled`);
      const out = await tool.execute(parsed.data, { signal: opts.signal, callId: id });
      const max = opts.maxOutputChars ?? 100_000;
      const forModel =
        out.forModel.length > max
          ? `${out.forModel.slice(0, max)}\n[cut at ${max} characters]`
          : out.forModel;
      return { ok: true, forModel, forUser: out.forUser ?? preview(forModel) };
    } catch (e) {
      if (e instanceof ToolError) return { ok: false, code: e.code, message: redact(e.message) };
      return { ok: false, code: 'failed', message: redact(e instanceof Error ? e.message : String(e)) };
    }
  }
}

async function askWithTimeout(opts: CallOptions, request: Parameters<Confirmer>[0]): Promise<boolean> {
  const ac = new AbortController();
  const onAbort = (): void => ac.abort();
  opts.signal.addEventListener('abort', onAbort, { once: true });
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<boolean>((resolve) => {
    timer = setTimeout(() => {
      ac.abort();
      resolve(false);
    }, opts.confirmTimeoutMs ?? 60_000);
  });
  try {
    return await Promise.race([opts.confirm(request, ac.signal).catch(() => false), timeout]);
  } finally {
    clearTimeout(timer);
    opts.signal.removeEventListener('abort', onAbort);
    ac.abort();
  }
}

/** One line about a call, for confirmation prompts. */
export function summarise(tool: string, args: unknown): string {
  const json = JSON.stringify(args);
  return `${tool} ${json.length > 300 ? `${json.slice(0, 300)}…` : json}`;
}

function preview(text: string): string {
  return text.length > 500 ? `${text.slice(0, 500)}…` : text;
}

/** A zod schema as the JSON schema models read. */
export function jsonSchemaOf(schema: z.ZodType): Record<string, unknown> {
  const s = z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' }) as Record<string, unknown>;
  delete s.$schema;
  return s;
}

/** Is this a valid safety flag? */
export function isSafety(v: unknown): v is ToolSafety {
  return v === 'safe' || v === 'confirm' || v === 'dangerous';
}
