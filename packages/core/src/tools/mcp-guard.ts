/**
 * What parley accepts from an MCP server, whoever wrote it: the limits on messages, tool
 * lists, names, descriptions and schemas, text cleaned of terminal escapes, and the reading
 * of a tool list or a tool result of any shape without throwing.
 */
import { StreamableHTTPError } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { ErrorCode, McpError, ToolSchema } from '@modelcontextprotocol/sdk/types.js';
import type { FetchLike } from '@modelcontextprotocol/sdk/shared/transport.js';
import { redact } from '../secrets.js';
import { TOOL_NAME } from './registry.js';
import { ToolError } from './types.js';

/** Longest message read from a server (one stdio line, one HTTP response), in bytes. */
export const MAX_MESSAGE_BYTES = 16 * 1024 * 1024;
/** Most tools taken from one server. */
export const MAX_TOOLS = 128;
/** Most pages of `tools/list` followed. */
export const MAX_LIST_PAGES = 16;
/** Longest tool description handed to models, in characters. */
export const MAX_DESCRIPTION_CHARS = 2000;
/** Largest input schema (as JSON) handed to models, in characters. */
export const MAX_SCHEMA_CHARS = 64 * 1024;
/** Longest error text kept from a server, in characters. */
export const MAX_ERROR_CHARS = 2000;

// Escape sequences: CSI (ESC [ … final), OSC (ESC ] … BEL or ESC \), DCS/SOS/PM/APC
// strings, and any other two-character escape; C1 CSI and OSC as single bytes too.
const ESCAPES =
  // eslint-disable-next-line no-control-regex
  /\u001b\[[0-?]*[ -/]*[@-~]?|\u009b[0-?]*[ -/]*[@-~]?|(?:\u001b[\]PX^_]|[\u0090\u0098\u009d-\u009f])[^\u0007\u001b\u009c]*(?:\u0007|\u001b\\|\u009c)?|\u001b[ -~]?/g;
// Every other control character but newline and tab, and the bidirectional overrides.
// eslint-disable-next-line no-control-regex
const CONTROLS = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/g;

/** Text from a server made safe to print and to hand on: no escapes, no control characters, at most `max` characters. */
export function cleanText(text: string, max: number): string {
  const s = text.length > max * 4 ? text.slice(0, max * 4) : text;
  const clean = s.replace(ESCAPES, '').replace(CONTROLS, '').replace(/\r/g, '');
  return clean.length > max ? `${clean.slice(0, max)}…` : clean;
}

/** A fetch whose response bodies stop with an error past `maxBytes`. */
export function limitedFetch(maxBytes: number, base: FetchLike = fetch): FetchLike {
  return async (url, init) => {
    const res = await base(url, init);
    if (!res.body) return res;
    let seen = 0;
    const limit = new TransformStream<Uint8Array, Uint8Array>({
      transform(chunk, controller) {
        seen += chunk.byteLength;
        if (seen > maxBytes)
          controller.error(new Error(`the server sent a response longer than ${maxBytes} bytes`));
        else controller.enqueue(chunk);
      },
    });
    const out = new Response(res.body.pipeThrough(limit), {
      status: res.status,
      statusText: res.statusText,
      headers: res.headers,
    });
    Object.defineProperty(out, 'url', { value: res.url });
    return out;
  };
}

/** One tool as parley keeps it. */
export interface ListedTool {
  name: string;
  description: string;
  inputSchema: Record<string, unknown>;
}

/**
 * Read one page of a `tools/list` answer entry by entry: a tool that is malformed, badly
 * named, named twice, or too large is dropped with a note, and the rest are kept.
 */
export function readTools(
  server: string,
  entries: unknown[],
  into: ListedTool[],
  notes: Map<string, number>,
): void {
  const note = (why: string): void => void notes.set(why, (notes.get(why) ?? 0) + 1);
  for (const entry of entries) {
    if (into.length >= MAX_TOOLS) {
      note(`more than ${MAX_TOOLS} tools`);
      continue;
    }
    const parsed = ToolSchema.safeParse(entry);
    if (!parsed.success) {
      note('malformed');
      continue;
    }
    const t = parsed.data;
    if (!/^[A-Za-z0-9_-]+$/.test(t.name) || !TOOL_NAME.test(`${server}__${t.name}`)) {
      note(`name not 1-64 letters, digits, _ or - with the prefix ${server}__`);
      continue;
    }
    if (into.some((k) => k.name === t.name)) {
      note('named twice');
      continue;
    }
    const schema = t.inputSchema as Record<string, unknown>;
    if (JSON.stringify(schema).length > MAX_SCHEMA_CHARS) {
      note(`input schema over ${MAX_SCHEMA_CHARS} characters`);
      continue;
    }
    into.push({
      name: t.name,
      description: cleanText(t.description ?? t.name, MAX_DESCRIPTION_CHARS),
      inputSchema: { ...schema, type: 'object' },
    });
  }
}

/** The notes of `readTools` as one sentence, or undefined when nothing was dropped. */
export function droppedNote(notes: Map<string, number>): string | undefined {
  if (notes.size === 0) return undefined;
  const n = [...notes.values()].reduce((a, b) => a + b, 0);
  return `${n} tool${n === 1 ? '' : 's'} dropped (${[...notes].map(([why, c]) => `${c} ${why}`).join('; ')})`;
}

type Content = { type?: unknown; text?: unknown };

/** The text of a `tools/call` result of any shape; `isError` results and odd shapes are failures. */
export function readResult(label: string, result: unknown): string {
  const r = (typeof result === 'object' && result !== null ? result : {}) as {
    content?: unknown;
    isError?: unknown;
    structuredContent?: unknown;
  };
  const parts = Array.isArray(r.content) ? (r.content as unknown[]) : [];
  const text = parts
    .map((c) => {
      const p = (typeof c === 'object' && c !== null ? c : {}) as Content;
      if (p.type === 'text') return typeof p.text === 'string' ? p.text : '[text content that is not text]';
      return `[${typeof p.type === 'string' ? cleanText(p.type, 40) : 'unknown'} content]`;
    })
    .join('\n');
  if (r.isError === true) {
    const why = text ? cleanText(redact(text), MAX_ERROR_CHARS) : 'the tool failed';
    throw new ToolError('failed', `${label}: ${why}`);
  }
  if (!Array.isArray(r.content) && r.structuredContent === undefined)
    throw new ToolError('failed', `${label}: the server's answer has no content`);
  if (text === '' && r.structuredContent !== undefined) return redact(JSON.stringify(r.structuredContent));
  return redact(text);
}

/** parley's own deadline passed (a server cannot fake it, unlike an error code). */
export class DeadlinePassed extends Error {}

/**
 * Run a request under parley's own deadline, also ended by `outer`. The SDK's timeout is set
 * past it, so a server that never answers is always cut at `ms`, and named so.
 */
export async function withDeadline<T>(
  ms: number,
  outer: AbortSignal | undefined,
  run: (options: { signal: AbortSignal; timeout: number }) => Promise<T>,
): Promise<T> {
  const ac = new AbortController();
  const onAbort = (): void => ac.abort(outer?.reason);
  outer?.addEventListener('abort', onAbort, { once: true });
  let passed = false;
  const timer = setTimeout(() => {
    passed = true;
    ac.abort(new DeadlinePassed());
  }, ms);
  try {
    return await run({ signal: ac.signal, timeout: ms + 60_000 });
  } catch (e) {
    throw passed ? new DeadlinePassed() : e;
  } finally {
    clearTimeout(timer);
    outer?.removeEventListener('abort', onAbort);
  }
}

/** A failed request to a server as a typed error naming it and why. */
export function requestError(
  label: string,
  e: unknown,
  timeoutMs: number,
  link: { failure(): string | undefined; closed(): boolean },
): ToolError {
  if (e instanceof DeadlinePassed)
    return new ToolError('timeout', `${label}: no answer within ${timeoutMs} ms`);
  const failure = link.failure();
  if (failure !== undefined) return new ToolError('unavailable', `${label}: ${failure}`);
  // (Only when the connection did end: a server may send these codes itself.)
  if (link.closed() && e instanceof McpError && e.code === ErrorCode.ConnectionClosed)
    return new ToolError('unavailable', `${label}: the server closed the connection`);
  let message = e instanceof Error ? e.message : String(e);
  if (e instanceof StreamableHTTPError && typeof e.code === 'number' && e.code > 0)
    message = `HTTP ${e.code}: ${message.replace(/^Streamable HTTP error: /, '')}`;
  return new ToolError('failed', `${label}: ${cleanText(redact(message), MAX_ERROR_CHARS)}`);
}
