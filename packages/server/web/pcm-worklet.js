/**
 * The microphone's capture worklet (AudioWorklet, loaded from this origin): the context's
 * float samples, mixed to mono, resampled to 16 kHz and cut into 20 ms frames of signed
 * 16-bit samples, posted to the page as transferable buffers.
 */
import { FRAME_SAMPLES, Resampler, floatToS16 } from './pcm.js';

class PcmCapture extends AudioWorkletProcessor {
  constructor() {
    super();
    this.resampler = new Resampler(sampleRate);
    this.frame = new Int16Array(FRAME_SAMPLES);
    this.fill = 0;
    this.stopped = false;
    this.port.onmessage = (e) => {
      if (e.data === 'stop') this.stopped = true;
    };
  }

  process(inputs) {
    if (this.stopped) return false;
    const channels = inputs[0];
    if (!channels || channels.length === 0 || !channels[0]) return true;
    let mono = channels[0];
    if (channels.length > 1) {
      mono = new Float32Array(mono.length);
      for (const ch of channels) for (let i = 0; i < ch.length; i++) mono[i] += ch[i] / channels.length;
    }
    const s16 = floatToS16(this.resampler.process(mono));
    for (let i = 0; i < s16.length; i++) {
      this.frame[this.fill++] = s16[i];
      if (this.fill === FRAME_SAMPLES) {
        this.port.postMessage(this.frame.buffer, [this.frame.buffer]);
        this.frame = new Int16Array(FRAME_SAMPLES);
        this.fill = 0;
      }
    }
    return true;
  }
}

registerProcessor('pcm-capture', PcmCapture);
