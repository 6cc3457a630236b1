/**
 * Tools: what a tool is, what it answers, and how a risky one asks the user first.
 * See docs/tools.md.
 */
import type { z } from 'zod';

/** How risky a tool is: `safe` runs at once, `confirm` asks first, `dangerous` always asks. */
export type ToolSafety = 'safe' | 'confirm' | 'dangerous';
export const TOOL_SAFETIES: readonly ToolSafety[] = ['safe', 'confirm', 'dangerous'];

/** What a tool answered: the text the model reads, and the (often shorter) text the user sees. */
export interface ToolOutput {
  forModel: string;
  forUser?: string | undefined;
}

/** Stable codes of a failed tool call. */
export type ToolErrorCode =
  | 'unknown_tool'
  | 'invalid_args'
  | 'denied'
  | 'blocked'
  | 'not_found'
  | 'too_large'
  | 'timeout'
  | 'unavailable'
  | 'failed';

/** A tool's failure: thrown by a tool, turned into a typed result by the registry. */
export class ToolError extends Error {
  constructor(
    readonly code: ToolErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'ToolError';
  }
}

/** The typed result of one tool call: a failure never throws. */
export type ToolResult =
  { ok: true; forModel: string; forUser: string } | { ok: false; code: ToolErrorCode; message: string };

/** What a running tool gets besides its arguments. */
export interface ToolContext {
  signal: AbortSignal;
  /** The tool call's id. */
  callId: string;
}

/** A tool the model may call. */
export interface Tool<A = unknown> {
  name: string;
  description: string;
  /** Validates the model's arguments; sent to models as JSON schema unless `jsonSchema` is set. */
  input: z.ZodType<A>;
  /** The JSON schema models see, when it is not derived from `input` (MCP tools). */
  jsonSchema?: Record<string, unknown> | undefined;
  safety: ToolSafety;
  execute(args: A, ctx: ToolContext): Promise<ToolOutput>;
}

/** A question to the user before a risky tool runs. */
export interface ConfirmRequest {
  /** The tool call's id. */
  id: string;
  tool: string;
  safety: Exclude<ToolSafety, 'safe'>;
  args: unknown;
  /** One line saying what is about to happen. */
  summary: string;
}

/**
 * Asks the user; resolves true to run the tool. Front ends implement it (a y/n prompt, a
 * WebSocket round trip). It should honour `signal`; the caller treats a timeout as no.
 */
export type Confirmer = (request: ConfirmRequest, signal: AbortSignal) => Promise<boolean>;

/** A confirmer that refuses everything risky (no way to ask). */
export const refuseAll: Confirmer = async () => false;
