/**
 * What each provider looks like on the wire: where its requests go, how it carries the key,
 * where the model id, system prompt and user message sit in its request body, its error
 * body, and the recorded stream (under ./fixtures) it answers with.
 *
 * The wire server stands in for the cloud APIs: no real cloud API can be reached from the
 * machines these tests run on.
 */
import { readFileSync } from 'node:fs';
import type { IncomingHttpHeaders } from 'node:http';
import { sseEvents } from '../helpers/wire-server.js';

/** The text every fixture streams, in five deltas. */
export const FIXTURE_TEXT = "Hello from parley's wire test.";
/** The usage every fixture reports. */
export const FIXTURE_USAGE = { inputTokens: 21, outputTokens: 7, totalTokens: 28 };

/** What a request body says, read the provider's way. */
export interface RequestParts {
  model: string | undefined;
  system: string | undefined;
  user: string | undefined;
}

/** One provider as the conformance suite exercises it. */
export interface ProviderCase {
  /** Name in the catalog. */
  provider: string;
  modelId: string;
  /** The fixture file name without `.sse`. */
  fixture: string;
  /** Path under the wire server that stands for the provider's base URL. */
  basePath: string;
  /** The path the provider must request for `modelId`. */
  streamPath: string;
  /** The header value that must carry `key`. */
  authHeader: (headers: IncomingHttpHeaders) => string | undefined;
  /** `key` as the auth header must show it. */
  authValue: (key: string) => string;
  /** Reads model id, system prompt and user message from a request. */
  read: (body: unknown, path: string) => RequestParts;
  /** An error body in the provider's documented format. */
  errorBody: (status: number, message: string) => object;
  /** How many recorded events carry exactly the text "Hello from". */
  partialEvents: number;
}

/** The first two deltas of every fixture. */
export const PARTIAL_TEXT = 'Hello from';

/** The recorded SSE events of a fixture. */
export function fixtureEvents(name: string): string[] {
  return sseEvents(readFileSync(new URL(`./fixtures/${name}.sse`, import.meta.url), 'utf8'));
}

type Json = Record<string, unknown>;
const obj = (v: unknown): Json => (typeof v === 'object' && v !== null ? (v as Json) : {});
const arr = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);
const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);

/** Text of a message `content` that is either a string or a list of text parts. */
function contentText(content: unknown): string | undefined {
  if (typeof content === 'string') return content;
  const parts = arr(content).map((p) => str(obj(p).text) ?? '');
  return parts.length > 0 ? parts.join('') : undefined;
}

/**
 * OpenAI chat completions and every API that copies it (Groq, Mistral, xAI, DeepSeek, Cohere v2).
 * OpenAI's reasoning models (gpt-5.x, o-series) take the system prompt as a `developer` message.
 */
function readChatMessages(body: unknown): RequestParts {
  const b = obj(body);
  const messages = arr(b.messages).map(obj);
  return {
    model: str(b.model),
    system: contentText(messages.find((m) => m.role === 'system' || m.role === 'developer')?.content),
    user: contentText(messages.find((m) => m.role === 'user')?.content),
  };
}

const bearer = (h: IncomingHttpHeaders): string | undefined => h.authorization;
const bearerValue = (key: string): string => `Bearer ${key}`;
const openAIError = (status: number, message: string): object => ({
  error: { message, type: status === 429 ? 'rate_limit_exceeded' : 'server_error', param: null, code: null },
});

function openAILike(
  provider: string,
  modelId: string,
  fixture: string,
  overrides: Partial<ProviderCase> = {},
): ProviderCase {
  return {
    provider,
    modelId,
    fixture,
    basePath: '/v1',
    streamPath: '/v1/chat/completions',
    authHeader: bearer,
    authValue: bearerValue,
    read: readChatMessages,
    errorBody: openAIError,
    partialEvents: 3,
    ...overrides,
  };
}

/** Every provider in the catalog, as the conformance suite runs it. */
export const PROVIDER_CASES: readonly ProviderCase[] = [
  openAILike('openai', 'gpt-5.4-mini', 'openai'),
  {
    provider: 'anthropic',
    modelId: 'claude-sonnet-4-6',
    fixture: 'anthropic',
    basePath: '/v1',
    streamPath: '/v1/messages',
    authHeader: (h) => str(h['x-api-key']),
    authValue: (k) => k,
    read: (body) => {
      const b = obj(body);
      return {
        model: str(b.model),
        system: contentText(b.system),
        user: contentText(obj(arr(b.messages)[0]).content),
      };
    },
    errorBody: (status, message) => ({
      type: 'error',
      error: { type: status === 429 ? 'rate_limit_error' : 'api_error', message },
    }),
    partialEvents: 5,
  },
  {
    provider: 'google',
    modelId: 'gemini-2.5-flash',
    fixture: 'google',
    basePath: '/v1beta',
    streamPath: '/v1beta/models/gemini-2.5-flash:streamGenerateContent?alt=sse',
    authHeader: (h) => str(h['x-goog-api-key']),
    authValue: (k) => k,
    read: (body, path) => {
      const b = obj(body);
      return {
        // Gemini names the model in the URL, not in the body.
        model: /\/models\/([^:/?]+):/.exec(path)?.[1],
        system: contentText(obj(b.systemInstruction).parts),
        user: contentText(obj(arr(b.contents)[0]).parts),
      };
    },
    errorBody: (status, message) => ({
      error: { code: status, message, status: status === 429 ? 'RESOURCE_EXHAUSTED' : 'INTERNAL' },
    }),
    partialEvents: 2,
  },
  openAILike('groq', 'llama-3.3-70b-versatile', 'groq', {
    basePath: '/openai/v1',
    streamPath: '/openai/v1/chat/completions',
  }),
  {
    ...openAILike('cohere', 'command-a-03-2025', 'cohere'),
    basePath: '/v2',
    streamPath: '/v2/chat',
    errorBody: (_status, message) => ({ message }),
    partialEvents: 4,
  },
  openAILike('xai', 'grok-4.3', 'xai', {
    errorBody: (status, message) => ({
      code: status === 429 ? 'Too many requests' : 'Internal error',
      error: message,
    }),
  }),
  openAILike('deepseek', 'deepseek-v4-flash', 'deepseek', { basePath: '', streamPath: '/chat/completions' }),
  openAILike('mistral', 'mistral-small-latest', 'mistral', {
    errorBody: (status, message) => ({
      object: 'error',
      message,
      type: status === 429 ? 'rate_limited' : 'internal_server_error',
      param: null,
      code: String(status),
    }),
  }),
  openAILike('ollama', 'llama3.2', 'openai-compatible'),
  openAILike('lmstudio', 'qwen3-8b', 'openai-compatible'),
  openAILike('llamacpp', 'gguf-model', 'openai-compatible'),
  openAILike('vllm', 'Qwen/Qwen3-8B', 'openai-compatible'),
  openAILike('openai-compatible', 'any-model', 'openai-compatible', {
    basePath: '/api/v1',
    streamPath: '/api/v1/chat/completions',
  }),
];
