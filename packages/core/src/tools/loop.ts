/**
 * The tool-calling loop: stream a step, run the tools the model called (asking first for
 * risky ones), hand the results back, and go on until the model answers without calling a
 * tool or the step limit is reached. The caller sees one turn: every step's text, the
 * `tool-call` and `tool-result` events, and exactly one terminal event.
 */
import type { ChatRequest, ToolCallPart, ToolResultPart, ToolStep } from '../chat-model.js';
import type { ChatEvent, Usage } from '../events.js';
import type { ToolRegistry } from './registry.js';
import type { Confirmer } from './types.js';

export interface ToolLoopOptions {
  registry: ToolRegistry;
  confirm: Confirmer;
  /** Model calls in one turn, the last one included (default 8). */
  maxSteps?: number;
  confirmTimeoutMs?: number;
  maxOutputChars?: number;
  signal?: AbortSignal | undefined;
}

/** Streams one model call (the chat engine: retries, fallback, trimming). */
export type StepStreamer = (request: ChatRequest) => AsyncIterable<ChatEvent>;

export const DEFAULT_MAX_STEPS = 8;

export async function* runToolLoop(
  streamStep: StepStreamer,
  request: ChatRequest,
  opts: ToolLoopOptions,
): AsyncIterable<ChatEvent> {
  const maxSteps = opts.maxSteps ?? DEFAULT_MAX_STEPS;
  const steps: ToolStep[] = [...(request.toolSteps ?? [])];
  const tools = opts.registry.definitions();
  const usage: Usage = {};
  const signal = opts.signal ?? new AbortController().signal;
  for (let step = 1; ; step++) {
    const calls: ToolCallPart[] = [];
    let text = '';
    let finished: Extract<ChatEvent, { type: 'done' }> | undefined;
    for await (const e of streamStep({ ...request, tools, toolSteps: [...steps] })) {
      if (e.type === 'usage') continue;
      if (e.type === 'done') {
        finished = e;
        break;
      }
      if (e.type === 'interrupted' || e.type === 'error') {
        if (e.type === 'interrupted') {
          yield { ...e, usage: addUsage(usage, e.usage) };
        } else yield e;
        return;
      }
      if (e.type === 'text-delta') text += e.text;
      if (e.type === 'tool-call') calls.push({ type: 'tool-call', id: e.id, name: e.name, args: e.args });
      yield e;
    }
    if (!finished) return;
    const total = addUsage(usage, finished.usage);
    Object.assign(usage, total);
    if (calls.length === 0) {
      yield { type: 'usage', usage: total };
      yield { ...finished, usage: total };
      return;
    }
    const results: ToolResultPart[] = [];
    if (step >= maxSteps) {
      for (const c of calls) {
        const message = `not run: the turn reached its limit of ${maxSteps} steps (tools.max_steps)`;
        yield { type: 'tool-result', id: c.id, name: c.name, result: message, isError: true };
      }
      yield {
        type: 'notice',
        level: 'warn',
        code: 'tool-steps-exhausted',
        message: `stopped after ${maxSteps} model calls: the model kept calling tools (raise tools.max_steps to allow more)`,
      };
      yield { type: 'usage', usage: total };
      yield { ...finished, usage: total, finishReason: 'tool-calls' };
      return;
    }
    for (const c of calls) {
      const r = await opts.registry.call(c.name, c.id, c.args, {
        confirm: opts.confirm,
        signal,
        ...(opts.confirmTimeoutMs !== undefined ? { confirmTimeoutMs: opts.confirmTimeoutMs } : {}),
        ...(opts.maxOutputChars !== undefined ? { maxOutputChars: opts.maxOutputChars } : {}),
      });
      const output = r.ok ? r.forModel : `error (${r.code}): ${r.message}`;
      results.push({ type: 'tool-result', id: c.id, name: c.name, output, isError: r.ok ? undefined : true });
      yield r.ok
        ? { type: 'tool-result', id: c.id, name: c.name, result: r.forUser }
        : {
            type: 'tool-result',
            id: c.id,
            name: c.name,
            result: { code: r.code, message: r.message },
            isError: true,
          };
    }
    steps.push({ text, calls, results });
  }
}

function addUsage(a: Usage, b: Usage): Usage {
  const sum = (x: number | undefined, y: number | undefined): number | undefined =>
    x === undefined && y === undefined ? undefined : (x ?? 0) + (y ?? 0);
  return {
    inputTokens: sum(a.inputTokens, b.inputTokens),
    outputTokens: sum(a.outputTokens, b.outputTokens),
    totalTokens: sum(a.totalTokens, b.totalTokens),
  };
}
