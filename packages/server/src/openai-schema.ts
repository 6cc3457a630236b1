/**
 * The body of `POST /v1/chat/completions`, validated with zod. Fields OpenAI defines that
 * parley cannot honour are refused by name; unknown fields are ignored, as most
 * OpenAI-compatible servers do.
 */
import * as z from 'zod';
import { HttpError } from './http-errors.js';

const TextPart = z.object({ type: z.literal('text'), text: z.string() });
const ImageUrlPart = z.object({
  type: z.literal('image_url'),
  image_url: z.union([
    z.string(),
    z.object({ url: z.string(), detail: z.enum(['auto', 'low', 'high']).optional() }),
  ]),
});
const ContentPart = z.discriminatedUnion('type', [TextPart, ImageUrlPart], {
  error: 'content parts are {type:"text", text} or {type:"image_url", image_url:{url}}',
});

const Message = z.object({
  role: z.enum(['system', 'developer', 'user', 'assistant'], {
    error: 'role must be system, developer, user or assistant (tool messages are not supported)',
  }),
  content: z.union([z.string(), z.array(ContentPart)]).nullish(),
  name: z.string().optional(),
});

/** A validated chat completions request. */
export const ChatCompletionBody = z.object({
  model: z.string().min(1, 'must not be empty').max(512),
  messages: z.array(Message).min(1, 'needs at least one message').max(10_000),
  stream: z.boolean().nullish(),
  stream_options: z.object({ include_usage: z.boolean().nullish() }).nullish(),
  temperature: z.number().min(0).max(2).nullish(),
  top_p: z.number().min(0).max(1).nullish(),
  max_tokens: z.number().int().positive().nullish(),
  max_completion_tokens: z.number().int().positive().nullish(),
  seed: z.number().int().nullish(),
  /** Any effort but `none` turns thinking mode on (the reasoning comes back as `reasoning_content`). */
  reasoning_effort: z.enum(['none', 'minimal', 'low', 'medium', 'high', 'xhigh']).nullish(),
  n: z.literal(1, { error: 'only n=1 is supported' }).nullish(),
  stop: z.union([z.string(), z.array(z.string().min(1)).max(4)]).nullish(),
  tools: z.array(z.unknown()).max(0, 'tools are not supported yet').nullish(),
  response_format: z
    .object({ type: z.literal('text', { error: 'only {type:"text"} is supported' }) })
    .nullish(),
});

/** A validated request body. */
export type ChatCompletionBody = z.infer<typeof ChatCompletionBody>;
/** One message of `messages`. */
export type ChatCompletionMessage = z.infer<typeof Message>;

/** `messages[0].content` from a zod path. */
export function formatPath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const p of path) {
    if (typeof p === 'number') out += `[${p}]`;
    else out += out ? `.${String(p)}` : String(p);
  }
  return out;
}

/**
 * Validate a request body.
 *
 * @throws HttpError 400 naming the first bad field as `param`
 */
export function parseChatCompletionBody(body: unknown): ChatCompletionBody {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw new HttpError(400, 'the request body must be a JSON object', { code: 'invalid_request' });
  }
  const r = ChatCompletionBody.safeParse(body);
  if (r.success) return r.data;
  const issue = r.error.issues[0];
  const param = issue ? formatPath(issue.path) : '';
  const message = issue?.message ?? 'invalid request';
  throw new HttpError(400, param ? `${param}: ${message}` : message, {
    param: param || null,
    code: 'invalid_request',
  });
}
