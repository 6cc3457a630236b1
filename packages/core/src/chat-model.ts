/**
 * The `ChatModel` contract, version 1. Every model parley talks to (the local engine, each
 * cloud provider, each local server) implements this and nothing more.
 *
 * Rules for implementations:
 * - `stream()` never throws after it returns; failures are an `error` event.
 * - A model's stream ends with exactly one terminal event: `done`, `error` or `interrupted`.
 * - When `signal` aborts, upstream work (the HTTP request, llama.cpp generation) stops and
 *   the stream ends with `interrupted` carrying the partial text.
 */
import type { AttachmentInfo } from './documents/attach.js';
import type { ChatEvent } from './events.js';

export const CHAT_MODEL_SPEC_VERSION = 'v1' as const;

export interface TextPart {
  type: 'text';
  text: string;
  /** Set when the text carries an attached file (between its delimiters): what was given of it. */
  attachment?: AttachmentInfo | undefined;
}
export interface ImagePart {
  type: 'image';
  /** Raw image bytes. */
  data: Uint8Array;
  /** e.g. `image/png`. */
  mediaType: string;
}
export type MessagePart = TextPart | ImagePart;

export interface ChatMessage {
  role: 'user' | 'assistant';
  content: MessagePart[];
}

/** A tool call the model made. */
export interface ToolCallPart {
  type: 'tool-call';
  id: string;
  name: string;
  args: unknown;
}
/** What a tool answered, as the model reads it. */
export interface ToolResultPart {
  type: 'tool-result';
  id: string;
  name: string;
  /** The text the model reads. */
  output: string;
  isError?: boolean | undefined;
}
/**
 * One finished step of a tool-calling turn: what the model said and called, and what the
 * tools answered. Sent after `messages`, in order, so the model goes on from there.
 */
export interface ToolStep {
  text: string;
  calls: ToolCallPart[];
  results: ToolResultPart[];
}

/** A tool the model may call: its input as a JSON schema (an object schema). */
export interface ToolDefinition {
  name: string;
  description: string;
  inputSchema: Record<string, unknown>;
}

export interface ChatRequest {
  system?: string | undefined;
  messages: ChatMessage[];
  temperature?: number | undefined;
  maxTokens?: number | undefined;
  topP?: number | undefined;
  seed?: number | undefined;
  /** Tools the model may call; a model that cannot call tools ignores them. */
  tools?: ToolDefinition[] | undefined;
  /** The steps of the tool-calling turn so far (after `messages`). */
  toolSteps?: ToolStep[] | undefined;
  /**
   * Thinking mode: turn on the provider's reasoning options, so the model's reasoning streams
   * as `reasoning-delta` apart from the answer (docs/providers.md#thinking-mode).
   */
  think?: boolean | undefined;
}

export interface ModelCapabilities {
  /** Accepts image parts. */
  images: boolean;
  /** Context window in tokens, when known. */
  contextWindow?: number | undefined;
}

export interface ChatModel {
  readonly specificationVersion: typeof CHAT_MODEL_SPEC_VERSION;
  /** Provider name, e.g. `local`, `openai`, `ollama`. */
  readonly provider: string;
  /** Model id within the provider. */
  readonly modelId: string;
  readonly capabilities: ModelCapabilities;
  stream(request: ChatRequest, signal?: AbortSignal): AsyncIterable<ChatEvent>;
  /** Counts tokens exactly when the model can; otherwise callers estimate. */
  countTokens?(text: string): Promise<number>;
  /** The context window once the model is ready (the local engine learns it on load). */
  resolveContextWindow?(): Promise<number | undefined>;
  dispose?(): Promise<void>;
}

/** `provider:model` label of a model. */
export function modelLabel(m: Pick<ChatModel, 'provider' | 'modelId'>): string {
  return `${m.provider}:${m.modelId}`;
}

/** Plain text of a message (image parts left out). */
export function messageText(m: ChatMessage): string {
  return m.content
    .filter((p): p is TextPart => p.type === 'text')
    .map((p) => p.text)
    .join('');
}

export function userText(text: string): ChatMessage {
  return { role: 'user', content: [{ type: 'text', text }] };
}
