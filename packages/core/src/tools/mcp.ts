/**
 * MCP servers as tools: each configured server is started (stdio) or reached (streamable
 * HTTP) through the official SDK, and each of its tools joins the registry as
 * `SERVER__tool` with the server's safety flag. Loaded only when tools are on. What a
 * server may send is limited (see mcp-guard.ts): a hostile or broken server fails alone,
 * with a typed error naming it.
 */
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import type { Transport } from '@modelcontextprotocol/sdk/shared/transport.js';
import * as z from 'zod';
import type { ParleyConfig } from '../config/schema.js';
import { redact } from '../secrets.js';
import {
  cleanText,
  droppedNote,
  limitedFetch,
  MAX_ERROR_CHARS,
  MAX_LIST_PAGES,
  MAX_MESSAGE_BYTES,
  MAX_TOOLS,
  readResult,
  readTools,
  requestError,
  withDeadline,
  type ListedTool,
} from './mcp-guard.js';
import { StdioTransport } from './mcp-stdio.js';
import type { Tool, ToolSafety } from './types.js';
import { ToolError } from './types.js';

type ServerConfig = NonNullable<NonNullable<ParleyConfig['mcp']>['servers']>[string];

/** What `parley mcp list` shows about one server. */
export interface McpServerStatus {
  name: string;
  transport: 'stdio' | 'http';
  status: 'connected' | 'failed' | 'disabled';
  error?: string | undefined;
  /** What was wrong with a connected server's tool list (tools dropped), if anything. */
  warning?: string | undefined;
  tools: { name: string; description: string }[];
}

export interface McpConnection {
  servers: McpServerStatus[];
  tools: Tool<never>[];
  close(): Promise<void>;
}

const Args = z.record(z.string(), z.unknown());
const ListPage = z.object({ tools: z.array(z.unknown()), nextCursor: z.string().optional() });

/** One server's client and transport, and why it ended when the server ended it. */
interface Link {
  client: Client;
  transport: Transport;
  failure(): string | undefined;
  /** Whether the connection has ended (either side). */
  closed(): boolean;
}

/** Connect to every configured server (in parallel); a server that fails is reported, not thrown. */
export async function connectMcpServers(config: ParleyConfig, version: string): Promise<McpConnection> {
  const entries = Object.entries(config.mcp?.servers ?? {});
  const links: Link[] = [];
  const results = await Promise.all(
    entries.map(async ([name, s]): Promise<{ status: McpServerStatus; tools: Tool<never>[] }> => {
      const transport = s.url !== undefined ? 'http' : 'stdio';
      if (s.enabled === false)
        return { status: { name, transport, status: 'disabled', tools: [] }, tools: [] };
      const timeout = s.timeout_ms ?? 10_000;
      let link: Link | undefined;
      try {
        link = makeLink(s, version);
        links.push(link);
        const l = link;
        try {
          await withDeadline(timeout, undefined, (o) => l.client.connect(l.transport, o));
        } catch (e) {
          const err = requestError(name, e, timeout, l);
          throw err.code === 'timeout'
            ? new ToolError('timeout', `${name}: did not start within ${timeout} ms`)
            : err;
        }
        const { tools: listed, warning } = await listTools(name, l, timeout);
        const safety: ToolSafety = s.safety ?? 'confirm';
        return {
          status: {
            name,
            transport,
            status: 'connected',
            ...(warning ? { warning } : {}),
            tools: listed.map((t) => ({ name: `${name}__${t.name}`, description: t.description })),
          },
          tools: listed.map((t) => mcpTool(l, name, t, safety, timeout)),
        };
      } catch (e) {
        // A failed server is stopped now (close() still waits until it is gone), and the
        // others do not wait for its grace period.
        if (link) void closeLink(link);
        const message = e instanceof Error ? e.message : String(e);
        const error = cleanText(
          redact(message.startsWith(`${name}: `) ? message.slice(name.length + 2) : message),
          MAX_ERROR_CHARS,
        );
        return { status: { name, transport, status: 'failed', error, tools: [] }, tools: [] };
      }
    }),
  );
  return {
    servers: results.map((r) => r.status),
    tools: results.flatMap((r) => r.tools),
    async close() {
      await Promise.all(links.map(closeLink));
    },
  };
}

function makeLink(s: ServerConfig, version: string): Link {
  const client = new Client({ name: 'parley', version });
  let closed = false;
  client.onclose = () => void (closed = true);
  if (s.url !== undefined) {
    const transport = new StreamableHTTPClientTransport(new URL(s.url), {
      fetch: limitedFetch(MAX_MESSAGE_BYTES),
    });
    return { client, transport, failure: () => undefined, closed: () => closed };
  }
  // Only a safe set of variables (PATH, HOME, …) plus the configured env.
  const transport = new StdioTransport({
    command: s.command as string,
    args: s.args ?? [],
    env: { ...safeEnv(), ...(s.env ?? {}) },
    maxLineBytes: MAX_MESSAGE_BYTES,
  });
  return { client, transport, failure: () => transport.failure, closed: () => closed };
}

/**
 * Close the client, then the transport itself: once a transport has ended the connection
 * (a server that broke a limit), the client no longer holds it, but its process may still be
 * on its way out. Resolves when it is gone.
 */
async function closeLink(l: Link): Promise<void> {
  await l.client.close().catch(() => undefined);
  await l.transport.close().catch(() => undefined);
}

/**
 * The server's tool list, read entry by entry (see `readTools`): at most `MAX_LIST_PAGES`
 * pages, all of them within one `timeout`.
 */
async function listTools(
  name: string,
  l: Link,
  timeout: number,
): Promise<{ tools: ListedTool[]; warning: string | undefined }> {
  const tools: ListedTool[] = [];
  const notes = new Map<string, number>();
  const end = Date.now() + timeout;
  let cursor: string | undefined;
  let page = 0;
  try {
    for (; page < MAX_LIST_PAGES; page++) {
      const params = cursor === undefined ? {} : { cursor };
      const answer = await withDeadline(Math.max(1, end - Date.now()), undefined, (o) =>
        l.client.request({ method: 'tools/list', params }, ListPage, o),
      );
      readTools(name, answer.tools, tools, notes);
      cursor = answer.nextCursor;
      if (cursor === undefined || tools.length >= MAX_TOOLS) break;
    }
  } catch (e) {
    throw requestError(`${name}: tools/list`, e, timeout, l);
  }
  const unread = page === MAX_LIST_PAGES ? `the list stops after ${MAX_LIST_PAGES} pages` : undefined;
  return { tools, warning: [droppedNote(notes), unread].filter(Boolean).join('; ') || undefined };
}

function safeEnv(): Record<string, string> {
  const out: Record<string, string> = {};
  for (const k of ['HOME', 'LOGNAME', 'PATH', 'SHELL', 'TERM', 'USER', 'LANG']) {
    const v = process.env[k];
    if (v !== undefined) out[k] = v;
  }
  return out;
}

function mcpTool(l: Link, server: string, t: ListedTool, safety: ToolSafety, timeout: number): Tool<never> {
  const label = `${server}__${t.name}`;
  const tool: Tool<Record<string, unknown>> = {
    name: label,
    description: `${t.description} (MCP server ${server})`,
    input: Args,
    jsonSchema: t.inputSchema,
    safety,
    async execute(args, ctx) {
      let r: unknown;
      try {
        const params = { name: t.name, arguments: args };
        r = await withDeadline(timeout, ctx.signal, (o) =>
          l.client.request({ method: 'tools/call', params }, z.unknown(), o),
        );
      } catch (e) {
        if (ctx.signal.aborted) throw new ToolError('failed', `${label}: cancelled`);
        throw requestError(label, e, timeout, l);
      }
      return { forModel: readResult(label, r) };
    },
  };
  return tool as unknown as Tool<never>;
}
