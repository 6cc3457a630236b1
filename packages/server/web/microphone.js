/**
 * The microphone: getUserMedia → an AudioWorklet (`pcm-worklet.js`) that hands back 20 ms
 * frames of 16 kHz s16le → `onFrame`, optionally through a browser-side energy gate.
 */
import { EnergyGate } from './pcm.js';

/** A message a person can act on, for a getUserMedia failure. */
export function mediaErrorMessage(device, e) {
  const name = e && typeof e === 'object' && 'name' in e ? e.name : '';
  switch (name) {
    case 'NotAllowedError':
    case 'SecurityError':
      return `${device} access was denied: allow it for this site in the browser's settings, then try again`;
    case 'NotFoundError':
    case 'OverconstrainedError':
      return `No ${device.toLowerCase()} was found`;
    case 'NotReadableError':
    case 'AbortError':
      return `The ${device.toLowerCase()} could not be opened (another program may be using it)`;
    default:
      return `${device}: ${e instanceof Error ? e.message : String(e)}`;
  }
}

/** Throws a clear error when the page cannot ask for a device at all. */
export function requireMediaDevices(device) {
  if (!window.isSecureContext || !navigator.mediaDevices?.getUserMedia) {
    throw new Error(
      `${device} needs a secure page: open parley at http://localhost or 127.0.0.1, or over HTTPS`,
    );
  }
}

export class Microphone {
  /**
   * @param {{ onFrame: (pcm: Int16Array) => void, onEnded: (why: string) => void, gate?: boolean }} opts
   */
  constructor(opts) {
    this.opts = opts;
    this.stream = undefined;
    this.ctx = undefined;
    this.node = undefined;
  }

  get on() {
    return this.stream !== undefined;
  }

  /** Ask for the microphone and start sending; throws an Error with a readable message. */
  async start() {
    requireMediaDevices('The microphone');
    let stream;
    try {
      stream = await navigator.mediaDevices.getUserMedia({
        audio: { channelCount: 1, echoCancellation: true, noiseSuppression: true, autoGainControl: true },
      });
    } catch (e) {
      throw new Error(mediaErrorMessage('Microphone', e));
    }
    try {
      const ctx = new AudioContext();
      await ctx.audioWorklet.addModule('/pcm-worklet.js');
      const node = new AudioWorkletNode(ctx, 'pcm-capture', { numberOfOutputs: 1 });
      const gate = this.opts.gate ? new EnergyGate() : undefined;
      node.port.onmessage = (ev) => {
        const frame = new Int16Array(ev.data);
        for (const f of gate ? gate.push(frame) : [frame]) this.opts.onFrame(f);
      };
      // A silent path to the output keeps the worklet pulled by the graph.
      const mute = ctx.createGain();
      mute.gain.value = 0;
      ctx.createMediaStreamSource(stream).connect(node).connect(mute).connect(ctx.destination);
      if (ctx.state === 'suspended') await ctx.resume();
      for (const track of stream.getAudioTracks()) {
        track.addEventListener('ended', () => {
          this.stop();
          this.opts.onEnded('the microphone was disconnected');
        });
      }
      Object.assign(this, { stream, ctx, node });
    } catch (e) {
      for (const t of stream.getTracks()) t.stop();
      throw new Error(`The microphone could not start: ${e instanceof Error ? e.message : String(e)}`);
    }
  }

  stop() {
    this.node?.port.postMessage('stop');
    this.node?.disconnect();
    for (const t of this.stream?.getTracks() ?? []) t.stop();
    void this.ctx?.close().catch(() => undefined);
    this.stream = undefined;
    this.ctx = undefined;
    this.node = undefined;
  }
}
