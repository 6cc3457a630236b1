/**
 * Helpers for voice over /ws: a real recording (pocketsphinx's test data: a man saying "go
 * forward ten meters", 16 kHz s16le mono), silence around it, streamed at real-time pace,
 * and the arrival time of every frame a client receives.
 */
import { readFileSync } from 'node:fs';
import { encodeBinary } from '../../packages/server/src/index.js';
import type { WsClient } from '../server/helpers.js';

export const GOFORWARD = '/usr/share/pocketsphinx/test/data/goforward.raw';
const BYTES_PER_MS = 32; // 16 kHz × 2 bytes

/** The recording with `beforeMs` of silence before it and `afterMs` after. */
export function paddedRecording(beforeMs: number, afterMs: number): Buffer {
  const speech = readFileSync(GOFORWARD);
  return Buffer.concat([Buffer.alloc(beforeMs * BYTES_PER_MS), speech, Buffer.alloc(afterMs * BYTES_PER_MS)]);
}

/** `ms` of the PCM from `fromMs` on. */
export function slice(pcm: Buffer, fromMs: number, ms: number): Buffer {
  return pcm.subarray(fromMs * BYTES_PER_MS, (fromMs + ms) * BYTES_PER_MS);
}

/** Records when each frame arrived (`at[i]` belongs to `client.received[i]`) and keeps binary payloads. */
export class Arrivals {
  readonly at: number[] = [];
  readonly binary: { index: number; at: number; bytes: Buffer }[] = [];
  constructor(client: WsClient) {
    // Registered after the client's own listener, so index i matches client.received[i].
    client.ws.on('message', (data, isBinary) => {
      const now = performance.now();
      this.at.push(now);
      if (isBinary) this.binary.push({ index: this.at.length - 1, at: now, bytes: data as Buffer });
    });
  }
}

/**
 * Send `pcm` as `audio_chunk` frames of `chunkMs`, paced to real time (each frame leaves when
 * its audio would have been captured). Returns when each frame was sent.
 */
export async function streamRealtime(
  client: WsClient,
  pcm: Buffer,
  opts: { chunkMs?: number; firstSeq?: number; signal?: AbortSignal } = {},
): Promise<number[]> {
  const chunkMs = opts.chunkMs ?? 20;
  const step = chunkMs * BYTES_PER_MS;
  const start = performance.now();
  const sent: number[] = [];
  let seq = opts.firstSeq ?? 1;
  for (let off = 0, i = 0; off < pcm.length; off += step, i++) {
    if (opts.signal?.aborted) break;
    const due = start + i * chunkMs;
    const wait = due - performance.now();
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    client.send(encodeBinary('audio_chunk', seq++, pcm.subarray(off, Math.min(pcm.length, off + step))));
    sent.push(performance.now());
  }
  return sent;
}
