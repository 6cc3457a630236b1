/**
 * The WebSocket protocol at `/ws` (version 1), documented in docs/PROTOCOL.md: the
 * upstream envelopes and their validation, the downstream envelopes, the error codes and
 * the binary frame header.
 */
import type { ChatEvent, ErrorInfo, PipelineEvent } from '@parley/core';
import { MODE_IDS } from '@parley/core';
import * as z from 'zod';
import { IMAGE_TYPES } from './openai-mapping.js';
import { formatPath } from './openai-schema.js';

/** The protocol version sent in `ready`. */
export const PROTOCOL_VERSION = 1;

/** Every upstream envelope type (JSON text frames). */
export const UPSTREAM_TYPES = ['hello', 'text', 'control', 'ping'] as const;
/** The `type` of an upstream envelope. */
export type UpstreamType = (typeof UPSTREAM_TYPES)[number];

/** The modes a session can be in (docs/PIPELINES.md). */
export const MODES = MODE_IDS;
/** A session's mode. */
export type Mode = (typeof MODES)[number];

/** Stable codes of protocol errors (a turn's own errors carry the core's codes). */
export const WS_ERROR_CODES = [
  'bad_request',
  'unknown_type',
  'too_large',
  'hello_required',
  'busy',
  'unsupported',
  'no_pipeline',
  'shutting_down',
  'rate_limited',
  'internal',
] as const;
/** A protocol error's code. */
export type WsErrorCode = (typeof WS_ERROR_CODES)[number];

/** Kinds of binary frames (the first byte of the header). */
export const BINARY_KINDS = { audio_chunk: 1, video_frame: 2 } as const;
/** Bytes of the binary header: kind (u8), version (u8, = 1), reserved (u16), sequence (u32 BE). */
export const BINARY_HEADER_BYTES = 8;

const Id = z
  .string()
  .min(1)
  .max(128)
  .regex(/^[A-Za-z0-9_.:-]+$/, 'use 1-128 letters, digits, _ . : -');

const Image = z.object({
  mediaType: z.enum(IMAGE_TYPES),
  data: z
    .string()
    .min(1)
    .regex(/^[A-Za-z0-9+/]*={0,2}$/, 'must be base64'),
});

const Hello = z.object({ type: z.literal('hello'), session: Id.optional() });

/** A file attached to a `text` turn: its name (which decides its kind) and its bytes in base64. */
const Attachment = z
  .object({
    name: z
      .string()
      .min(1)
      .max(255)
      // eslint-disable-next-line no-control-regex
      .regex(/^[^\u0000-\u001f\u007f/\\]+$/, 'a file name, without folders or control characters'),
    data: z
      .string()
      .regex(/^[A-Za-z0-9+/]*={0,2}$/, 'must be base64')
      .refine((d) => d.length % 4 === 0, 'must be base64 (its length is not a multiple of 4)'),
    media_type: z.string().max(255).optional(),
  })
  .strict();

const Text = z.object({
  type: z.literal('text'),
  id: Id.optional(),
  text: z.string(),
  images: z.array(Image).max(16).optional(),
  /** Files to read into the turn (docs/DOCUMENTS.md): whole when they fit, else through retrieval. */
  attachments: z.array(Attachment).max(100).optional(),
  model: z.string().min(1).max(512).optional(),
  /** A document collection to answer from (docs/DOCUMENTS.md): its passages go with the question. */
  /** Its name is checked with the turn's id, when the turn would start (ws-connection.ts). */
  docs: z.string().optional(),
});

/** Session settings a `control: settings` changes; `null` resets one to the server's default. */
const Settings = z
  .object({
    model: z.string().min(1).max(512).nullable().optional(),
    system: z.string().max(100_000).nullable().optional(),
    temperature: z.number().min(0).max(2).nullable().optional(),
    max_tokens: z.number().int().positive().nullable().optional(),
  })
  .strict();

const Control = z.discriminatedUnion(
  'action',
  [
    z.object({ type: z.literal('control'), action: z.literal('interrupt'), turn: Id.optional() }),
    z.object({
      type: z.literal('control'),
      action: z.literal('switch_mode'),
      mode: z.string().min(1).max(64),
    }),
    z.object({ type: z.literal('control'), action: z.literal('settings'), settings: Settings }),
    z.object({
      type: z.literal('control'),
      action: z.literal('start_pipeline'),
      pipeline: z.unknown().optional(),
    }),
    z.object({
      type: z.literal('control'),
      action: z.literal('confirm_action'),
      id: Id,
      approve: z.boolean(),
    }),
  ],
  { error: 'action must be interrupt, switch_mode, settings, start_pipeline or confirm_action' },
);

const Ping = z.object({ type: z.literal('ping'), id: z.union([z.string().max(128), z.number()]).optional() });

const SCHEMAS = { hello: Hello, text: Text, control: Control, ping: Ping } as const;

/** `hello`: open or resume a session. */
export type HelloMessage = z.infer<typeof Hello>;
/** `text`: one turn. */
export type TextMessage = z.infer<typeof Text>;
/** `control`: interrupt, switch_mode, settings, start_pipeline, confirm_action. */
export type ControlMessage = z.infer<typeof Control>;
/** `ping`: answered by `pong`. */
export type PingMessage = z.infer<typeof Ping>;
/** The `settings` of `control: settings`. */
export type SessionSettingsPatch = z.infer<typeof Settings>;
/** A valid upstream envelope. */
export type UpstreamMessage = HelloMessage | TextMessage | ControlMessage | PingMessage;

/** A protocol error before it is sent. */
export class ProtocolError extends Error {
  constructor(
    readonly code: WsErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'ProtocolError';
  }
}

/**
 * Parse a text frame's JSON into a valid upstream envelope.
 *
 * @throws ProtocolError `bad_request` (not JSON, not an object, a bad field) or `unknown_type`
 */
export function parseUpstream(text: string): UpstreamMessage {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (e) {
    throw new ProtocolError(
      'bad_request',
      `the frame is not valid JSON: ${e instanceof Error ? e.message : 'parse error'}`,
    );
  }
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    throw new ProtocolError('bad_request', 'a frame must be a JSON object with a "type"');
  }
  const type = (raw as { type?: unknown }).type;
  if (typeof type !== 'string') throw new ProtocolError('bad_request', 'type: a frame needs a string "type"');
  if (!(UPSTREAM_TYPES as readonly string[]).includes(type)) {
    const shown = type.length > 40 ? `${type.slice(0, 40)}…` : type;
    throw new ProtocolError('unknown_type', `unknown type "${shown}": use ${UPSTREAM_TYPES.join(', ')}`);
  }
  const r = SCHEMAS[type as UpstreamType].safeParse(raw);
  if (r.success) return r.data;
  const issue = r.error.issues[0];
  const where = issue ? formatPath(issue.path) : '';
  throw new ProtocolError('bad_request', `${where ? `${where}: ` : ''}${issue?.message ?? 'invalid frame'}`);
}

/** A parsed binary frame header. */
export interface BinaryHeader {
  kind: keyof typeof BINARY_KINDS;
  sequence: number;
  payload: Buffer;
}

/**
 * Parse a binary frame: an 8-byte header, then the payload.
 *
 * @throws ProtocolError `bad_request` for a short frame, an unknown kind or version
 */
export function parseBinary(frame: Buffer): BinaryHeader {
  if (frame.length < BINARY_HEADER_BYTES) {
    throw new ProtocolError(
      'bad_request',
      `a binary frame starts with an ${BINARY_HEADER_BYTES}-byte header`,
    );
  }
  const kindByte = frame.readUInt8(0);
  const kind = (Object.keys(BINARY_KINDS) as (keyof typeof BINARY_KINDS)[]).find(
    (k) => BINARY_KINDS[k] === kindByte,
  );
  if (!kind)
    throw new ProtocolError(
      'bad_request',
      `unknown binary kind ${kindByte}: 1 is audio_chunk, 2 is video_frame`,
    );
  if (frame.readUInt8(1) !== 1)
    throw new ProtocolError('bad_request', 'unknown binary header version (use 1)');
  return { kind, sequence: frame.readUInt32BE(4), payload: frame.subarray(BINARY_HEADER_BYTES) };
}

/** Build a binary frame (for clients and tests). */
export function encodeBinary(kind: keyof typeof BINARY_KINDS, sequence: number, payload: Uint8Array): Buffer {
  const header = Buffer.alloc(BINARY_HEADER_BYTES);
  header.writeUInt8(BINARY_KINDS[kind], 0);
  header.writeUInt8(1, 1);
  header.writeUInt32BE(sequence >>> 0, 4);
  return Buffer.concat([header, payload]);
}

/** One message of the history sent in `ready`. */
export interface HistoryItem {
  role: 'user' | 'assistant';
  text: string;
  /** Images the message carried (their bytes are not sent back). */
  images: number;
  /** Files attached to the message: their names, kinds and how they went (not their text). */
  attachments?: { path: string; kind: string; bytes: number; mode: 'inline' | 'retrieval' }[];
}

/** `ready`: the answer to `hello`. */
export interface ReadyEnvelope {
  type: 'ready';
  protocol: number;
  session: string;
  resumed: boolean;
  models: string[];
  model: string;
  modes: readonly Mode[];
  mode: Mode;
  history: HistoryItem[];
  /** The document collections a `text` can name in `docs`. */
  collections: string[];
  limits: { max_text_frame: number; max_binary_frame: number };
}

/** Every downstream JSON envelope. A turn's events are the core's events plus the `turn` id. */
export type DownstreamEnvelope =
  | ReadyEnvelope
  | { type: 'turn'; turn: string; model: string }
  | CitationsEnvelope
  | (ChatEvent & { turn: string })
  | (Exclude<PipelineEvent, ChatEvent | { type: 'audio' }> & { turn?: string })
  | { type: 'error'; error: ErrorInfo; turn?: string }
  | { type: 'ack'; action: string; [key: string]: unknown }
  | {
      type: 'control_signal';
      signal: 'confirm_action' | 'confirm_expired';
      turn: string;
      id: string;
      [key: string]: unknown;
    }
  | { type: 'pong'; id?: string | number }
  | ImageEnvelope;

/** `citations`: the numbered sources of a turn answered from a collection (`text.docs`). */
export interface CitationsEnvelope {
  type: 'citations';
  turn: string;
  citations: {
    n: number;
    path: string;
    startLine?: number;
    endLine?: number;
    page?: number;
    collection?: string;
    score?: number;
  }[];
}

/** `image`: a turn routed to image generation made this image (docs/images.md). */
export interface ImageEnvelope {
  type: 'image';
  turn: string;
  /** Where to fetch it: `/api/images/FILE`, behind the server's token like every route. */
  url: string;
  mediaType: string;
  width?: number | undefined;
  height?: number | undefined;
  bytes: number;
  model: string;
  prompt: string;
  revisedPrompt?: string | undefined;
}

/** The `error` envelope of a protocol error. */
export function protocolError(code: WsErrorCode, message: string, turn?: string): DownstreamEnvelope {
  const e: DownstreamEnvelope = {
    type: 'error',
    error: { code, message, retryable: code === 'busy' || code === 'rate_limited' },
  };
  if (turn !== undefined) e.turn = turn;
  return e;
}
