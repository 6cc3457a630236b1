/**
 * Microphone audio as the server takes it (docs/PROTOCOL.md, `audio_chunk`): 16 kHz mono
 * PCM, signed 16-bit little-endian. Pure functions and small state machines, shared by the
 * capture worklet (`pcm-worklet.js`) and the page.
 */

/** The rate the server's voice activity detector and speech to text expect. */
export const TARGET_RATE = 16000;
/** Samples per upstream frame: 20 ms at 16 kHz. */
export const FRAME_SAMPLES = 320;

/**
 * Converts a stream of float samples from the audio context's rate to `to` Hz, block by
 * block, keeping its position across blocks. Going down, each output sample is the mean of
 * the input samples it covers (a box filter that keeps most aliasing out); going up, it
 * interpolates linearly.
 */
export class Resampler {
  /** @param {number} from the input rate @param {number} [to] the output rate */
  constructor(from, to = TARGET_RATE) {
    if (!(from > 0) || !(to > 0)) throw new RangeError(`bad sample rates: ${from} → ${to}`);
    this.ratio = from / to;
    this.t = 0;
    this.carry = new Float32Array(0);
  }

  /** @param {Float32Array} input @returns {Float32Array} */
  process(input) {
    let buf = input;
    if (this.carry.length > 0) {
      buf = new Float32Array(this.carry.length + input.length);
      buf.set(this.carry);
      buf.set(input, this.carry.length);
    }
    const r = this.ratio;
    const out = new Float32Array(Math.ceil(buf.length / r) + 1);
    let n = 0;
    let t = this.t;
    if (r >= 1) {
      while (t + r <= buf.length) {
        const a = Math.floor(t);
        const b = Math.floor(t + r);
        let sum = 0;
        for (let i = a; i < b; i++) sum += buf[i];
        out[n++] = sum / Math.max(1, b - a);
        t += r;
      }
    } else {
      while (Math.floor(t) + 1 < buf.length) {
        const i = Math.floor(t);
        const f = t - i;
        out[n++] = buf[i] * (1 - f) + buf[i + 1] * f;
        t += r;
      }
    }
    const keep = Math.min(Math.floor(t), buf.length);
    this.carry = buf.slice(keep);
    this.t = t - keep;
    return out.subarray(0, n);
  }
}

/** Float samples in [-1, 1] to signed 16-bit, clamped. */
export function floatToS16(f32) {
  const out = new Int16Array(f32.length);
  for (let i = 0; i < f32.length; i++) {
    const s = Math.max(-1, Math.min(1, f32[i]));
    out[i] = s < 0 ? Math.round(s * 0x8000) : Math.round(s * 0x7fff);
  }
  return out;
}

/** The root mean square of 16-bit samples, in [0, 1]. */
export function rms(s16) {
  if (s16.length === 0) return 0;
  let sum = 0;
  for (let i = 0; i < s16.length; i++) sum += (s16[i] / 0x8000) ** 2;
  return Math.sqrt(sum / s16.length);
}

/** s16le bytes (the wire format) to float samples. */
export function s16leToFloat(bytes) {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const out = new Float32Array(Math.floor(bytes.byteLength / 2));
  for (let i = 0; i < out.length; i++) out[i] = view.getInt16(i * 2, true) / 0x8000;
  return out;
}

/**
 * A browser-side energy gate: frames are let through while their level is over `threshold`,
 * with `prerollMs` of the frames before (the start of a word) and `hangoverMs` after (so the
 * server's own VAD hears the silence that ends the utterance). The server's VAD decides
 * what an utterance is; this only saves sending long silences.
 */
export class EnergyGate {
  constructor({ threshold = 0.01, prerollMs = 200, hangoverMs = 800, frameMs = 20 } = {}) {
    this.threshold = threshold;
    this.preroll = Math.ceil(prerollMs / frameMs);
    this.hangover = Math.ceil(hangoverMs / frameMs);
    this.held = [];
    this.open = 0;
  }

  /** @param {Int16Array} frame @returns {Int16Array[]} the frames to send now */
  push(frame) {
    if (rms(frame) >= this.threshold) {
      const out = [...this.held, frame];
      this.held = [];
      this.open = this.hangover;
      return out;
    }
    if (this.open > 0) {
      this.open--;
      return [frame];
    }
    this.held.push(frame);
    if (this.held.length > this.preroll) this.held.shift();
    return [];
  }
}
