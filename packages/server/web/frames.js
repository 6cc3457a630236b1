/**
 * Binary frames of `/ws` (docs/PROTOCOL.md): an 8-byte header (kind, version 1, two reserved
 * zero bytes, sequence as unsigned 32-bit big-endian), then the payload.
 */

export const FRAME_KINDS = { audio_chunk: 1, video_frame: 2 };
const HEADER = 8;

/**
 * @param {'audio_chunk' | 'video_frame'} kind
 * @param {number} seq
 * @param {Uint8Array} payload
 * @returns {ArrayBuffer}
 */
export function encodeFrame(kind, seq, payload) {
  const out = new Uint8Array(HEADER + payload.byteLength);
  const view = new DataView(out.buffer);
  view.setUint8(0, FRAME_KINDS[kind]);
  view.setUint8(1, 1);
  view.setUint32(4, seq >>> 0, false);
  out.set(payload, HEADER);
  return out.buffer;
}

/**
 * Read a downstream frame; a frame the page cannot use comes back with `error` naming why.
 * @param {ArrayBuffer} buf
 * @returns {{ kind: string, seq: number, payload: Uint8Array } | { error: string }}
 */
export function parseFrame(buf) {
  if (buf.byteLength < HEADER) return { error: `a binary frame of ${buf.byteLength} bytes has no header` };
  const view = new DataView(buf);
  const kind = view.getUint8(0);
  const version = view.getUint8(1);
  if (version !== 1) return { error: `a binary frame of version ${version} (this page reads version 1)` };
  const name = Object.keys(FRAME_KINDS).find((k) => FRAME_KINDS[k] === kind);
  if (!name) return { error: `a binary frame of unknown kind ${kind}` };
  const payload = new Uint8Array(buf, HEADER);
  if (name === 'audio_chunk' && payload.byteLength % 2 !== 0) {
    return { error: `an audio_chunk of ${payload.byteLength} bytes (PCM s16le needs an even number)` };
  }
  return { kind: name, seq: view.getUint32(4, false), payload };
}
