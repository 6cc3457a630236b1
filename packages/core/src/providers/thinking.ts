/**
 * Thinking mode (`--think`): what each provider needs to send its model's reasoning, which
 * then streams as `reasoning-delta` apart from the answer.
 *
 * - Anthropic: extended thinking with a token budget (`thinking_delta` blocks).
 * - OpenAI: the Responses API with reasoning summaries (chat completions carry none).
 * - DeepSeek: thinking on (`reasoning_content`). Google: thoughts included. Cohere: thinking
 *   on. Groq: reasoning parsed apart from the answer.
 * - xAI and Mistral reasoning models stream their reasoning without asking; local servers
 *   write it in `<think>` blocks (see `think-tag-splitter.ts`).
 */
import type { SharedV3ProviderOptions } from '@ai-sdk/provider';
import type { ProviderSpec } from './catalog.js';

/** Tokens Anthropic may spend thinking (its minimum is 1,024), on top of `max_tokens`. */
export const THINKING_BUDGET_TOKENS = 4096;

/** The provider options that turn reasoning on for a provider, or undefined when none are needed. */
export function thinkingOptions(kind: ProviderSpec['kind']): SharedV3ProviderOptions | undefined {
  switch (kind) {
    case 'anthropic':
      return { anthropic: { thinking: { type: 'enabled', budgetTokens: THINKING_BUDGET_TOKENS } } };
    case 'openai':
      return { openai: { reasoningSummary: 'auto' } };
    case 'deepseek':
      return { deepseek: { thinking: { type: 'enabled' } } };
    case 'google':
      return { google: { thinkingConfig: { includeThoughts: true } } };
    case 'cohere':
      return { cohere: { thinking: { type: 'enabled' } } };
    case 'groq':
      return { groq: { reasoningFormat: 'parsed' } };
    default:
      return undefined;
  }
}
