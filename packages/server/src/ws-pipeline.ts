/**
 * A connection's pipelines: `switch_mode` tears the session's pipeline down and starts the
 * new mode's; audio and video frames feed it; its events go out as envelopes, its speech as
 * binary `audio_chunk` frames (announced by `audio-format`). Its turns join the session's
 * history and are the session's running turn, so `interrupt`, `busy` and `hello` treat
 * them like `text` turns.
 */
import {
  DEFAULT_END_OF_SPEECH_MS,
  PipelineSession,
  isTerminalEvent,
  type ChatEvent,
  type ImagePart,
  type PipelineEvent,
  type PipelineTurnEnd,
} from '@parley/core';
import type { WsHub } from './ws-hub.js';
import {
  encodeBinary,
  ProtocolError,
  type BinaryHeader,
  type DownstreamEnvelope,
  type Mode,
} from './ws-protocol.js';
import { saveFinishedTurn } from './ws-saved-turn.js';
import type { SessionRecord } from './ws-session.js';

/** How the pipeline reaches its connection. */
export interface PipelineSocket {
  send(e: DownstreamEnvelope): void;
  sendBinary(frame: Buffer): void;
}

export class ConnectionPipeline {
  private audioSeq = 0;
  private turns = 0;
  /** The model of each running turn, saved with it. */
  private readonly models = new Map<string, string>();

  constructor(
    private readonly socket: PipelineSocket,
    private readonly hub: WsHub,
  ) {}

  /** The session's active pipeline, if this connection runs it (owns it in the host's map). */
  of(s: SessionRecord): PipelineSession | undefined {
    const a = this.hub.pipelines.active.get(s.id);
    return a?.owner === this ? a.pipeline : undefined;
  }

  /**
   * Start `mode` for the session: the old pipeline is torn down first (its turn interrupted),
   * then the new one loads its models (residency events go out as they happen).
   *
   * @throws ProtocolError `unsupported` when the mode is unknown or its models cannot load
   */
  async activate(s: SessionRecord, mode: string): Promise<PipelineSession> {
    const host = this.hub.pipelines;
    const def = host.modes.get(mode);
    if (!def) {
      throw new ProtocolError(
        'unsupported',
        `mode "${mode.slice(0, 64)}" is not available: use ${host.modes.ids().join(', ')}`,
      );
    }
    await this.stop(s.id, 'the mode changed');
    const pipeline = new PipelineSession({
      definition: def,
      parley: this.hub.parley,
      residency: host.residency,
      history: () => s.messages,
      stream: this.streamSettings(s),
      audioLeadMs: host.settings.audioLeadMs,
      rule: host.settings.monitorRule,
      maxSentenceChars: this.hub.parley.config.voice?.max_sentence_chars,
      vadHangoverMs: this.hub.parley.config.voice?.end_of_speech_ms ?? DEFAULT_END_OF_SPEECH_MS,
      metrics: this.hub.metrics,
      nextTurnId: () => `${mode === 'broadcast' ? 'b' : 'v'}${++this.turns}`,
      emit: (e, turn) => this.emit(e, turn),
      onTurnStart: (turn, model) => this.turnStarted(s, pipeline, turn, model),
      onTurnEnd: (end) => void this.turnEnded(s, end),
    });
    host.active.set(s.id, { pipeline, owner: this });
    try {
      await pipeline.start();
    } catch (e) {
      await this.stop(s.id, 'the mode failed to start');
      const why = e instanceof Error ? e.message : String(e);
      throw new ProtocolError('unsupported', `mode ${mode} cannot start: ${why}`);
    }
    return pipeline;
  }

  /**
   * `control: switch_mode`: the running turn is interrupted, the old pipeline torn down, the
   * new one started; answered by `ack` with the pipeline's inputs, trigger and outputs. When
   * the new mode cannot start, the session falls back to text and the answer is the error.
   */
  async switchMode(s: SessionRecord, mode: string): Promise<void> {
    const modes = this.hub.pipelines.modes;
    if (!modes.has(mode)) {
      throw new ProtocolError(
        'unsupported',
        `mode "${mode.slice(0, 64)}" is not available: use ${modes.ids().join(', ')}`,
      );
    }
    this.hub.running.get(s.id)?.interrupt('the mode changed');
    let pipe: PipelineSession;
    try {
      pipe = await this.activate(s, mode);
    } catch (e) {
      s.mode = 'text';
      await this.hub.store.save(s);
      throw e;
    }
    s.mode = mode as Mode;
    await this.hub.store.save(s);
    const d = pipe.definition;
    this.socket.send({
      type: 'ack',
      action: 'switch_mode',
      mode,
      inputs: d.inputs,
      trigger: d.trigger,
      outputs: d.outputs,
    });
  }

  /** A resumed session goes on in its mode; when that cannot start, in text (the error is returned). */
  async resume(s: SessionRecord): Promise<ProtocolError | undefined> {
    if (s.mode === 'text' || this.of(s)) return undefined;
    try {
      await this.activate(s, s.mode);
      return undefined;
    } catch (e) {
      s.mode = 'text';
      return e instanceof ProtocolError ? e : new ProtocolError('unsupported', String(e));
    }
  }

  /**
   * Tear down the session's pipeline, whichever connection runs it (mode switch, or this
   * connection resuming a session another one runs: the session moves here).
   */
  async stop(sessionId: string, reason: string): Promise<void> {
    const a = this.hub.pipelines.active.get(sessionId);
    if (!a) return;
    this.hub.pipelines.active.delete(sessionId);
    await a.pipeline.dispose(reason);
  }

  /**
   * Tear down every pipeline this connection still runs (closed socket, another hello); one
   * whose session another connection has resumed is no longer this connection's to stop.
   */
  async stopAll(reason: string): Promise<void> {
    const host = this.hub.pipelines;
    const mine = [...host.active].filter(([, a]) => a.owner === this);
    for (const [id, a] of mine) {
      if (host.active.get(id) !== a) continue;
      host.active.delete(id);
      await a.pipeline.dispose(reason);
    }
  }

  /** A binary frame of a session: fed to its pipeline, answered by `ack` or an error. */
  binary(s: SessionRecord, bin: BinaryHeader): void {
    const pipe = this.of(s);
    const channel = bin.kind === 'audio_chunk' ? 'stream/audio' : 'stream/video';
    if (!pipe && this.hub.pipelines.active.has(s.id)) {
      throw new ProtocolError(
        'no_pipeline',
        `${bin.kind} #${bin.sequence}: another connection resumed session ${s.id} and runs its pipeline: send hello with it to take it back`,
      );
    }
    if (!pipe || !pipe.takes(channel)) {
      const takers = this.hub.pipelines.modes
        .list()
        .filter((d) => d.inputs.includes(channel))
        .map((d) => d.id);
      throw new ProtocolError(
        'no_pipeline',
        `mode ${s.mode} takes no ${bin.kind} #${bin.sequence}: switch_mode to ${takers.join(' or ')}`,
      );
    }
    if (bin.kind === 'audio_chunk') {
      if (bin.payload.length % 2 !== 0) {
        throw new ProtocolError(
          'bad_request',
          `audio_chunk #${bin.sequence}: PCM s16le needs an even number of bytes, got ${bin.payload.length}`,
        );
      }
      const pcm = new Int16Array(bin.payload.length / 2);
      for (let i = 0; i < pcm.length; i++) pcm[i] = bin.payload.readInt16LE(i * 2);
      pipe.pushAudio(pcm);
      this.socket.send({ type: 'ack', action: 'audio_chunk', seq: bin.sequence });
      return;
    }
    const outcome = pipe.pushVideo(new Uint8Array(bin.payload), bin.sequence);
    this.socket.send({ type: 'ack', action: 'video_frame', seq: bin.sequence, outcome });
  }

  /** A typed message in a mode that speaks its answers: through the pipeline's steps. */
  text(pipe: PipelineSession, text: string, images: ImagePart[]): void {
    pipe.submitText(text, images);
  }

  private streamSettings(s: SessionRecord) {
    const st = s.settings;
    const voiceMax = this.hub.pipelines.settings.voiceMaxTokens;
    return {
      source: 'ws',
      ...(st.system !== undefined ? { system: st.system } : {}),
      ...(st.temperature !== undefined ? { temperature: st.temperature } : {}),
      maxTokens: st.maxTokens ?? voiceMax,
    };
  }

  private emit(e: PipelineEvent, turn: string | undefined): void {
    if (e.type === 'audio') {
      const pcm = e.pcm;
      const bytes = Buffer.alloc(pcm.length * 2);
      for (let i = 0; i < pcm.length; i++) bytes.writeInt16LE(pcm[i] ?? 0, i * 2);
      this.socket.sendBinary(encodeBinary('audio_chunk', ++this.audioSeq, bytes));
      return;
    }
    if (e.type === 'error') this.hub.metrics.error('ws', e.error.code);
    this.socket.send({ ...e, ...(turn === undefined ? {} : { turn }) } as DownstreamEnvelope);
  }

  private turnStarted(s: SessionRecord, pipe: PipelineSession, turn: string, model: string): void {
    this.hub.running.set(s.id, { id: turn, interrupt: (reason) => pipe.interrupt(reason) });
    this.models.set(turn, model);
    this.socket.send({ type: 'turn', turn, model, mode: pipe.definition.id } as DownstreamEnvelope);
  }

  private async turnEnded(s: SessionRecord, end: PipelineTurnEnd): Promise<void> {
    if (this.hub.running.get(s.id)?.id === end.turn) this.hub.running.delete(s.id);
    const terminal: ChatEvent = end.terminal;
    this.hub.metrics.serverTurnEnded('ws', isTerminalEvent(terminal) ? terminal : undefined);
    if (!end.user) return;
    // Saved in the history like a text turn: the transcript, and the reply as it stands.
    const moved = await saveFinishedTurn(
      this.hub,
      s,
      { user: end.user, text: end.text, terminal, model: this.models.get(end.turn) },
      (e) => this.socket.send({ ...e, turn: end.turn } as DownstreamEnvelope),
    );
    this.models.delete(end.turn);
    if (terminal.type === 'error') {
      if (moved) await this.hub.store.save(s).catch(() => undefined);
      return;
    }
    s.messages.push(end.user);
    if (end.text) s.messages.push({ role: 'assistant', content: [{ type: 'text', text: end.text }] });
    const limit = this.hub.parley.config.history_limit;
    if (s.messages.length > limit) s.messages.splice(0, s.messages.length - limit);
    await this.hub.store.save(s).catch(() => undefined);
  }
}

/**
 * A typed message in a mode that answers aloud (voice, visual with `visual_speak`) runs
 * through the pipeline's steps, which take
 * no files and search no collection: refuse them by name rather than answer without them.
 */
export function refuseUnspoken(mode: string, files: number, docs: string | undefined): void {
  const unused = [files > 0 ? 'attachments' : '', docs !== undefined ? 'docs' : ''].filter(Boolean);
  if (unused.length === 0) return;
  throw new ProtocolError(
    'unsupported',
    `${unused.join(' and ')}: mode ${mode} answers aloud without them; send the message without them, or switch_mode to text`,
  );
}
