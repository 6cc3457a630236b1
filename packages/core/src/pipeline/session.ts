/**
 * The active pipeline of one session: it holds the pipeline's models (a residency lease),
 * takes the session's audio and video, starts turns by the definition's trigger, streams
 * their events out through the definition's sinks, and interrupts them. One turn runs at a
 * time; a voice turn runs until its speech has been sent.
 */
import type { ChatMessage, ImagePart } from '../chat-model.js';
import type { ChatEvent, InterruptedEvent } from '../events.js';
import { isTerminalEvent } from '../events.js';
import type { MetricsSink } from '../observability/metrics-sink.js';
import type { Parley, StreamOptions } from '../parley.js';
import type { SpeechToText, TextToSpeech, Vad } from '../speech/types.js';
import { AudioPacer } from './audio-pacer.js';
import type { PipelineEvent, TurnTimingsEvent } from './events.js';
import type { VadSource } from './loader.js';
import type { ModelResidency, ResidencyLease } from './residency.js';
import { runSteps, type TurnContext, type TurnInput } from './steps.js';
import type { ModelSpec, PipelineDefinition } from './types.js';
import { sessionTurnTimings, StreamClock } from './timings.js';

/** How a turn ended, for the session's history. */
export interface PipelineTurnEnd {
  turn: string;
  user: ChatMessage | undefined;
  text: string;
  terminal: ChatEvent;
}

export interface PipelineSessionOptions {
  definition: PipelineDefinition;
  parley: Parley;
  residency: ModelResidency;
  /** The conversation so far (read at the start of each turn). */
  history: () => readonly ChatMessage[];
  /** Options of every model call (system prompt, temperature, max tokens). */
  stream?: StreamOptions | undefined;
  /** How far ahead of playback speech is sent, in ms. */
  audioLeadMs: number;
  /** The monitor's rule (a yes/no question). */
  rule?: string | undefined;
  /** A sentence longer than this is spoken in pieces (`voice.max_sentence_chars`). */
  maxSentenceChars?: number | undefined;
  /**
   * The silence the VAD waits for before it closes an utterance (`voice.end_of_speech_ms`):
   * speech really ended that long before `speech-end`, which `turn-timings.vadMs` counts.
   */
  vadHangoverMs?: number | undefined;
  /** Every event, with its turn (none for the monitor's notifications and residency). */
  emit(e: PipelineEvent, turn: string | undefined): void;
  /** A turn started (not called for the monitor's frames). */
  onTurnStart?(turn: string, model: string): void;
  /** A turn ended (not called for the monitor's frames). */
  onTurnEnd?(end: PipelineTurnEnd): void;
  /** New turn ids (default `p1`, `p2`, …). */
  nextTurnId?(): string;
  metrics?: MetricsSink | undefined;
}

interface ActiveTurn {
  id: string;
  ac: AbortController;
  ctx: TurnContext;
  model: string;
  text: string;
  closed: boolean;
  started: number;
  formatSent: boolean;
  firstAudioAt?: number;
  meta: TurnMeta;
  timingsSent: boolean;
}

/** What the trigger knows about a turn: when the speech ended, the frame it looks at. */
interface TurnMeta {
  speechEndAt?: number;
  vadMs?: number;
  frame?: number;
}

/** What a video frame became. */
export type FrameOutcome = 'taken' | 'skipped' | 'dropped';

export class PipelineSession {
  readonly definition: PipelineDefinition;
  private lease: ResidencyLease | undefined;
  private vad: Vad | undefined;
  private vadQueue: Promise<void> = Promise.resolve();
  private current: ActiveTurn | undefined;
  private readonly pacer: AudioPacer;
  private readonly clock = new StreamClock();
  private counter = 0;
  private frames = 0;
  private closed = false;
  /** Video frames dropped because the vision model was busy. */
  droppedFrames = 0;

  constructor(private readonly o: PipelineSessionOptions) {
    this.definition = o.definition;
    this.pacer = new AudioPacer(o.audioLeadMs, (a) => {
      const t = this.current;
      if (!t || t.id !== a.turn || t.closed) return;
      if (!t.formatSent) {
        t.formatSent = true;
        t.firstAudioAt = performance.now();
        this.o.emit({ type: 'audio-format', format: a.format }, t.id);
      }
      this.o.emit({ type: 'audio', format: a.format, pcm: a.pcm }, t.id);
      // The split of a voice turn is known once its first audio is out.
      if (!t.timingsSent && t.meta.speechEndAt !== undefined) this.sendTimings(t);
    });
  }

  /** Load the pipeline's models (residency events go out as they happen). */
  async start(signal?: AbortSignal): Promise<void> {
    const def = this.definition;
    this.lease = await this.o.residency.acquire(def.id, def.loadout.models, signal);
    const vad = this.spec('vad');
    if (vad) this.vad = await (this.lease.get(vad.id) as VadSource).create();
    if (this.closed) await this.releaseModels();
  }

  /** The model spec of a role in this pipeline's loadout. */
  spec(role: ModelSpec['role']): ModelSpec | undefined {
    return this.definition.loadout.models.find((m) => m.role === role);
  }

  /** The language (or vision) model's name, and the options of a text turn in this mode. */
  streamOptions(): StreamOptions {
    const l = this.definition.loadout;
    const m = this.spec('llm') ?? this.spec('vision');
    const opts: StreamOptions = { ...this.o.stream };
    if (m) opts.model = m.id;
    if (l.think) opts.think = true;
    if (l.route) opts.route = true;
    return opts;
  }

  /** The running turn's id, if one runs. */
  get running(): string | undefined {
    return this.current?.id;
  }

  /** Whether this pipeline takes an input channel. */
  takes(channel: PipelineDefinition['inputs'][number]): boolean {
    return this.definition.inputs.includes(channel);
  }

  /** Audio from the client (16 kHz mono s16le); handled in order, never dropped. */
  pushAudio(pcm: Int16Array): void {
    this.clock.received(pcm.length);
    this.vadQueue = this.vadQueue
      .then(() => this.feedVad(pcm))
      .catch((e: unknown) => this.o.emit(errorEvent('vad', e), undefined));
  }

  /** Resolves once every audio chunk pushed so far has been through the VAD. */
  settled(): Promise<void> {
    return this.vadQueue;
  }

  private async feedVad(pcm: Int16Array): Promise<void> {
    if (!this.vad || this.closed) return;
    for (const e of await this.vad.push(pcm)) {
      if (this.closed) return;
      if (e.type === 'speech-start') {
        if (this.current) this.interrupt('barge-in: the user spoke');
        continue;
      }
      const now = performance.now();
      const vadMs = now - this.clock.wallAt(Math.max(0, e.atMs - (this.o.vadHangoverMs ?? 0)));
      if (this.current) this.interrupt('a new utterance');
      void this.run({ type: 'input', audio: e.audio }, { speechEndAt: now - vadMs, vadMs });
    }
  }

  /** A video frame (JPEG): the monitor takes every n-th one unless the vision model is busy. */
  pushVideo(jpeg: Uint8Array, seq: number): FrameOutcome {
    const t = this.definition.trigger;
    if (t.kind !== 'continuous' || this.closed) return 'skipped';
    if (++this.frames % t.every !== 0) return 'skipped';
    if (this.current) {
      this.droppedFrames++;
      this.o.metrics?.frameDropped('video_busy');
      return 'dropped';
    }
    const image: ImagePart = { type: 'image', mediaType: 'image/jpeg', data: jpeg };
    void this.run({ type: 'input', text: this.o.rule ?? '', images: [image] }, { frame: seq });
    return 'taken';
  }

  /**
   * A typed message through this pipeline's steps (voice: answered aloud). Returns the turn id.
   *
   * @throws Error when a turn is running
   */
  submitText(text: string, images: ImagePart[] = []): string {
    if (this.current) throw new Error(`turn ${this.current.id} is still running`);
    return this.run({ type: 'input', text, images }, {});
  }

  /**
   * Cancel the running turn: generation, speech and queued audio stop, and `interrupted`
   * is emitted before this returns.
   */
  interrupt(reason: string): { running: boolean; turn?: string } {
    this.pacer.flush();
    const t = this.current;
    if (!t || t.closed) return { running: false };
    t.closed = true;
    this.current = undefined;
    t.ac.abort(reason);
    const e: InterruptedEvent = {
      type: 'interrupted',
      model: t.model,
      reason,
      partialText: t.text,
      usage: {},
      timings: { ttftMs: null, totalMs: Math.round(performance.now() - t.started), tokensPerSecond: null },
    };
    this.o.emit(e, t.id);
    this.o.onTurnEnd?.({ turn: t.id, user: t.ctx.user, text: t.text, terminal: e });
    return { running: true, turn: t.id };
  }

  private run(input: TurnInput, meta: TurnMeta): string {
    const quiet = this.definition.trigger.kind === 'continuous';
    const id = this.o.nextTurnId?.() ?? `p${++this.counter}`;
    const ac = new AbortController();
    const lease = this.lease;
    const stt = this.spec('stt');
    const tts = this.spec('tts');
    const opts = this.streamOptions();
    const ctx: TurnContext = {
      turn: id,
      pipeline: this.definition,
      signal: ac.signal,
      parley: this.o.parley,
      history: quiet ? [] : this.o.history(),
      stream: { ...opts, signal: ac.signal, ...(quiet ? { maxTokens: 32 } : {}) },
      stt: stt ? (lease?.get(stt.id) as SpeechToText | undefined) : undefined,
      tts: tts ? (lease?.get(tts.id) as TextToSpeech | undefined) : undefined,
      rule: this.o.rule,
      frame: meta.frame,
      marks: {},
      maxSentenceChars: this.o.maxSentenceChars,
    };
    const model = opts.model ?? stt?.id ?? this.definition.id;
    const t: ActiveTurn = {
      id,
      ac,
      ctx,
      model,
      text: '',
      closed: false,
      started: performance.now(),
      formatSent: false,
      meta,
      timingsSent: false,
    };
    this.current = t;
    if (!quiet) this.o.onTurnStart?.(id, model);
    void this.drive(t, input, quiet);
    return id;
  }

  private async drive(t: ActiveTurn, input: TurnInput, quiet: boolean): Promise<void> {
    let terminal: ChatEvent | undefined;
    try {
      for await (const item of runSteps(input, t.ctx)) {
        if (t.closed) break;
        if (item.type === 'input') continue;
        if (item.type === 'text-delta') t.text += item.text;
        if (item.type === 'audio') this.pacer.push(t.id, item.format, item.pcm);
        else if (isTerminalEvent(item as ChatEvent)) terminal = item as ChatEvent;
        else if (this.allowed(item, quiet)) this.o.emit(item, quiet ? undefined : t.id);
      }
    } catch (e) {
      if (!t.closed) terminal = errorEvent('pipeline', e);
    }
    if (t.closed) return;
    await this.pacer.whenSent();
    if (t.closed) return;
    t.closed = true;
    this.current = undefined;
    terminal ??= {
      type: 'done',
      model: t.model,
      finishReason: 'stop',
      usage: {},
      timings: { ttftMs: null, totalMs: Math.round(performance.now() - t.started), tokensPerSecond: null },
    };
    if (quiet) {
      if (terminal.type === 'error') this.o.emit(terminal, undefined);
      return;
    }
    if (!t.timingsSent && t.meta.speechEndAt !== undefined) this.sendTimings(t);
    this.o.emit(terminal, t.id);
    this.o.onTurnEnd?.({ turn: t.id, user: t.ctx.user, text: t.text, terminal });
  }

  private sendTimings(t: ActiveTurn): void {
    t.timingsSent = true;
    const m = t.meta;
    const e: TurnTimingsEvent = sessionTurnTimings(
      t.ctx.marks,
      m.vadMs ?? 0,
      m.speechEndAt ?? t.started,
      t.firstAudioAt,
    );
    this.o.emit(e, t.id);
  }

  /** What the definition's sinks let out. */
  private allowed(e: PipelineEvent, quiet: boolean): boolean {
    const out = this.definition.outputs;
    switch (e.type) {
      case 'text-delta':
      case 'reasoning-delta':
        return out.includes('text_token');
      case 'transcript':
        return out.includes('transcript');
      case 'notification':
        return out.includes('notification');
      case 'route':
      case 'tool-call':
      case 'tool-result':
        return out.includes('control_signal') || out.includes('text_token');
      default:
        return !quiet;
    }
  }

  private async releaseModels(): Promise<void> {
    this.lease?.release();
    this.lease = undefined;
    const vad = this.vad;
    this.vad = undefined;
    await vad?.dispose?.();
  }

  /** Tear the pipeline down: interrupt what runs, let go of its models. */
  async dispose(reason = 'the mode changed'): Promise<void> {
    if (this.closed) return;
    this.interrupt(reason);
    this.closed = true;
    await this.vadQueue.catch(() => undefined);
    await this.releaseModels();
  }
}

function errorEvent(code: string, e: unknown): ChatEvent {
  const message = e instanceof Error ? e.message : String(e);
  return { type: 'error', error: { code, message: `${code}: ${message}`, retryable: false } };
}
