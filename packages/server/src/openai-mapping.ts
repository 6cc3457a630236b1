/**
 * OpenAI's chat completions format to the core's `ChatRequest`, and the core's events back
 * to `chat.completion` and `chat.completion.chunk` objects.
 */
import { randomBytes } from 'node:crypto';
import type { ChatMessage, ChatRequest, FinishReason, MessagePart, Usage } from '@parley/core';
import { HttpError } from './http-errors.js';
import type { ChatCompletionBody, ChatCompletionMessage } from './openai-schema.js';

/** Image types the server accepts in `data:` URLs. */
export const IMAGE_TYPES = ['image/png', 'image/jpeg', 'image/gif', 'image/webp'] as const;

const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

/**
 * Decode a base64 `data:` URL of an image.
 *
 * @throws HttpError 400 (naming `param`) for other URLs, other types or bad base64
 */
export function decodeImageDataUrl(url: string, param: string): { data: Uint8Array; mediaType: string } {
  const m = /^data:([a-z]+\/[a-z0-9.+-]+)(?:;[^,;]*)*;base64,/i.exec(url.slice(0, 200));
  if (!m) {
    const why = /^https?:/i.test(url)
      ? 'only data: URLs are accepted (the server does not fetch URLs)'
      : 'must be a base64 data: URL';
    throw new HttpError(400, `${param}: ${why}`, { param, code: 'invalid_image' });
  }
  const mediaType = (m[1] as string).toLowerCase().replace('image/jpg', 'image/jpeg');
  if (!(IMAGE_TYPES as readonly string[]).includes(mediaType)) {
    throw new HttpError(400, `${param}: images must be ${IMAGE_TYPES.join(', ')}; got ${mediaType}`, {
      param,
      code: 'invalid_image',
    });
  }
  const b64 = url.slice(m[0].length).replace(/\s+/g, '');
  if (b64.length === 0 || b64.length % 4 === 1 || !BASE64.test(b64)) {
    throw new HttpError(400, `${param}: the image is not valid base64`, { param, code: 'invalid_image' });
  }
  return { data: new Uint8Array(Buffer.from(b64, 'base64')), mediaType };
}

function textOf(m: ChatCompletionMessage, i: number): string {
  if (m.content == null) return '';
  if (typeof m.content === 'string') return m.content;
  return m.content
    .map((p, j) => {
      if (p.type !== 'text') {
        const param = `messages[${i}].content[${j}]`;
        throw new HttpError(400, `${param}: ${m.role} messages take text only`, { param });
      }
      return p.text;
    })
    .join('');
}

function userParts(m: ChatCompletionMessage, i: number): MessagePart[] {
  if (m.content == null) return [];
  if (typeof m.content === 'string') return [{ type: 'text', text: m.content }];
  return m.content.map((p, j): MessagePart => {
    if (p.type === 'text') return { type: 'text', text: p.text };
    const url = typeof p.image_url === 'string' ? p.image_url : p.image_url.url;
    return { type: 'image', ...decodeImageDataUrl(url, `messages[${i}].content[${j}].image_url`) };
  });
}

/**
 * The core request for a validated body.
 *
 * @param maxInputChars the longest total of text accepted (config `max_input_chars`)
 * @throws HttpError 400 for content the core cannot take
 */
export function toChatRequest(body: ChatCompletionBody, maxInputChars: number): ChatRequest {
  const system: string[] = [];
  const messages: ChatMessage[] = [];
  let chars = 0;
  body.messages.forEach((m, i) => {
    if (m.role === 'system' || m.role === 'developer') {
      const t = textOf(m, i);
      chars += t.length;
      if (t) system.push(t);
      return;
    }
    const content = m.role === 'user' ? userParts(m, i) : [{ type: 'text' as const, text: textOf(m, i) }];
    for (const p of content) if (p.type === 'text') chars += p.text.length;
    if (content.length === 0 || content.every((p) => p.type === 'text' && p.text === '')) return;
    messages.push({ role: m.role, content });
  });
  if (chars > maxInputChars) {
    throw new HttpError(
      400,
      `messages: the prompt is ${chars} characters, over the limit of ${maxInputChars} (max_input_chars)`,
      { param: 'messages', code: 'context_length_exceeded' },
    );
  }
  if (!messages.some((m) => m.role === 'user')) {
    throw new HttpError(400, 'messages: needs at least one user message with content', { param: 'messages' });
  }
  const request: ChatRequest = { messages };
  if (system.length > 0) request.system = system.join('\n\n');
  if (body.temperature != null) request.temperature = body.temperature;
  if (body.top_p != null && body.top_p > 0) request.topP = body.top_p;
  const maxTokens = body.max_completion_tokens ?? body.max_tokens;
  if (maxTokens != null) request.maxTokens = maxTokens;
  if (body.seed != null) request.seed = body.seed;
  if (body.reasoning_effort != null) request.think = body.reasoning_effort !== 'none';
  return request;
}

/** OpenAI's `finish_reason` for the core's. */
export function finishReasonFor(r: FinishReason): 'stop' | 'length' | 'tool_calls' | 'content_filter' {
  if (r === 'length') return 'length';
  if (r === 'tool-calls') return 'tool_calls';
  if (r === 'content-filter') return 'content_filter';
  return 'stop';
}

/** OpenAI's `usage` for the core's. */
export function usageOf(u: Usage): {
  prompt_tokens: number;
  completion_tokens: number;
  total_tokens: number;
} {
  const prompt = u.inputTokens ?? 0;
  const completion = u.outputTokens ?? 0;
  return {
    prompt_tokens: prompt,
    completion_tokens: completion,
    total_tokens: u.totalTokens ?? prompt + completion,
  };
}

/** A fresh `chatcmpl-…` id. */
export function completionId(): string {
  return `chatcmpl-${randomBytes(12).toString('base64url')}`;
}

/** Builds the chunks of one streamed completion. */
export class ChunkWriter {
  readonly id = completionId();
  readonly created = Math.floor(Date.now() / 1000);

  constructor(
    readonly model: string,
    private readonly includeUsage: boolean,
  ) {}

  /** One `chat.completion.chunk`. */
  chunk(delta: Record<string, unknown>, finishReason: string | null = null): Record<string, unknown> {
    const c: Record<string, unknown> = {
      id: this.id,
      object: 'chat.completion.chunk',
      created: this.created,
      model: this.model,
      choices: [{ index: 0, delta, logprobs: null, finish_reason: finishReason }],
    };
    if (this.includeUsage) c.usage = null;
    return c;
  }

  /** The last chunk when `stream_options.include_usage` is set: no choices, the usage. */
  usageChunk(u: Usage): Record<string, unknown> {
    return {
      id: this.id,
      object: 'chat.completion.chunk',
      created: this.created,
      model: this.model,
      choices: [],
      usage: usageOf(u),
    };
  }
}

/** A whole `chat.completion`. */
export function completionObject(
  model: string,
  text: string,
  reasoning: string,
  finishReason: string,
  usage: Usage,
): Record<string, unknown> {
  const message: Record<string, unknown> = { role: 'assistant', content: text, refusal: null };
  if (reasoning) message.reasoning_content = reasoning;
  return {
    id: completionId(),
    object: 'chat.completion',
    created: Math.floor(Date.now() / 1000),
    model,
    choices: [{ index: 0, message, logprobs: null, finish_reason: finishReason }],
    usage: usageOf(usage),
  };
}
