/** `parley tools list` and `parley mcp list`. */
import {
  BUILTIN_TOOL_NAMES,
  EXIT,
  UsageError,
  createToolSession,
  refuseAll,
  type Parley,
} from '@parley/core';
import type { CliArgs } from '../args.js';
import { version } from '../main.js';
import { paint, type Output } from '../output.js';
import { sanitize } from '../sanitize.js';

/** Text from an MCP server on one terminal line: no control characters, no line breaks. */
const oneLine = (s: string): string => sanitize(s).replace(/\s+/g, ' ').trim();

function table(rows: string[][]): string {
  const widths = rows[0]?.map((_, i) => Math.max(...rows.map((r) => (r[i] ?? '').length))) ?? [];
  return rows
    .map((r) =>
      r
        .map((c, i) => (i === r.length - 1 ? c : c.padEnd(widths[i] ?? 0)))
        .join('  ')
        .trimEnd(),
    )
    .join('\n');
}

async function everything(parley: Parley) {
  // Every tool, connected to every MCP server, nothing enabled: listing never asks or runs.
  return createToolSession(parley.config, {
    enabled: [],
    confirm: refuseAll,
    connectAllMcp: true,
    version: version(),
  });
}

export async function runToolsCommand(parley: Parley, args: CliArgs, o: Output): Promise<number> {
  const sub = args.rest[0] ?? 'list';
  if (sub !== 'list' || args.rest.length > 1) throw new UsageError('use parley tools list [--json]');
  const s = await everything(parley);
  try {
    const enabled = new Set(args.tools ?? parley.config.tools?.enabled ?? []);
    const all = enabled.has('all');
    const rows = s.available.map((t) => ({
      name: t.name,
      safety: t.safety,
      source: (BUILTIN_TOOL_NAMES as readonly string[]).includes(t.name)
        ? 'built-in'
        : `mcp:${t.name.split('__')[0]}`,
      enabled: all || enabled.has(t.name) || enabled.has(`${t.name.split('__')[0]}__*`),
      description: t.description,
    }));
    if (args.json) {
      o.out.write(`${JSON.stringify({ tools: rows })}\n`);
      return EXIT.ok;
    }
    o.out.write(
      `${table([
        ['NAME', 'SAFETY', 'SOURCE', 'ON', 'DESCRIPTION'],
        ...rows.map((r) => [r.name, r.safety, r.source, r.enabled ? 'yes' : '-', oneLine(r.description)]),
      ])}\n`,
    );
    const failed = s.mcp.filter((m) => m.status === 'failed');
    for (const m of failed)
      o.err.write(
        `${paint(o, 'yellow', 'parley:')} MCP server ${m.name} failed: ${oneLine(m.error ?? '')}\n`,
      );
    for (const m of s.mcp.filter((x) => x.warning !== undefined))
      o.err.write(`${paint(o, 'yellow', 'parley:')} MCP server ${m.name}: ${oneLine(m.warning ?? '')}\n`);
    return EXIT.ok;
  } finally {
    await s.close();
  }
}

export async function runMcpCommand(parley: Parley, args: CliArgs, o: Output): Promise<number> {
  const sub = args.rest[0] ?? 'list';
  if (sub !== 'list' || args.rest.length > 1) throw new UsageError('use parley mcp list [--json]');
  const s = await everything(parley);
  try {
    if (args.json) {
      o.out.write(`${JSON.stringify({ servers: s.mcp })}\n`);
      return EXIT.ok;
    }
    if (s.mcp.length === 0) {
      o.out.write('no MCP servers configured (add [mcp.servers.NAME] to config.toml; see docs/tools.md)\n');
      return EXIT.ok;
    }
    for (const m of s.mcp) {
      const status =
        m.status === 'connected' ? m.status : paint(o, m.status === 'failed' ? 'red' : 'dim', m.status);
      o.out.write(`${m.name}  ${m.transport}  ${status}${m.error ? `: ${oneLine(m.error)}` : ''}\n`);
      if (m.warning) o.out.write(`  ${paint(o, 'yellow', 'warning:')} ${oneLine(m.warning)}\n`);
      for (const t of m.tools) o.out.write(`  ${t.name}  ${oneLine(t.description)}\n`);
    }
    return s.mcp.some((m) => m.status === 'failed') ? EXIT.runtime : EXIT.ok;
  } finally {
    await s.close();
  }
}
