/**
 * The steps of a pipeline turn. Each step is a transformer over the turn's flow: it takes
 * the items it understands (the turn's input, the model's text), adds its own events, and
 * passes everything else on, so a turn streams from end to end (speech starts while the
 * model is still writing).
 */
import type { ChatMessage, ImagePart } from '../chat-model.js';
import type { Parley, StreamOptions } from '../parley.js';
import type { SpeechToText, TextToSpeech } from '../speech/types.js';
import { speakStream } from '../speech/speak-stream.js';
import { Channel } from '../util/channel.js';
import type { PipelineEvent } from './events.js';
import type { PipelineDefinition, StepName } from './types.js';

/** What starts a turn: an utterance, a message, or a video frame. */
export interface TurnInput {
  type: 'input';
  audio?: Int16Array | undefined;
  text?: string | undefined;
  images?: ImagePart[] | undefined;
}

/** What flows between steps. */
export type FlowItem = PipelineEvent | TurnInput;
export type Flow = AsyncIterable<FlowItem>;

/** Timing marks of a turn (`performance.now()`), for `turn-timings`. */
export interface TurnMarks {
  sttStart?: number;
  sttEnd?: number;
  llmStart?: number;
  llmFirstToken?: number;
  firstSentence?: number;
  ttsFirstChunk?: number;
}

/** Everything a step may use. */
export interface TurnContext {
  readonly turn: string;
  readonly pipeline: PipelineDefinition;
  readonly signal: AbortSignal;
  readonly parley: Parley;
  /** The conversation before this turn. */
  readonly history: readonly ChatMessage[];
  /** Options of the language or vision model call (model, system, temperature, …). */
  readonly stream: StreamOptions;
  readonly stt?: SpeechToText | undefined;
  readonly tts?: TextToSpeech | undefined;
  /** The monitor's rule (a yes/no question). */
  readonly rule?: string | undefined;
  /** The monitor's frame number. */
  readonly frame?: number | undefined;
  readonly marks: TurnMarks;
  /** A sentence longer than this is spoken in pieces (`voice.max_sentence_chars`). */
  readonly maxSentenceChars?: number | undefined;
  /** The user's message of the turn, once known (for the history). */
  user?: ChatMessage | undefined;
}

/** One step's transformer. */
export type StepRunner = (flow: Flow, ctx: TurnContext) => Flow;

/** Speech to text: an utterance becomes a `transcript` and the turn's text. */
async function* stt(flow: Flow, ctx: TurnContext): Flow {
  for await (const item of flow) {
    if (item.type !== 'input' || !item.audio) {
      yield item;
      continue;
    }
    if (!ctx.stt) throw new Error('no speech-to-text engine is loaded');
    ctx.marks.sttStart = performance.now();
    const t = await ctx.stt.transcribe(item.audio, ctx.signal);
    ctx.marks.sttEnd = performance.now();
    const text = t.text.trim();
    yield {
      type: 'transcript',
      text,
      engine: t.engine,
      ms: Math.round(t.ms),
      audioMs: Math.round((item.audio.length / 16_000) * 1000),
    };
    if (text !== '') yield { type: 'input', text, images: item.images };
  }
}

/** The language model (or the vision model): the turn's text, with the history, streamed. */
async function* model(flow: Flow, ctx: TurnContext): Flow {
  for await (const item of flow) {
    if (item.type !== 'input' || item.text === undefined) {
      yield item;
      continue;
    }
    const content: ChatMessage['content'] = [];
    if (item.text !== '') content.push({ type: 'text', text: item.text });
    for (const img of item.images ?? []) content.push(img);
    const user: ChatMessage = { role: 'user', content };
    ctx.user = user;
    ctx.marks.llmStart = performance.now();
    for await (const e of ctx.parley.stream({ messages: [...ctx.history, user] }, ctx.stream)) {
      if (e.type === 'text-delta' || e.type === 'reasoning-delta')
        ctx.marks.llmFirstToken ??= performance.now();
      yield e;
    }
  }
}

/** The monitor's rule: the vision model's answer starting with "yes" fires a notification. */
async function* rule(flow: Flow, ctx: TurnContext): Flow {
  let answer = '';
  for await (const item of flow) {
    if (item.type === 'text-delta') answer += item.text;
    yield item;
    if (item.type === 'done' && /^\W*yes\b/i.test(answer)) {
      yield { type: 'notification', rule: ctx.rule ?? '', text: answer.trim(), frame: ctx.frame ?? 0 };
    }
  }
}

/**
 * Text to speech: the answer's text deltas go to `speakStream`, which speaks each sentence as
 * soon as it is complete; the audio joins the flow as it is made.
 */
function tts(flow: Flow, ctx: TurnContext): Flow {
  const out = new Channel<FlowItem>();
  const deltas = new Channel<string>();
  const engine = ctx.tts;
  const fail = (e: unknown): void => {
    if (ctx.signal.aborted) return;
    const message = e instanceof Error ? e.message : String(e);
    out.push({
      type: 'error',
      error: { code: 'tts', message: `text to speech failed: ${message}`, retryable: false },
    });
  };
  let error: unknown;
  const pump = (async () => {
    for await (const item of flow) {
      out.push(item);
      if (item.type === 'text-delta') deltas.push(item.text);
      else if (item.type === 'interrupted' || item.type === 'error') deltas.close();
    }
  })()
    .catch((e: unknown) => {
      if (!ctx.signal.aborted) error = e;
    })
    .finally(() => deltas.close());
  const speak = (async () => {
    if (!engine) throw new Error('no text-to-speech engine is loaded');
    const opts = {
      onSentence: () => void (ctx.marks.firstSentence ??= performance.now()),
      ...(ctx.maxSentenceChars === undefined ? {} : { maxChars: ctx.maxSentenceChars }),
    };
    for await (const chunk of speakStream(engine, deltas, ctx.signal, opts)) {
      ctx.marks.ttsFirstChunk ??= performance.now();
      out.push({ type: 'audio', format: chunk.format, pcm: chunk.pcm });
    }
  })().catch(fail);
  void Promise.all([pump, speak]).finally(() => {
    if (error !== undefined) fail(error);
    out.close();
  });
  return out;
}

/** Text-only steps pass through; `route` is the language model's routing (on in the loadout). */
const passThrough: StepRunner = (flow) => flow;

/** Every step's transformer. */
export const STEPS: Record<StepName, StepRunner> = {
  stt,
  route: passThrough,
  llm: model,
  vision: model,
  rule,
  tts,
};

/** The whole chain of a definition over one input, with each step's hooks around it. */
export function runSteps(input: TurnInput, ctx: TurnContext): Flow {
  let flow: Flow = (async function* () {
    yield input;
  })();
  for (const step of ctx.pipeline.steps) flow = hooked(step.name, STEPS[step.name](flow, ctx), ctx);
  return flow;
}

async function* hooked(name: StepName, flow: Flow, ctx: TurnContext): Flow {
  const hooks = ctx.pipeline.steps.find((s) => s.name === name)?.hooks;
  if (!hooks) {
    yield* flow;
    return;
  }
  const info = { pipeline: ctx.pipeline.id, step: name, turn: ctx.turn };
  hooks.before?.(info);
  const t0 = performance.now();
  let first: number | null = null;
  try {
    for await (const item of flow) {
      first ??= performance.now() - t0;
      yield item;
    }
  } finally {
    hooks.after?.({ ...info, ms: performance.now() - t0, firstOutputMs: first });
  }
}
