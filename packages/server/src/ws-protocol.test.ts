import { describe, expect, it } from 'vitest';
import { encodeBinary, parseBinary, parseUpstream, ProtocolError } from './ws-protocol.js';

function protocolError(fn: () => unknown): ProtocolError {
  try {
    fn();
  } catch (e) {
    if (e instanceof ProtocolError) return e;
    throw e;
  }
  throw new Error('expected a ProtocolError');
}

describe('parseUpstream', () => {
  it('accepts every envelope type', () => {
    expect(parseUpstream('{"type":"hello"}')).toEqual({ type: 'hello' });
    expect(parseUpstream('{"type":"hello","session":"abc-1"}')).toEqual({ type: 'hello', session: 'abc-1' });
    expect(parseUpstream('{"type":"text","text":"hi","id":"t1","extra":1}')).toEqual({
      type: 'text',
      text: 'hi',
      id: 't1',
    });
    expect(parseUpstream('{"type":"control","action":"interrupt"}')).toEqual({
      type: 'control',
      action: 'interrupt',
    });
    expect(parseUpstream('{"type":"ping","id":3}')).toEqual({ type: 'ping', id: 3 });
    expect(parseUpstream('{"type":"text","text":"hi","docs":"notes"}')).toEqual({
      type: 'text',
      text: 'hi',
      docs: 'notes',
    });
  });

  it.each([
    ['not json', 'bad_request', /not valid JSON/],
    ['null', 'bad_request', /JSON object/],
    ['{"type":null}', 'bad_request', /"type"/],
    ['{"type":"x".repeat}', 'bad_request', /not valid JSON/],
    ['{"type":"audio_chunk"}', 'unknown_type', /unknown type "audio_chunk"/],
    ['{"type":"text"}', 'bad_request', /^text: /],
    [
      '{"type":"control","action":"settings","settings":{"max_tokens":0}}',
      'bad_request',
      /^settings\.max_tokens: /,
    ],
    ['{"type":"control","action":"switch_mode"}', 'bad_request', /^mode: /],
    ['{"type":"hello","session":""}', 'bad_request', /^session: /],
    ['{"type":"text","text":"hi","docs":7}', 'bad_request', /^docs: /],
    ['{"type":"text","text":"hi","docs":null}', 'bad_request', /^docs: /],
  ])('%s → %s', (text, code, message) => {
    const e = protocolError(() => parseUpstream(text));
    expect(e.code).toBe(code);
    expect(e.message).toMatch(message);
  });

  it('shortens a long unknown type in the message', () => {
    const e = protocolError(() => parseUpstream(JSON.stringify({ type: 'x'.repeat(5000) })));
    expect(e.message.length).toBeLessThan(150);
  });
});

describe('binary frames', () => {
  it('round-trips the header', () => {
    const f = encodeBinary('video_frame', 0xfffffffe, new Uint8Array([9, 8, 7]));
    expect(f.length).toBe(11);
    const h = parseBinary(f);
    expect(h.kind).toBe('video_frame');
    expect(h.sequence).toBe(0xfffffffe);
    expect([...h.payload]).toEqual([9, 8, 7]);
  });

  it('refuses short frames, unknown kinds and versions', () => {
    expect(protocolError(() => parseBinary(Buffer.alloc(3))).message).toMatch(/8-byte header/);
    expect(protocolError(() => parseBinary(Buffer.from([0, 1, 0, 0, 0, 0, 0, 0]))).message).toMatch(/kind 0/);
    expect(protocolError(() => parseBinary(Buffer.from([1, 2, 0, 0, 0, 0, 0, 0]))).message).toMatch(
      /version/,
    );
  });
});
