import type { ChatEvent, ChatModel, ChatRequest, ModelCapabilities } from '@parley/core';
import { messageText } from '@parley/core';

/** One step of a scripted answer: an event, or a pause until `release()`. */
export type Step = ChatEvent | 'pause' | 'end-without-terminal' | 'throw';

/**
 * A `ChatModel` that plays a script, for the cache's unit tests: it counts calls, records
 * requests, and can pause mid-stream until released, fail, or stop without a terminal event.
 * It honours its abort signal the way real models do (an `interrupted` event).
 */
export class ScriptedModel implements ChatModel {
  readonly specificationVersion = 'v1' as const;
  readonly capabilities: ModelCapabilities = { images: true, contextWindow: 4096 };
  calls = 0;
  /** Calls to `resolveContextWindow` (what "loading the model" is for the local engine). */
  loads = 0;
  aborted = 0;
  readonly requests: ChatRequest[] = [];
  private waiters: (() => void)[] = [];

  constructor(
    readonly provider = 'test',
    readonly modelId = 'scripted',
    public script: (request: ChatRequest, call: number) => Step[] = (r) => answer(`echo: ${lastText(r)}`),
  ) {}

  async resolveContextWindow(): Promise<number> {
    this.loads++;
    return 4096;
  }

  /** Let every paused stream go on. */
  release(): void {
    const w = this.waiters;
    this.waiters = [];
    for (const f of w) f();
  }

  async *stream(request: ChatRequest, signal?: AbortSignal): AsyncIterable<ChatEvent> {
    this.calls++;
    this.requests.push(request);
    let text = '';
    for (const step of this.script(request, this.calls)) {
      if (step === 'pause') {
        await new Promise<void>((resolve) => {
          this.waiters.push(resolve);
          signal?.addEventListener('abort', () => resolve(), { once: true });
        });
        continue;
      }
      if (signal?.aborted) {
        this.aborted++;
        yield interruptedEvent(`${this.provider}:${this.modelId}`, text);
        return;
      }
      if (step === 'end-without-terminal') return;
      if (step === 'throw') throw new Error('the scripted model broke');
      if (step.type === 'text-delta') text += step.text;
      yield step;
    }
  }
}

export function lastText(r: ChatRequest): string {
  const m = r.messages[r.messages.length - 1];
  return m ? messageText(m) : '';
}

/** A complete answer: two text deltas, usage and done. */
export function answer(text: string, model = 'test:scripted'): Step[] {
  const half = Math.ceil(text.length / 2);
  const usage = { inputTokens: 3, outputTokens: 2, totalTokens: 5 };
  return [
    { type: 'text-delta', text: text.slice(0, half) },
    { type: 'text-delta', text: text.slice(half) },
    { type: 'usage', usage },
    {
      type: 'done',
      model,
      finishReason: 'stop',
      usage,
      timings: { ttftMs: 1, totalMs: 2, tokensPerSecond: 1000 },
    },
  ];
}

export function interruptedEvent(model: string, partialText: string): ChatEvent {
  return {
    type: 'interrupted',
    model,
    reason: 'cancelled',
    partialText,
    usage: {},
    timings: { ttftMs: null, totalMs: 0, tokensPerSecond: null },
  };
}

/** Every event of a stream. */
export async function collect(events: AsyncIterable<ChatEvent>): Promise<ChatEvent[]> {
  const out: ChatEvent[] = [];
  for await (const e of events) out.push(e);
  return out;
}

/** The text of a list of events. */
export function textOf(events: readonly ChatEvent[]): string {
  return events.map((e) => (e.type === 'text-delta' ? e.text : '')).join('');
}
