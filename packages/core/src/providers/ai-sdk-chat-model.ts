/**
 * `ChatModel` over any AI SDK 6 language model (every cloud provider and every
 * OpenAI-compatible local server). The AI SDK does the wire format; this file turns its
 * `fullStream` into parley events and its errors into parley errors.
 */
import { streamText } from 'ai';
import type { LanguageModel, LanguageModelUsage, ModelMessage, TextStreamPart, ToolSet } from 'ai';
import type { ChatMessage, ChatModel, ChatRequest, ModelCapabilities } from '../chat-model.js';
import { CHAT_MODEL_SPEC_VERSION, messageText, modelLabel } from '../chat-model.js';
import type { ChatEvent, FinishReason, InterruptedEvent, Usage } from '../events.js';
import { abortMessage, linkedController } from '../util/abort.js';
import { TurnClock } from '../util/clock.js';
import { toProviderError } from './provider-errors.js';

export { parseRetryAfter, toProviderError } from './provider-errors.js';

/** An AI SDK model object (a string id would route through the Vercel gateway, so none here). */
export type AiSdkLanguageModel = Exclude<LanguageModel, string>;

/** How to build an {@link AiSdkChatModel}. */
export interface AiSdkChatModelOptions {
  /** Provider name parley shows, e.g. `openai` or `ollama`. */
  provider: string;
  /** Model id within the provider. */
  modelId: string;
  /** The AI SDK model that does the requests. */
  model: AiSdkLanguageModel;
  /** What the model accepts; images default to false. */
  capabilities?: ModelCapabilities;
}

const FINISH_REASONS: ReadonlySet<string> = new Set<FinishReason>([
  'stop',
  'length',
  'tool-calls',
  'content-filter',
  'error',
  'other',
]);

/** A `ChatModel` that streams through the AI SDK's `streamText`. */
export class AiSdkChatModel implements ChatModel {
  readonly specificationVersion = CHAT_MODEL_SPEC_VERSION;
  readonly provider: string;
  readonly modelId: string;
  readonly capabilities: ModelCapabilities;
  /** The wrapped AI SDK model. */
  readonly languageModel: AiSdkLanguageModel;

  constructor(options: AiSdkChatModelOptions) {
    this.provider = options.provider;
    this.modelId = options.modelId;
    this.languageModel = options.model;
    this.capabilities = options.capabilities ?? { images: false };
    // Call warnings reach the user as `notice` events; unless the application chose a logger,
    // keep the AI SDK from also printing them to the console.
    globalThis.AI_SDK_LOG_WARNINGS ??= false;
  }

  /**
   * Streams one turn. Never throws; ends with exactly one `done`, `error` or `interrupted`.
   * No retries happen here (`maxRetries: 0`): the chat engine owns retrying.
   */
  async *stream(request: ChatRequest, signal?: AbortSignal): AsyncIterable<ChatEvent> {
    const clock = new TurnClock();
    const label = modelLabel(this);
    let text = '';
    let usage: Usage = {};
    const interrupted = (): InterruptedEvent => ({
      type: 'interrupted',
      model: label,
      reason: abortMessage(signal),
      partialText: text,
      usage,
      timings: clock.timings(usage.outputTokens),
    });
    const failure = (e: unknown): ChatEvent =>
      signal?.aborted ? interrupted() : { type: 'error', error: toProviderError(e, this.provider).toInfo() };

    if (signal?.aborted) {
      yield interrupted();
      return;
    }
    // Our own controller, so that leaving early (an error part, a consumer that stops reading)
    // closes the HTTP request too.
    const ctl = linkedController(signal);
    let terminal: ChatEvent | undefined;
    try {
      const result = streamText({
        model: this.languageModel,
        system: request.system,
        messages: toModelMessages(request.messages),
        temperature: request.temperature,
        maxOutputTokens: request.maxTokens,
        topP: request.topP,
        seed: request.seed,
        maxRetries: 0,
        abortSignal: ctl.signal,
        // Errors arrive as `error` parts; the default handler would also print them.
        onError: () => {},
      });
      for await (const part of result.fullStream) {
        const step = mapPart(part);
        if (step.kind === 'event') {
          if (step.event.type === 'text-delta') text += step.event.text;
          if (step.event.type === 'text-delta' || step.event.type === 'reasoning-delta') clock.token();
          yield step.event;
        } else if (step.kind === 'finish') {
          usage = step.usage;
          terminal = {
            type: 'done',
            model: label,
            finishReason: step.finishReason,
            usage,
            timings: clock.timings(usage.outputTokens),
          };
        } else if (step.kind === 'abort') {
          terminal = interrupted();
          break;
        } else if (step.kind === 'error') {
          terminal = failure(step.error);
          break;
        }
      }
    } catch (e) {
      terminal = failure(e);
    } finally {
      ctl.abort();
    }
    if (terminal === undefined) {
      terminal = signal?.aborted
        ? interrupted()
        : failure(new Error('the stream ended without a finish event'));
    }
    if (terminal.type === 'done') yield { type: 'usage', usage: terminal.usage };
    yield terminal;
  }
}

type Step =
  | { kind: 'event'; event: ChatEvent }
  | { kind: 'finish'; finishReason: FinishReason; usage: Usage }
  | { kind: 'abort' }
  | { kind: 'error'; error: unknown }
  | { kind: 'skip' };

/** What one AI SDK stream part means to parley. */
function mapPart(part: TextStreamPart<ToolSet>): Step {
  switch (part.type) {
    case 'text-delta':
      return part.text ? { kind: 'event', event: { type: 'text-delta', text: part.text } } : { kind: 'skip' };
    case 'reasoning-delta':
      return part.text
        ? { kind: 'event', event: { type: 'reasoning-delta', text: part.text } }
        : { kind: 'skip' };
    case 'tool-call':
      return {
        kind: 'event',
        event: { type: 'tool-call', id: part.toolCallId, name: part.toolName, args: part.input },
      };
    case 'tool-result':
      return {
        kind: 'event',
        event: { type: 'tool-result', id: part.toolCallId, name: part.toolName, result: part.output },
      };
    case 'tool-error':
      return {
        kind: 'event',
        event: {
          type: 'tool-result',
          id: part.toolCallId,
          name: part.toolName,
          result: part.error instanceof Error ? part.error.message : part.error,
          isError: true,
        },
      };
    case 'start-step':
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
    case 'finish':
      return {
        kind: 'finish',
        finishReason: FINISH_REASONS.has(part.finishReason) ? part.finishReason : 'other',
        usage: toUsage(part.totalUsage),
      };
    case 'abort':
      return { kind: 'abort' };
    case 'error':
      return { kind: 'error', error: part.error };
    default:
      return { kind: 'skip' };
  }
}

function warningText(
  w: Extract<TextStreamPart<ToolSet>, { type: 'start-step' }>['warnings'][number],
): string {
  if (w.type === 'other') return w.message;
  const what = w.type === 'unsupported' ? 'not supported' : 'compatibility mode';
  return `${w.feature}: ${what}${w.details ? ` (${w.details})` : ''}`;
}

function toUsage(u: LanguageModelUsage): Usage {
  return { inputTokens: u.inputTokens, outputTokens: u.outputTokens, totalTokens: u.totalTokens };
}

/** parley messages as AI SDK `ModelMessage`s; images travel as raw bytes with their media type. */
export function toModelMessages(messages: readonly ChatMessage[]): ModelMessage[] {
  return messages.map((m): ModelMessage => {
    if (m.role === 'assistant')
      return { role: 'assistant', content: [{ type: 'text', text: messageText(m) }] };
    return {
      role: 'user',
      content: m.content.map((p) =>
        p.type === 'text'
          ? { type: 'text' as const, text: p.text }
          : { type: 'image' as const, image: p.data, mediaType: p.mediaType },
      ),
    };
  });
}
