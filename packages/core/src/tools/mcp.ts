/**
 * MCP servers as tools: each configured server is started (stdio) or reached (streamable
 * HTTP) through the official SDK, and each of its tools joins the registry as
 * `SERVER__tool` with the server's safety flag. Loaded only when tools are on.
 */
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import type { Transport } from '@modelcontextprotocol/sdk/shared/transport.js';
import * as z from 'zod';
import type { ParleyConfig } from '../config/schema.js';
import { redact } from '../secrets.js';
import { TOOL_NAME } from './registry.js';
import type { Tool, ToolSafety } from './types.js';
import { ToolError } from './types.js';

type ServerConfig = NonNullable<NonNullable<ParleyConfig['mcp']>['servers']>[string];

/** What `parley mcp list` shows about one server. */
export interface McpServerStatus {
  name: string;
  transport: 'stdio' | 'http';
  status: 'connected' | 'failed' | 'disabled';
  error?: string | undefined;
  tools: { name: string; description: string }[];
}

export interface McpConnection {
  servers: McpServerStatus[];
  tools: Tool<never>[];
  close(): Promise<void>;
}

const Args = z.record(z.string(), z.unknown());

/** Connect to every configured server (in parallel); a server that fails is reported, not thrown. */
export async function connectMcpServers(config: ParleyConfig, version: string): Promise<McpConnection> {
  const entries = Object.entries(config.mcp?.servers ?? {});
  const clients: Client[] = [];
  const results = await Promise.all(
    entries.map(async ([name, s]): Promise<{ status: McpServerStatus; tools: Tool<never>[] }> => {
      const transport = s.url !== undefined ? 'http' : 'stdio';
      if (s.enabled === false)
        return { status: { name, transport, status: 'disabled', tools: [] }, tools: [] };
      try {
        const client = new Client({ name: 'parley', version });
        clients.push(client);
        const timeout = s.timeout_ms ?? 10_000;
        await withTimeout(
          client.connect(makeTransport(s)),
          timeout,
          `${name}: did not start within ${timeout} ms`,
        );
        const listed = await client.listTools(undefined, { timeout });
        const safety: ToolSafety = s.safety ?? 'confirm';
        const tools = listed.tools
          .filter((t) => TOOL_NAME.test(`${name}__${t.name}`))
          .map((t) => mcpTool(client, name, t, safety, timeout));
        return {
          status: {
            name,
            transport,
            status: 'connected',
            tools: listed.tools.map((t) => ({
              name: `${name}__${t.name}`,
              description: t.description ?? '',
            })),
          },
          tools,
        };
      } catch (e) {
        return {
          status: { name, transport, status: 'failed', error: redact((e as Error).message), tools: [] },
          tools: [],
        };
      }
    }),
  );
  return {
    servers: results.map((r) => r.status),
    tools: results.flatMap((r) => r.tools),
    async close() {
      await Promise.all(clients.map((c) => c.close().catch(() => undefined)));
    },
  };
}

function makeTransport(s: ServerConfig): Transport {
  if (s.url !== undefined) return new StreamableHTTPClientTransport(new URL(s.url));
  // The SDK passes only a safe set of variables (PATH, HOME, …) plus the configured env.
  return new StdioClientTransport({
    command: s.command as string,
    args: s.args ?? [],
    ...(s.env ? { env: { ...safeEnv(), ...s.env } } : {}),
    stderr: 'ignore',
  });
}

function safeEnv(): Record<string, string> {
  const out: Record<string, string> = {};
  for (const k of ['HOME', 'LOGNAME', 'PATH', 'SHELL', 'TERM', 'USER', 'LANG']) {
    const v = process.env[k];
    if (v !== undefined) out[k] = v;
  }
  return out;
}

function mcpTool(
  client: Client,
  server: string,
  t: { name: string; description?: string | undefined; inputSchema: Record<string, unknown> },
  safety: ToolSafety,
  timeout: number,
): Tool<never> {
  const tool: Tool<Record<string, unknown>> = {
    name: `${server}__${t.name}`,
    description: `${t.description ?? t.name} (MCP server ${server})`,
    input: Args,
    jsonSchema: { ...t.inputSchema, type: 'object' },
    safety,
    async execute(args, ctx) {
      let r;
      try {
        r = await client.callTool({ name: t.name, arguments: args }, undefined, {
          signal: ctx.signal,
          timeout,
        });
      } catch (e) {
        throw new ToolError('failed', `${server}__${t.name}: ${(e as Error).message}`);
      }
      const content = Array.isArray(r.content) ? (r.content as { type: string; text?: string }[]) : [];
      const text = content
        .map((c) => (c.type === 'text' ? (c.text ?? '') : `[${c.type} content]`))
        .join('\n');
      if (r.isError === true)
        throw new ToolError('failed', `${server}__${t.name}: ${text || 'the tool failed'}`);
      return { forModel: text };
    },
  };
  return tool as unknown as Tool<never>;
}

async function withTimeout<T>(p: Promise<T>, ms: number, message: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([
      p,
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(message)), ms);
      }),
    ]);
  } finally {
    clearTimeout(timer);
  }
}
