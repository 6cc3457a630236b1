/** `ChatModel` over the local engine (node-llama-cpp). */
import type { ChatHistoryItem, ChatWrapper } from 'node-llama-cpp';
import type { ChatModel, ChatRequest, ModelCapabilities } from '../chat-model.js';
import { CHAT_MODEL_SPEC_VERSION, messageText } from '../chat-model.js';
import type { ChatEvent, ErrorInfo, FinishReason } from '../events.js';
import { ParleyError, ProviderError } from '../errors.js';
import { Channel } from '../util/channel.js';
import { TurnClock } from '../util/clock.js';
import { ThinkTagSplitter } from '../providers/think-tag-splitter.js';
import type { LoadedModel, LocalEngine } from './local-engine.js';

const STOP_REASONS: Record<string, FinishReason> = {
  eogToken: 'stop',
  stopGenerationTrigger: 'stop',
  customStopTrigger: 'stop',
  maxTokens: 'length',
  functionCalls: 'tool-calls',
};

export class LocalChatModel implements ChatModel {
  readonly specificationVersion = CHAT_MODEL_SPEC_VERSION;
  readonly provider = 'local';
  readonly capabilities: ModelCapabilities = { images: false };

  /**
   * @param engine the engine that keeps the model loaded
   * @param path the GGUF file
   * @param modelId the name users see (file name or alias)
   */
  constructor(
    private readonly engine: LocalEngine,
    readonly path: string,
    readonly modelId: string,
  ) {}

  async resolveContextWindow(): Promise<number> {
    const m = await this.engine.load(this.path);
    return m.context.contextSize;
  }

  async countTokens(text: string): Promise<number> {
    const m = await this.engine.load(this.path);
    return m.model.tokenize(text).length;
  }

  async *stream(request: ChatRequest, signal?: AbortSignal): AsyncIterable<ChatEvent> {
    const clock = new TurnClock();
    const label = `local:${this.modelId}`;
    if (request.messages.some((m) => m.content.some((p) => p.type === 'image'))) {
      yield {
        type: 'error',
        error: new ProviderError('unsupported', `${label} cannot take images; choose a vision model`, {
          provider: 'local',
        }).toInfo(),
      };
      return;
    }
    let loaded: LoadedModel;
    try {
      loaded = await this.engine.load(this.path);
    } catch (e) {
      yield { type: 'error', error: toInfo(e) };
      return;
    }
    const interrupted = (text: string, outputTokens?: number): ChatEvent =>
      clock.interrupted(label, signal, text, { outputTokens });
    if (signal?.aborted) {
      yield interrupted('');
      return;
    }
    let lease: Awaited<ReturnType<LoadedModel['acquire']>>;
    try {
      lease = await loaded.acquire(signal);
    } catch {
      yield interrupted('');
      return;
    }
    const { LlamaChat, GeneralChatWrapper } = await import('node-llama-cpp');
    const chatWrapper: ChatWrapper | 'auto' = loaded.hasChatTemplate ? 'auto' : new GeneralChatWrapper();
    const chat = new LlamaChat({ contextSequence: lease.sequence, chatWrapper, autoDisposeSequence: false });
    const history = toHistory(request);
    let inputTokens: number | undefined;
    try {
      const state = chat.chatWrapper.generateContextState({ chatHistory: history });
      inputTokens = state.contextText.tokenize(loaded.model.tokenizer).length;
    } catch {
      inputTokens = undefined;
    }
    const out = new Channel<ChatEvent>();
    let text = '';
    let outputTokens = 0;
    // node-llama-cpp gives the thoughts of models it knows as segments; others write a
    // leading <think> block into the text.
    const splitter = new ThinkTagSplitter();
    const emit = (events: ChatEvent[]): void => {
      for (const e of events) {
        if (e.type === 'text-delta') text += e.text;
        out.push(e);
      }
    };
    chat
      .generateResponse(history, {
        signal,
        stopOnAbortSignal: true,
        temperature: request.temperature ?? 0,
        maxTokens: request.maxTokens,
        topP: request.topP,
        seed: request.seed,
        onToken: (tokens) => {
          outputTokens += tokens.length;
        },
        onResponseChunk: (chunk) => {
          if (!chunk.text) return;
          clock.token();
          if (chunk.type === 'segment') emit([{ type: 'reasoning-delta', text: chunk.text }]);
          else emit(splitter.push(chunk.text));
        },
      })
      .then(
        (r) => {
          emit(splitter.flush());
          const usage = { inputTokens, outputTokens, totalTokens: (inputTokens ?? 0) + outputTokens };
          if (r.metadata.stopReason === 'abort' || signal?.aborted) {
            out.push(interrupted(text, outputTokens));
          } else {
            out.push({ type: 'usage', usage });
            out.push({
              type: 'done',
              model: label,
              finishReason: STOP_REASONS[r.metadata.stopReason] ?? 'other',
              usage,
              timings: clock.timings(outputTokens),
            });
          }
        },
        (e: unknown) => {
          out.push(signal?.aborted ? interrupted(text, outputTokens) : { type: 'error', error: toInfo(e) });
        },
      )
      .finally(() => {
        chat.dispose({ disposeSequence: false });
        lease.release();
        out.close();
      });
    yield* out;
  }
}

function toInfo(e: unknown): ErrorInfo {
  if (ParleyError.is(e)) return e.toInfo();
  return new ProviderError('provider', `local engine failed: ${e instanceof Error ? e.message : String(e)}`, {
    provider: 'local',
    cause: e,
  }).toInfo();
}

/** The conversation as node-llama-cpp chat history, ending with an empty model turn. */
export function toHistory(request: ChatRequest): ChatHistoryItem[] {
  const h: ChatHistoryItem[] = [];
  if (request.system) h.push({ type: 'system', text: request.system });
  for (const m of request.messages) {
    const text = messageText(m);
    h.push(m.role === 'user' ? { type: 'user', text } : { type: 'model', response: [text] });
  }
  h.push({ type: 'model', response: [] });
  return h;
}
