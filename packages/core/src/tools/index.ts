/**
 * Tools (docs/tools.md). The registry, the loop and the types load with core; the built-in
 * tools, their sandbox and MCP load only when a tool session is created.
 */
import type { ParleyConfig } from '../config/schema.js';
import type { ToolSession, ToolSessionOptions } from './session.js';

export { ToolRegistry, jsonSchemaOf, summarise, TOOL_NAME, MAX_ARGS_CHARS } from './registry.js';
export type { CallOptions } from './registry.js';
export { runToolLoop, DEFAULT_MAX_STEPS } from './loop.js';
export type { ToolLoopOptions, StepStreamer } from './loop.js';
export { ToolError, TOOL_SAFETIES, refuseAll } from './types.js';
export type {
  Tool,
  ToolOutput,
  ToolResult,
  ToolSafety,
  ToolContext,
  ToolErrorCode,
  Confirmer,
  ConfirmRequest,
} from './types.js';
export type { ToolSession, ToolSessionOptions } from './session.js';
export type { McpServerStatus } from './mcp.js';

/** The names of the built-in tools. */
export const BUILTIN_TOOL_NAMES = [
  'fetch_url',
  'web_search',
  'read_file',
  'write_file',
  'list_dir',
  'run_code',
  'shell',
] as const;

/**
 * The tools a turn may use: the enabled built-in tools and MCP tools, with the confirmer
 * and limits from config. Pass it as `tools` to `parley.stream()`; `close()` it after.
 */
export async function createToolSession(
  config: ParleyConfig,
  opts: ToolSessionOptions,
): Promise<ToolSession> {
  return (await import('./session.js')).createToolSession(config, opts);
}
