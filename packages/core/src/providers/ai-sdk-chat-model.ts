/**
 * `ChatModel` over any AI SDK 6 language model (every cloud provider and every
 * OpenAI-compatible local server). The AI SDK provider does the wire format; this file turns
 * its stream parts into parley events and its errors into parley errors.
 */
import type { LanguageModelV3, LanguageModelV3StreamPart, SharedV3ProviderOptions } from '@ai-sdk/provider';
import type { ChatModel, ChatRequest, ModelCapabilities } from '../chat-model.js';
import { CHAT_MODEL_SPEC_VERSION, modelLabel } from '../chat-model.js';
import type { ChatEvent, InterruptedEvent, Usage } from '../events.js';
import { linkedController } from '../util/abort.js';
import { TurnClock } from '../util/clock.js';
import { ProviderError } from '../errors.js';
import { toProviderError } from './provider-errors.js';
import { ThinkTagSplitter } from './think-tag-splitter.js';
import { mapV3Part, toCallOptions } from './v3-stream.js';

export { parseRetryAfter, toProviderError } from './provider-errors.js';

/** An AI SDK provider model (specification v3), as every `@ai-sdk/*` 3.x provider makes. */
export type AiSdkLanguageModel = LanguageModelV3;

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
  /** How a request with `think` is sent: with these provider options, to this model if given. */
  thinking?:
    { providerOptions?: SharedV3ProviderOptions | undefined; model?: AiSdkLanguageModel } | undefined;
  /** Split a leading `<think>…</think>` block of the answer into reasoning (local servers). */
  splitThinkTags?: boolean | undefined;
}

/** A `ChatModel` that streams through an AI SDK provider model's `doStream`. */
export class AiSdkChatModel implements ChatModel {
  readonly specificationVersion = CHAT_MODEL_SPEC_VERSION;
  readonly provider: string;
  readonly modelId: string;
  readonly capabilities: ModelCapabilities;
  /** The wrapped AI SDK model. */
  readonly languageModel: AiSdkLanguageModel;
  private readonly thinking: AiSdkChatModelOptions['thinking'];
  private readonly splitThinkTags: boolean;

  constructor(options: AiSdkChatModelOptions) {
    this.provider = options.provider;
    this.modelId = options.modelId;
    this.languageModel = options.model;
    this.capabilities = options.capabilities ?? { images: false };
    this.thinking = options.thinking;
    this.splitThinkTags = options.splitThinkTags === true;
    // Call warnings reach the user as `notice` events (the provider's `stream-start` part);
    // `doStream` itself never prints them.
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
    const interrupted = (): InterruptedEvent => clock.interrupted(label, signal, text, usage);
    let contentType: string | undefined;
    const failure = (e: unknown): ChatEvent =>
      signal?.aborted
        ? interrupted()
        : {
            type: 'error',
            error: explainContentType(toProviderError(e, this.provider), contentType).toInfo(),
          };

    if (signal?.aborted) {
      yield interrupted();
      return;
    }
    // Our own controller, so that leaving early (an error part, a consumer that stops reading)
    // closes the HTTP request too.
    const ctl = linkedController(signal);
    let terminal: ChatEvent | undefined;
    let reader: ReadableStreamDefaultReader<LanguageModelV3StreamPart> | undefined;
    const think = request.think === true ? this.thinking : undefined;
    const splitter = this.splitThinkTags ? new ThinkTagSplitter() : undefined;
    const seen = (e: ChatEvent): ChatEvent => {
      if (e.type === 'text-delta') text += e.text;
      if (e.type === 'text-delta' || e.type === 'reasoning-delta') clock.token();
      return e;
    };
    try {
      const result = await (think?.model ?? this.languageModel).doStream({
        ...toCallOptions(request),
        ...(think?.providerOptions ? { providerOptions: think.providerOptions } : {}),
        abortSignal: ctl.signal,
        includeRawChunks: false,
      });
      contentType = result.response?.headers?.['content-type'];
      reader = result.stream.getReader();
      for (;;) {
        const { done, value } = await reader.read();
        if (done) break;
        const step = mapV3Part(value);
        if (step.kind === 'event') {
          const e = step.event;
          if (splitter && e.type === 'text-delta') for (const part of splitter.push(e.text)) yield seen(part);
          else yield seen(e);
        } else if (step.kind === 'finish') {
          if (splitter) for (const part of splitter.flush()) yield seen(part);
          usage = step.usage;
          terminal = {
            type: 'done',
            model: label,
            finishReason: step.finishReason,
            usage,
            timings: clock.timings(usage.outputTokens),
          };
        } else if (step.kind === 'error') {
          terminal = failure(step.error);
          break;
        }
      }
    } catch (e) {
      terminal = failure(e);
    } finally {
      ctl.abort();
      reader?.cancel().catch(() => undefined);
    }
    if (terminal === undefined) {
      terminal = signal?.aborted
        ? interrupted()
        : {
            type: 'error',
            error: explainContentType(
              new ProviderError(
                'malformed_response',
                `${label}: the stream ended without a finish part; the answer may be cut short`,
                { provider: this.provider },
              ),
              contentType,
            ).toInfo(),
          };
    }
    if (terminal.type === 'done') yield { type: 'usage', usage: terminal.usage };
    yield terminal;
  }
}

/** Content types a streaming reply comes in: SSE, NDJSON, or JSON (an error body). */
const STREAM_TYPES = /^(text\/event-stream|application\/(x-)?ndjson|application\/json)\b/i;

/**
 * A stream that could not be read, from a reply that was not a stream at all (an HTML error
 * page from a proxy, say), is reported as such: the content type tells the user where to look.
 */
function explainContentType(e: ProviderError, contentType: string | undefined): ProviderError {
  if (contentType === undefined || STREAM_TYPES.test(contentType.trim())) return e;
  if (e.code !== 'provider' && e.code !== 'malformed_response') return e;
  const type = contentType.split(';')[0]?.trim().slice(0, 100) ?? '';
  return new ProviderError(
    'malformed_response',
    `${e.provider} answered with content-type ${type}, not an event stream (a proxy or the wrong base URL?)`,
    { provider: e.provider, status: e.status, retryable: false, cause: e },
  );
}
