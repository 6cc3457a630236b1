/**
 * One WebSocket connection: frames are handled one at a time, in order, and every frame
 * gets an answer (a reply envelope or a typed `error`). Nothing a client sends closes the
 * connection or reaches the process as an exception.
 */
import type { ChatMessage, ConfirmRequest, MessagePart } from '@parley/core';
import type { RawData, WebSocket } from 'ws';
import type { WsHub } from './ws-hub.js';
import { ConnectionPipeline, refuseUnspoken } from './ws-pipeline.js';
import {
  BINARY_KINDS,
  PROTOCOL_VERSION,
  ProtocolError,
  parseBinary,
  parseUpstream,
  protocolError,
  type ControlMessage,
  type DownstreamEnvelope,
  type HelloMessage,
  type Mode,
  type TextMessage,
} from './ws-protocol.js';
import { readWsAttachments } from './ws-attachments.js';
import { collectionNames, docsContext } from './ws-docs.js';
import { WsRateLimiter } from './ws-rate-limit.js';
import { historyItems, type SessionRecord } from './ws-session.js';
import { startWsTurn, type RunningTurn } from './ws-turn.js';

/** Frames waiting past this pause reading from the socket until the backlog halves. */
const MAX_BACKLOG = 64;

function toBuffer(data: RawData): Buffer {
  if (Buffer.isBuffer(data)) return data;
  if (Array.isArray(data)) return Buffer.concat(data);
  return Buffer.from(data);
}

/** The handler of one socket. */
export class WsConnection {
  private session: SessionRecord | undefined;
  private queue: Promise<void> = Promise.resolve();
  private backlog = 0;
  private alive = true;
  private turns = 0;
  /** The last turn this connection started: a closed socket interrupts it. */
  private own: RunningTurn | undefined;
  private readonly decoder = new TextDecoder('utf-8', { fatal: true });
  /** Tool calls waiting for the client's `confirm_action`, by call id. */
  private readonly pending = new Map<string, (approve: boolean) => void>();
  /** The session's pipeline, when this connection runs it. */
  private readonly pipes: ConnectionPipeline;
  /** Video frames waiting to be handled: past the limit new ones are dropped at once. */
  private videoWaiting = 0;
  private readonly rate: WsRateLimiter;

  constructor(
    readonly socket: WebSocket,
    private readonly hub: WsHub,
  ) {
    this.rate = new WsRateLimiter(hub.options.wsRateLimits);
    socket.on('message', (data, isBinary) => this.receive(toBuffer(data), isBinary));
    socket.on('pong', () => (this.alive = true));
    this.pipes = new ConnectionPipeline(
      { send: (e) => this.send(e), sendBinary: (b) => this.sendBinary(b) },
      hub,
    );
    socket.on('close', () => {
      this.own?.interrupt('the connection closed');
      void this.pipes.stopAll('the connection closed').catch(() => undefined);
      if (this.session) this.hub.metrics.wsSession(-1);
    });
  }

  /** Send one envelope (dropped once the socket is closing). */
  send(e: DownstreamEnvelope): void {
    if (this.socket.readyState === this.socket.OPEN) this.socket.send(JSON.stringify(e));
    else this.hub.metrics.frameDropped('closed');
  }

  /** Send one binary frame (speech); dropped once the socket is closing. */
  sendBinary(frame: Buffer): void {
    if (this.socket.readyState === this.socket.OPEN) this.socket.send(frame, { binary: true });
    else this.hub.metrics.frameDropped('closed');
  }

  /** True once `hello` has opened a session. */
  get hasSession(): boolean {
    return this.session !== undefined;
  }

  /** Called by the hub's heartbeat: drop a peer that missed the last ping, else ping it. */
  heartbeat(): void {
    if (!this.alive) {
      this.socket.terminate();
      return;
    }
    this.alive = false;
    this.socket.ping();
  }

  /** Close the connection (shutdown). */
  close(code: number, reason: string): void {
    this.socket.close(code, reason.slice(0, 120));
  }

  /** Call `fn` once the socket is closed (at once if it already is). */
  onClosed(fn: () => void): void {
    if (this.socket.readyState === this.socket.CLOSED) fn();
    else this.socket.once('close', fn);
  }

  private receive(frame: Buffer, isBinary: boolean): void {
    this.hub.metrics.wsFrames.inc({ kind: isBinary ? 'binary' : 'text' });
    const video = isBinary && frame.length >= 8 && frame[0] === BINARY_KINDS.video_frame;
    if (video && this.videoWaiting >= this.hub.pipelines.settings.videoBacklog) {
      // Under backpressure video goes first: answered at once, never queued. Audio and
      // control frames are always queued.
      this.hub.metrics.frameDropped('video_backlog');
      this.send({ type: 'ack', action: 'video_frame', seq: frame.readUInt32BE(4), outcome: 'dropped' });
      return;
    }
    if (video) this.videoWaiting++;
    if (++this.backlog > MAX_BACKLOG && !this.socket.isPaused) this.socket.pause();
    // Counted as it arrives, answered in its turn like any frame.
    // Binary frames (audio, video) are paced by the pipeline's own backpressure instead.
    const limited = isBinary ? undefined : this.rate.frame();
    this.queue = this.queue
      .then(() => (limited ? this.fail(limited) : this.handle(frame, isBinary)))
      .catch((e: unknown) => this.fail(e))
      .finally(() => {
        if (video) this.videoWaiting--;
        if (--this.backlog <= MAX_BACKLOG / 2 && this.socket.isPaused) this.socket.resume();
      });
  }

  private fail(e: unknown, turn?: string): void {
    const err =
      e instanceof ProtocolError
        ? e
        : new ProtocolError('internal', 'the server failed to handle this frame');
    this.hub.metrics.error('ws', err.code);
    this.send(protocolError(err.code, err.message, turn));
  }

  private async handle(frame: Buffer, isBinary: boolean): Promise<void> {
    const o = this.hub.options;
    if (isBinary) {
      if (frame.length > o.maxBinaryFrame) {
        throw new ProtocolError(
          'too_large',
          `binary frame of ${frame.length} bytes; the limit is ${o.maxBinaryFrame}`,
        );
      }
      const bin = parseBinary(frame);
      this.pipes.binary(this.requireSession(), bin);
      return;
    }
    if (frame.length > o.maxTextFrame) {
      throw new ProtocolError(
        'too_large',
        `text frame of ${frame.length} bytes; the limit is ${o.maxTextFrame}`,
      );
    }
    let text: string;
    try {
      text = this.decoder.decode(frame);
    } catch {
      throw new ProtocolError('bad_request', 'the text frame is not valid UTF-8');
    }
    const msg = parseUpstream(text);
    switch (msg.type) {
      case 'ping':
        this.send(msg.id === undefined ? { type: 'pong' } : { type: 'pong', id: msg.id });
        return;
      case 'hello':
        return this.hello(msg);
      case 'text':
        try {
          return await this.text(msg);
        } catch (e) {
          return this.fail(e, msg.id);
        }
      case 'control':
        return this.control(msg);
    }
  }

  private requireSession(): SessionRecord {
    if (!this.session) throw new ProtocolError('hello_required', 'send hello first');
    return this.session;
  }

  private async hello(msg: HelloMessage): Promise<void> {
    if (this.session && this.hub.running.has(this.session.id)) {
      throw new ProtocolError('busy', 'a turn is running: interrupt it or wait for it to end before hello');
    }
    const store = this.hub.store;
    // Without an id, a connection's first hello goes on with the last session when the config
    // says `sessions.restore = "last"`; a later one (the UI's New chat) starts a new session.
    const found =
      msg.session !== undefined
        ? await store.get(msg.session)
        : this.session === undefined
          ? await store.latest?.()
          : undefined;
    const s = found ?? (await store.create());
    if (!this.session) this.hub.metrics.wsSession(1);
    else if (this.session.id !== s.id) await this.pipes.stopAll('the session changed');
    this.session = s;
    const restartError = await this.pipes.resume(s);
    const models = (await this.hub.catalog.list()).map((m) => m.id);
    const collections = await collectionNames(this.hub.parley);
    this.send({
      type: 'ready',
      protocol: PROTOCOL_VERSION,
      session: s.id,
      resumed: found !== undefined,
      models,
      model: s.settings.model ?? this.hub.catalog.defaultId(),
      modes: this.hub.pipelines.modes.ids() as Mode[],
      mode: s.mode,
      history: historyItems(s.messages),
      collections,
      limits: {
        max_text_frame: this.hub.options.maxTextFrame,
        max_binary_frame: this.hub.options.maxBinaryFrame,
      },
    });
    if (restartError) this.send(protocolError(restartError.code, restartError.message));
  }

  private async text(msg: TextMessage): Promise<void> {
    const s = this.requireSession();
    if (this.hub.turns.closing) throw new ProtocolError('shutting_down', 'the server is shutting down');
    const running = this.hub.running.get(s.id);
    if (running) {
      throw new ProtocolError(
        'busy',
        `turn ${running.id} is still running: interrupt it or wait for its end`,
      );
    }
    const images = msg.images ?? [];
    const files = msg.attachments ?? [];
    if (msg.text.trim() === '' && images.length === 0 && files.length === 0)
      throw new ProtocolError('bad_request', 'text: must not be empty');
    const limit = this.hub.parley.config.max_input_chars;
    if (msg.text.length > limit) {
      throw new ProtocolError(
        'bad_request',
        `text: ${msg.text.length} characters, over max_input_chars (${limit})`,
      );
    }
    this.rate.turn();
    const pipe = this.pipes.of(s);
    if (pipe && !pipe.takes('message/text')) {
      throw new ProtocolError(
        'unsupported',
        `mode ${s.mode} takes no text: switch_mode to text (or voice, visual, router, deep-dive)`,
      );
    }
    const parts = images.map((img) => ({
      type: 'image' as const,
      mediaType: img.mediaType,
      data: new Uint8Array(Buffer.from(img.data, 'base64')),
    }));
    if (pipe?.definition.steps.some((st) => st.name === 'tts') && msg.model === undefined) {
      refuseUnspoken(s.mode, files.length, msg.docs);
      this.pipes.text(pipe, msg.text, parts);
      return;
    }
    // Visual chat and deep dive answer with their own model unless the message names one.
    const modeOpts = pipe?.streamOptions() ?? {};
    const modeModel = s.mode === 'visual' || s.mode === 'deep-dive' ? modeOpts.model : undefined;
    const modelId = msg.model ?? modeModel ?? s.settings.model ?? this.hub.catalog.defaultId();
    const modelName =
      msg.model === undefined && modeModel !== undefined
        ? modeModel
        : await this.hub.catalog.resolve(modelId);
    if (modelName === undefined) {
      throw new ProtocolError(
        'bad_request',
        `model: "${modelId}" is not offered here (ready.models lists them)`,
      );
    }
    const content: MessagePart[] = [];
    if (msg.text !== '') content.push({ type: 'text', text: msg.text });
    content.push(...parts);
    const attachments = files.length > 0 ? await readWsAttachments(files, this.hub.parley.config) : [];
    const user: ChatMessage = { role: 'user', content };
    const { asked, citations } = await docsContext(this.hub.parley, msg.docs, msg.text);
    const id = msg.id ?? `t${++this.turns}`;
    this.send({ type: 'turn', turn: id, model: modelId });
    if (citations) this.send({ type: 'citations', turn: id, citations });
    this.own = startWsTurn({
      hub: this.hub,
      session: s,
      send: (e) => this.send(e),
      id,
      modelName,
      modelId,
      user,
      ...(asked !== undefined ? { asked } : {}),
      attachments,
      confirm: (q, signal) => this.askClient(id, q, signal),
      ...(modeOpts.think ? { think: true } : {}),
      ...(modeOpts.route ? { route: true } : {}),
    });
  }

  /**
   * Ask the client before a risky tool runs: a `control_signal` goes out, and the turn waits
   * for `control: confirm_action` with the same id. The signal ends the wait (the
   * confirmation timeout, an interrupt, a closed socket) and that counts as no.
   */
  private askClient(turn: string, q: ConfirmRequest, signal: AbortSignal): Promise<boolean> {
    return new Promise((resolve) => {
      const done = (approve: boolean): void => {
        this.pending.delete(q.id);
        signal.removeEventListener('abort', abort);
        resolve(approve);
      };
      const abort = (): void => {
        if (this.pending.get(q.id) !== done) return;
        done(false);
        this.send({ type: 'control_signal', signal: 'confirm_expired', turn, id: q.id });
      };
      this.pending.set(q.id, done);
      signal.addEventListener('abort', abort, { once: true });
      this.send({
        type: 'control_signal',
        signal: 'confirm_action',
        turn,
        id: q.id,
        tool: q.tool,
        safety: q.safety,
        args: q.args,
        summary: q.summary,
        timeout_ms: this.hub.parley.config.tools?.confirm_timeout_ms ?? 60_000,
      });
    });
  }

  private async control(msg: ControlMessage): Promise<void> {
    const s = this.requireSession();
    const running = this.hub.running.get(s.id);
    switch (msg.action) {
      case 'interrupt': {
        const hit = running !== undefined && (msg.turn === undefined || msg.turn === running.id);
        if (hit) running.interrupt('interrupted by the client');
        this.send({ type: 'ack', action: 'interrupt', running: hit, ...(hit ? { turn: running.id } : {}) });
        return;
      }
      case 'switch_mode':
        return this.pipes.switchMode(s, msg.mode);
      case 'settings':
        return this.settings(s, msg.settings);
      case 'start_pipeline':
        throw new ProtocolError(
          'unsupported',
          'pipelines (voice, broadcast, monitor) are not available in this version',
        );
      case 'confirm_action': {
        const waiting = this.pending.get(msg.id);
        if (!waiting)
          throw new ProtocolError('unsupported', `no action is waiting for confirmation (${msg.id})`);
        waiting(msg.approve);
        this.send({ type: 'ack', action: 'confirm_action', id: msg.id, approve: msg.approve });
        return;
      }
    }
  }

  private async settings(
    s: SessionRecord,
    patch: Extract<ControlMessage, { action: 'settings' }>['settings'],
  ) {
    const next = { ...s.settings };
    if (patch.model !== undefined) {
      if (patch.model !== null && (await this.hub.catalog.resolve(patch.model)) === undefined) {
        throw new ProtocolError('bad_request', `settings.model: "${patch.model}" is not offered here`);
      }
      next.model = patch.model ?? undefined;
    }
    if (patch.system !== undefined) next.system = patch.system ?? undefined;
    if (patch.temperature !== undefined) next.temperature = patch.temperature ?? undefined;
    if (patch.max_tokens !== undefined) next.maxTokens = patch.max_tokens ?? undefined;
    s.settings = next;
    await this.hub.store.save(s);
    this.send({
      type: 'ack',
      action: 'settings',
      settings: {
        model: next.model ?? this.hub.catalog.defaultId(),
        system: next.system ?? null,
        temperature: next.temperature ?? null,
        max_tokens: next.maxTokens ?? null,
      },
    });
  }
}
