/**
 * The camera: getUserMedia video shown in a preview, drawn to a canvas and encoded as JPEG,
 * either as a snapshot (an image attached to the next message in `visual`) or as a steady
 * trickle of `video_frame`s (`monitor`).
 */
import { mediaErrorMessage, requireMediaDevices } from './microphone.js';

/** Frames per second sent in monitor mode: the server looks at every n-th of them. */
export const MONITOR_FPS = 2;
const MAX_WIDTH = 640;

export class Camera {
  /** @param {HTMLVideoElement} video the preview */
  constructor(video) {
    this.video = video;
    this.stream = undefined;
    this.timer = undefined;
    this.canvas = document.createElement('canvas');
  }

  get on() {
    return this.stream !== undefined;
  }

  async start() {
    requireMediaDevices('The camera');
    try {
      this.stream = await navigator.mediaDevices.getUserMedia({
        video: { width: { ideal: MAX_WIDTH }, height: { ideal: 480 } },
      });
    } catch (e) {
      throw new Error(mediaErrorMessage('Camera', e));
    }
    this.video.srcObject = this.stream;
    this.video.hidden = false;
    await this.video.play().catch(() => undefined);
  }

  /** The current picture as a JPEG blob (undefined before the first frame arrives). */
  async snapshot() {
    const v = this.video;
    if (!this.stream || v.videoWidth === 0) return undefined;
    const scale = Math.min(1, MAX_WIDTH / v.videoWidth);
    this.canvas.width = Math.round(v.videoWidth * scale);
    this.canvas.height = Math.round(v.videoHeight * scale);
    this.canvas.getContext('2d').drawImage(v, 0, 0, this.canvas.width, this.canvas.height);
    return new Promise((resolve) => this.canvas.toBlob((b) => resolve(b ?? undefined), 'image/jpeg', 0.7));
  }

  /** Send a JPEG `MONITOR_FPS` times a second; a frame still being encoded is not doubled. */
  sendFrames(onFrame) {
    this.stopFrames();
    let busy = false;
    this.timer = setInterval(async () => {
      if (busy) return;
      busy = true;
      try {
        const blob = await this.snapshot();
        if (blob) onFrame(new Uint8Array(await blob.arrayBuffer()));
      } finally {
        busy = false;
      }
    }, 1000 / MONITOR_FPS);
  }

  stopFrames() {
    if (this.timer !== undefined) clearInterval(this.timer);
    this.timer = undefined;
  }

  stop() {
    this.stopFrames();
    for (const t of this.stream?.getTracks() ?? []) t.stop();
    this.stream = undefined;
    this.video.srcObject = null;
    this.video.hidden = true;
  }
}
