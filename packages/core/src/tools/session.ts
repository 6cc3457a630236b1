/**
 * A tool session: the registry a turn may use (the enabled built-in tools and MCP tools),
 * how to ask for confirmation, and the limits from config.
 */
import type { LookupFunction } from 'node:net';
import type { ParleyConfig } from '../config/schema.js';
import { UsageError } from '../errors.js';
import { fetchUrlTool } from './fetch-url.js';
import type { ToolLoopOptions } from './loop.js';
import { DEFAULT_MAX_STEPS } from './loop.js';
import type { McpConnection, McpServerStatus } from './mcp.js';
import { ToolRegistry } from './registry.js';
import { runCodeTool, shellTool } from './sandbox.js';
import type { Confirmer, Tool } from './types.js';
import { webSearchTool } from './web-search.js';
import { workspaceTools } from './workspace.js';

export interface ToolSessionOptions {
  /** Tool names, `SERVER__*`, or `all`; default `tools.enabled` from config. */
  enabled?: readonly string[] | undefined;
  confirm: Confirmer;
  env?: NodeJS.ProcessEnv | undefined;
  /** parley's version, told to MCP servers. */
  version?: string | undefined;
  /** fetch for web_search (tests). */
  fetch?: typeof fetch | undefined;
  /** DNS lookup for fetch_url (tests). */
  lookup?: LookupFunction | undefined;
  /** Connect to MCP servers even when no MCP tool is enabled (`parley tools list`). */
  connectAllMcp?: boolean | undefined;
}

export interface ToolSession extends Omit<ToolLoopOptions, 'signal'> {
  /** Every tool that could be enabled (built-in and from connected MCP servers). */
  available: Tool<unknown>[];
  mcp: McpServerStatus[];
  close(): Promise<void>;
}

/** The resolved limits of `tools.limits`. */
export function toolLimits(config: ParleyConfig) {
  const l = config.tools?.limits ?? {};
  return {
    fetchMaxBytes: l.fetch_max_bytes ?? 2 * 1024 * 1024,
    fetchTimeoutMs: l.fetch_timeout_ms ?? 15_000,
    fetchMaxRedirects: l.fetch_max_redirects ?? 5,
    runTimeoutMs: l.run_timeout_ms ?? 10_000,
    runMemoryMb: l.run_memory_mb ?? 1024,
    runOutputBytes: l.run_output_bytes ?? 64 * 1024,
    runProcesses: l.run_processes ?? 64,
    runNetwork: l.run_network ?? false,
    readMaxBytes: l.read_max_bytes ?? 1024 * 1024,
    resultMaxChars: l.result_max_chars ?? 100_000,
  };
}

/** The built-in tools, configured. */
export function builtinTools(
  config: ParleyConfig,
  opts: Omit<ToolSessionOptions, 'confirm'> = {},
): Tool<unknown>[] {
  const t = config.tools ?? {};
  const l = toolLimits(config);
  const workspace = t.workspace ?? process.cwd();
  const run = {
    timeoutMs: l.runTimeoutMs,
    memoryMb: l.runMemoryMb,
    outputBytes: l.runOutputBytes,
    processes: l.runProcesses,
    network: l.runNetwork,
  };
  const tools: Tool<never>[] = [
    fetchUrlTool(
      {
        allowPrivate: t.allow_private_network ?? false,
        allowHosts: (t.allow_hosts ?? []).map((h) => h.toLowerCase()),
        lookup: opts.lookup,
      },
      { maxBytes: l.fetchMaxBytes, timeoutMs: l.fetchTimeoutMs, maxRedirects: l.fetchMaxRedirects },
    ) as unknown as Tool<never>,
    webSearchTool({
      apiKey: (opts.env ?? process.env).TAVILY_API_KEY || undefined,
      baseUrl: t.web_search_url,
      timeoutMs: l.fetchTimeoutMs,
      fetch: opts.fetch,
    }) as unknown as Tool<never>,
    ...workspaceTools(workspace, l.readMaxBytes),
    runCodeTool(run) as unknown as Tool<never>,
    shellTool(workspace, run) as unknown as Tool<never>,
  ];
  for (const tool of tools) {
    const override = t.safety?.[tool.name];
    if (override && tool.name !== 'shell') tool.safety = override;
  }
  return tools as unknown as Tool<unknown>[];
}

/** Which of `names` the session turns on; unknown names are a usage error naming them. */
function select(
  names: readonly string[],
  available: readonly Tool<unknown>[],
  mcp: McpServerStatus[],
): Tool<unknown>[] {
  if (names.includes('all')) return [...available];
  const picked = new Map<string, Tool<unknown>>();
  for (const n of names) {
    const prefix = n.endsWith('__*') ? n.slice(0, -1) : undefined;
    const matches = available.filter((t) => (prefix ? t.name.startsWith(prefix) : t.name === n));
    if (matches.length === 0) {
      const server = mcp.find((s) => n.startsWith(`${s.name}__`));
      if (server && server.status !== 'connected') {
        throw new UsageError(
          `tool ${n}: MCP server ${server.name} is ${server.status}${server.error ? ` (${server.error})` : ''}`,
        );
      }
      throw new UsageError(
        `unknown tool "${n}": the tools are ${available.map((t) => t.name).join(', ')} (or all)`,
      );
    }
    for (const m of matches) picked.set(m.name, m);
  }
  return [...picked.values()];
}

/** Build the tool session for a turn. MCP servers are contacted only when an MCP tool is asked for. */
export async function createToolSession(
  config: ParleyConfig,
  opts: ToolSessionOptions,
): Promise<ToolSession> {
  const names = opts.enabled ?? config.tools?.enabled ?? [];
  const builtins = builtinTools(config, opts);
  const wantsMcp =
    opts.connectAllMcp === true || names.includes('all') || names.some((n) => n.includes('__'));
  let mcp: McpConnection | undefined;
  if (wantsMcp && Object.keys(config.mcp?.servers ?? {}).length > 0) {
    const { connectMcpServers } = await import('./mcp.js');
    mcp = await connectMcpServers(config, opts.version ?? '0.0.0');
  }
  const available = [...builtins, ...((mcp?.tools ?? []) as unknown as Tool<unknown>[])];
  let selected: Tool<unknown>[];
  try {
    selected = select(names, available, mcp?.servers ?? []);
  } catch (e) {
    await mcp?.close();
    throw e;
  }
  const registry = new ToolRegistry();
  for (const t of selected) registry.register(t);
  const l = toolLimits(config);
  return {
    registry,
    confirm: opts.confirm,
    maxSteps: config.tools?.max_steps ?? DEFAULT_MAX_STEPS,
    confirmTimeoutMs: config.tools?.confirm_timeout_ms ?? 60_000,
    maxOutputChars: l.resultMaxChars,
    available,
    mcp: mcp?.servers ?? [],
    close: async () => {
      await mcp?.close();
    },
  };
}
