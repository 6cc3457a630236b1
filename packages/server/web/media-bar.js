/**
 * The mode switcher, the microphone, the camera, speech playback and the interrupt button:
 * everything of the Pipelines feature on the page (docs/web-ui.md, docs/PROTOCOL.md).
 * It owns the binary frames both ways and the pipeline envelopes (`ack` of a mode switch or
 * a frame, `residency`, `notification`, `audio-format`, `turn-timings`); the conversation's
 * own envelopes stay with app.js.
 */
import { Camera, MONITOR_FPS } from './camera.js';
import { encodeFrame, parseFrame } from './frames.js';
import { Microphone } from './microphone.js';
import { Player } from './player.js';
import { Toasts } from './toasts.js';

/** The built-in modes' inputs, until the server's `ack` of a switch says otherwise. */
const DEFAULT_INPUTS = {
  text: ['message/text', 'payload/image'],
  voice: ['stream/audio', 'message/text'],
  broadcast: ['stream/audio'],
  visual: ['message/text', 'payload/image'],
  monitor: ['stream/video'],
  router: ['message/text', 'payload/image'],
  'deep-dive': ['message/text', 'payload/image'],
};
/** Past this many bytes waiting in the socket, video frames are skipped (audio never is). */
const VIDEO_BACKLOG_BYTES = 2 * 1024 * 1024;

export class MediaBar {
  /**
   * @param {Record<string, HTMLElement>} el the bar's elements
   * @param {{ conn: import('./connection.js').Connection, attachments: import('./attachments.js').Attachments,
   *   onModeChange: () => void, onInterrupt: () => void }} deps
   */
  constructor(el, deps) {
    this.el = el;
    this.deps = deps;
    this.mode = 'text';
    this.inputs = DEFAULT_INPUTS.text;
    this.pending = undefined;
    this.seq = 0;
    this.toasts = new Toasts(el.toasts);
    this.player = new Player(el.bar);
    this.mic = new Microphone({
      gate: false,
      onFrame: (pcm) => this.sendFrame('audio_chunk', new Uint8Array(pcm.buffer)),
      onEnded: (why) => this.micOff(why, 'error'),
    });
    this.camera = new Camera(el.preview);
    el.mode.addEventListener('change', () => this.switchTo(el.mode.value));
    el.mic.addEventListener('click', () => void this.toggleMic());
    el.camera.addEventListener('click', () => void this.toggleCamera());
    el.snapshot.addEventListener('click', () => void this.snapshot());
    el.interrupt.addEventListener('click', () => this.interrupt());
    el.gate.addEventListener('change', () => (this.mic.opts.gate = el.gate.checked));
    this.sync();
  }

  /** Does the current mode take typed messages? */
  get takesText() {
    return this.inputs.includes('message/text');
  }

  /** A new `ready`: the modes offered and the session's mode. */
  ready(modes, mode) {
    const list = Array.isArray(modes) && modes.length > 0 ? modes : ['text'];
    this.el.mode.replaceChildren(
      ...list.map((m) => {
        const o = document.createElement('option');
        o.value = String(m);
        o.textContent = String(m);
        return o;
      }),
    );
    this.setMode(typeof mode === 'string' ? mode : 'text', DEFAULT_INPUTS[mode]);
    this.pending = undefined;
  }

  note(text, kind = 'info') {
    this.el.note.textContent = text;
    this.el.note.dataset.kind = kind;
  }

  setMode(mode, inputs) {
    this.mode = mode;
    this.inputs = inputs ?? DEFAULT_INPUTS[mode] ?? ['message/text'];
    this.el.mode.value = mode;
    document.body.dataset.mode = mode;
    if (!this.inputs.includes('stream/audio') && this.mic.on) this.micOff(`${mode} takes no microphone`);
    if (this.inputs.includes('stream/video') && this.camera.on) this.startFrames();
    else this.camera.stopFrames();
    this.sync();
  }

  sync() {
    const connected = this.deps.conn.ready;
    const audio = this.inputs.includes('stream/audio');
    const camera = this.inputs.includes('stream/video') || this.inputs.includes('payload/image');
    this.el.mode.disabled = !connected || this.pending !== undefined;
    this.el.mic.disabled = !connected || (!audio && !this.mic.on);
    this.el.mic.setAttribute('aria-pressed', String(this.mic.on));
    this.el.mic.textContent = this.mic.on ? 'Mic on' : 'Mic';
    this.el.bar.dataset.mic = this.mic.on ? 'on' : 'off';
    this.el.camera.disabled = !camera && !this.camera.on;
    this.el.camera.setAttribute('aria-pressed', String(this.camera.on));
    this.el.snapshot.disabled = !this.camera.on || !this.inputs.includes('payload/image');
    this.el.interrupt.disabled = !connected;
    this.el.bar.dataset.sent = String(this.seq);
    this.deps.onModeChange();
  }

  switchTo(mode) {
    if (mode === this.mode) return;
    this.player.unlock();
    if (!this.deps.conn.send({ type: 'control', action: 'switch_mode', mode })) {
      this.el.mode.value = this.mode;
      this.note('Not connected: the mode was not changed', 'error');
      return;
    }
    this.pending = { mode, from: this.mode };
    this.el.modeError.textContent = '';
    this.note(`Starting ${mode}…`, 'busy');
    this.sync();
  }

  /** The envelopes this bar answers; true when it took the envelope. */
  handle(e) {
    switch (e.type) {
      case 'ack':
        return this.ack(e);
      case 'residency':
        this.toasts.show(
          `${e.action === 'load' ? 'Loaded' : 'Unloaded'} ${e.model} (${e.role}, ${e.memoryMb} MB) in ${e.ms} ms: ${e.reason}`,
          'info',
          4000,
        );
        return true;
      case 'notification':
        this.toasts.show(`${e.rule ?? 'Monitor'} → ${e.text ?? ''}`, 'notification', 15000);
        return true;
      case 'audio-format': {
        const why = this.player.setFormat(e.format);
        if (why) this.note(why, 'error');
        return true;
      }
      case 'turn-timings':
        this.note(
          `Heard in ${Math.round(e.sttMs)} ms · first audio ${Math.round(e.firstAudioMs)} ms after you stopped`,
        );
        return true;
      case 'interrupted':
        this.player.stop();
        return false;
      case 'error':
        return this.error(e);
      default:
        return false;
    }
  }

  ack(e) {
    if (e.action === 'audio_chunk' || e.action === 'video_frame') {
      const key = e.action === 'audio_chunk' ? 'audioAcks' : 'videoAcks';
      this.el.bar.dataset[key] = String(Number(this.el.bar.dataset[key] ?? 0) + 1);
      return true;
    }
    if (e.action !== 'switch_mode') return false;
    this.pending = undefined;
    this.setMode(e.mode, Array.isArray(e.inputs) ? e.inputs : undefined);
    const list = (xs) => (Array.isArray(xs) ? xs.join(', ') : '');
    this.note(`${e.mode} · in: ${list(e.inputs)} · out: ${list(e.outputs)} · ${e.trigger?.kind ?? ''}`);
    return true;
  }

  error(e) {
    const { code, message } = e.error ?? {};
    if (this.pending && code === 'unsupported' && e.turn === undefined) {
      // A mode that cannot start leaves the session in text; an unknown one where it was.
      const now = /cannot start/.test(message) ? 'text' : this.pending.from;
      this.pending = undefined;
      this.el.modeError.textContent = `Mode not available: ${message}`;
      this.note('');
      this.setMode(now);
      return true;
    }
    if (e.turn === undefined && /(audio_chunk|video_frame) #\d+/.test(message ?? '')) {
      // The server took no frame: stop sending rather than flood it with refused frames.
      if (/audio_chunk/.test(message) && this.mic.on)
        this.micOff(`The server refused the audio: ${message}`, 'error');
      else if (/video_frame/.test(message)) {
        this.camera.stopFrames();
        this.note(`The server refused the video: ${message}`, 'error');
      }
      return true;
    }
    return false;
  }

  /** A downstream binary frame: speech to play, or a frame the page cannot read (reported, dropped). */
  binary(buf) {
    const f = parseFrame(buf);
    if ('error' in f) {
      this.note(`Ignored ${f.error}`, 'error');
      return;
    }
    if (f.kind === 'audio_chunk') this.player.chunk(f.payload);
  }

  sendFrame(kind, payload) {
    const conn = this.deps.conn;
    if (kind === 'video_frame' && conn.buffered() > VIDEO_BACKLOG_BYTES) return;
    if (conn.sendBinary(encodeFrame(kind, ++this.seq, payload))) {
      this.el.bar.dataset.sent = String(this.seq);
    } else if (kind === 'audio_chunk' && this.mic.on) {
      this.micOff('Not connected: the microphone is off', 'error');
    }
  }

  async toggleMic() {
    if (this.mic.on) return this.micOff('Microphone off');
    this.player.unlock();
    this.el.mic.disabled = true;
    this.note('Asking for the microphone…', 'busy');
    try {
      await this.mic.start();
      this.note(`Listening (${this.mode}): speak, and pause to send`);
    } catch (e) {
      this.note(e instanceof Error ? e.message : String(e), 'error');
    }
    this.sync();
  }

  micOff(why, kind = 'info') {
    this.mic.stop();
    this.note(why, kind);
    this.sync();
  }

  async toggleCamera() {
    if (this.camera.on) {
      this.camera.stop();
      this.note('Camera off');
      return this.sync();
    }
    this.note('Asking for the camera…', 'busy');
    try {
      await this.camera.start();
      if (this.inputs.includes('stream/video')) this.startFrames();
      else this.note('Camera on: Snapshot attaches the picture to your next message');
    } catch (e) {
      this.note(e instanceof Error ? e.message : String(e), 'error');
    }
    this.sync();
  }

  startFrames() {
    this.camera.sendFrames((jpeg) => this.sendFrame('video_frame', jpeg));
    this.note(`Watching: ${MONITOR_FPS} frames a second go to the monitor`);
  }

  async snapshot() {
    const blob = await this.camera.snapshot();
    if (!blob) return this.note('The camera has no picture yet', 'error');
    const file = new File([blob], `camera-${new Date().toISOString().slice(11, 19)}.jpg`, {
      type: 'image/jpeg',
    });
    await this.deps.attachments.add([file]);
  }

  /** Stop the running answer and its speech at once. */
  interrupt() {
    this.player.stop();
    this.deps.onInterrupt();
  }

  /** The socket closed: nothing can be sent, so the microphone and the frames stop. */
  closed(detail) {
    this.player.stop();
    this.camera.stopFrames();
    if (this.mic.on) this.micOff(`The connection was lost (${detail}): the microphone is off`, 'error');
    this.pending = undefined;
    this.sync();
  }
}
