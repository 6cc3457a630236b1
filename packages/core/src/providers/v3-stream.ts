/**
 * The AI SDK provider contract (LanguageModelV3) spoken directly: parley requests become a
 * V3 prompt, and V3 stream parts become parley events. Calling a provider's `doStream`
 * without `streamText` on top saves about a millisecond of time to first token, and parley's
 * chat engine already does what `streamText` adds (retries, cancellation, timings).
 */
import type {
  JSONSchema7,
  LanguageModelV3CallOptions,
  LanguageModelV3Message,
  LanguageModelV3StreamPart,
  LanguageModelV3Usage,
  SharedV3Warning,
} from '@ai-sdk/provider';
import type { ChatRequest } from '../chat-model.js';
import { messageText } from '../chat-model.js';
import type { ChatEvent, FinishReason, Usage } from '../events.js';

/** A parley request as V3 call options (without the abort signal). */
export function toCallOptions(request: ChatRequest): LanguageModelV3CallOptions {
  const prompt: LanguageModelV3Message[] = [];
  if (request.system) prompt.push({ role: 'system', content: request.system });
  for (const m of request.messages) {
    if (m.role === 'assistant') {
      prompt.push({ role: 'assistant', content: [{ type: 'text', text: messageText(m) }] });
      continue;
    }
    prompt.push({
      role: 'user',
      content: m.content.map((p) =>
        p.type === 'text'
          ? { type: 'text' as const, text: p.text }
          : { type: 'file' as const, data: p.data, mediaType: p.mediaType },
      ),
    });
  }
  for (const step of request.toolSteps ?? []) {
    prompt.push({
      role: 'assistant',
      content: [
        ...(step.text ? [{ type: 'text' as const, text: step.text }] : []),
        ...step.calls.map((c) => ({
          type: 'tool-call' as const,
          toolCallId: c.id,
          toolName: c.name,
          input: c.args,
        })),
      ],
    });
    if (step.results.length > 0) {
      prompt.push({
        role: 'tool',
        content: step.results.map((r) => ({
          type: 'tool-result' as const,
          toolCallId: r.id,
          toolName: r.name,
          output: r.isError
            ? { type: 'error-text' as const, value: r.output }
            : { type: 'text' as const, value: r.output },
        })),
      });
    }
  }
  const opts: LanguageModelV3CallOptions = { prompt };
  if (request.tools?.length) {
    opts.tools = request.tools.map((t) => ({
      type: 'function' as const,
      name: t.name,
      description: t.description,
      inputSchema: t.inputSchema as JSONSchema7,
    }));
    opts.toolChoice = { type: 'auto' };
  }
  if (request.temperature !== undefined) opts.temperature = request.temperature;
  if (request.maxTokens !== undefined) opts.maxOutputTokens = request.maxTokens;
  if (request.topP !== undefined) opts.topP = request.topP;
  if (request.seed !== undefined) opts.seed = request.seed;
  return opts;
}

/** What one V3 stream part means to parley. */
export type Step =
  | { kind: 'event'; event: ChatEvent }
  | { kind: 'finish'; finishReason: FinishReason; usage: Usage }
  | { kind: 'error'; error: unknown }
  | { kind: 'skip' };

const FINISH_REASONS: ReadonlySet<string> = new Set<FinishReason>([
  'stop',
  'length',
  'tool-calls',
  'content-filter',
  'error',
  'other',
]);

export function mapV3Part(part: LanguageModelV3StreamPart): Step {
  switch (part.type) {
    case 'text-delta':
      return part.delta
        ? { kind: 'event', event: { type: 'text-delta', text: part.delta } }
        : { kind: 'skip' };
    case 'reasoning-delta':
      return part.delta
        ? { kind: 'event', event: { type: 'reasoning-delta', text: part.delta } }
        : { kind: 'skip' };
    case 'tool-call':
      return {
        kind: 'event',
        event: { type: 'tool-call', id: part.toolCallId, name: part.toolName, args: parseInput(part.input) },
      };
    case 'tool-result':
      return {
        kind: 'event',
        event: {
          type: 'tool-result',
          id: part.toolCallId,
          name: part.toolName,
          result: part.result,
          isError: part.isError === true ? true : undefined,
        },
      };
    case 'stream-start':
      // Warnings (e.g. a setting the provider ignores) are one notice, not errors.
      return part.warnings.length > 0
        ? {
            kind: 'event',
            event: {
              type: 'notice',
              level: 'warn',
              code: 'provider_warning',
              message: part.warnings.map(warningText).join('; '),
            },
          }
        : { kind: 'skip' };
    case 'finish': {
      const unified = part.finishReason.unified;
      return {
        kind: 'finish',
        finishReason: FINISH_REASONS.has(unified) ? unified : 'other',
        usage: toUsage(part.usage),
      };
    }
    case 'error':
      return { kind: 'error', error: part.error };
    default:
      return { kind: 'skip' };
  }
}

function parseInput(input: string): unknown {
  try {
    return JSON.parse(input) as unknown;
  } catch {
    return input;
  }
}

function warningText(w: SharedV3Warning): string {
  if (w.type === 'other') return w.message;
  const what = w.type === 'unsupported' ? 'not supported' : 'compatibility mode';
  return `${w.feature}: ${what}${w.details ? ` (${w.details})` : ''}`;
}

function toUsage(u: LanguageModelV3Usage): Usage {
  const input = u.inputTokens.total;
  const output = u.outputTokens.total;
  return {
    inputTokens: input,
    outputTokens: output,
    totalTokens: input !== undefined || output !== undefined ? (input ?? 0) + (output ?? 0) : undefined,
  };
}
