/**
 * The provider catalog: names, key variables, defaults and key-shape inference. Pure data;
 * the wire-level behaviour of each provider is in providers.conformance.test.ts (where a
 * local HTTP server stands in for the cloud APIs, which cannot be reached from here).
 */
import { describe, expect, test } from 'vitest';
import {
  PROVIDERS,
  getProviderSpec,
  inferProviderFromKey,
  isProviderName,
  providerNames,
} from '../../packages/core/src/providers/catalog.js';

describe('inferProviderFromKey', () => {
  test('sk-ant- is anthropic even though it also starts with sk-', () => {
    expect(inferProviderFromKey('sk-ant-api03-abcdefghijklmnop')).toBe('anthropic');
    expect(inferProviderFromKey('sk-proj-abcdefghijklmnop')).toBe('openai');
    expect(inferProviderFromKey('sk-abcdefghijklmnop')).toBe('openai');
  });

  test('knows google, groq and xai key shapes, and nothing else', () => {
    expect(inferProviderFromKey('AIzaSyA-1234567890abcdef')).toBe('google');
    expect(inferProviderFromKey('gsk_abcdefghijklmnop')).toBe('groq');
    expect(inferProviderFromKey('xai-abcdefghijklmnop')).toBe('xai');
    expect(inferProviderFromKey('  sk-ant-padded  ')).toBe('anthropic');
    expect(inferProviderFromKey('mistral-looking-key')).toBeUndefined();
    expect(inferProviderFromKey('')).toBeUndefined();
    expect(inferProviderFromKey('SK-upper')).toBeUndefined();
  });
});

describe('PROVIDERS', () => {
  test('lists every cloud provider, local preset and openai-compatible', () => {
    expect(providerNames()).toEqual([
      'openai',
      'anthropic',
      'google',
      'groq',
      'cohere',
      'xai',
      'deepseek',
      'mistral',
      'ollama',
      'lmstudio',
      'llamacpp',
      'vllm',
      'openai-compatible',
    ]);
    for (const name of providerNames()) expect(PROVIDERS[name]?.name).toBe(name);
  });

  test('cloud providers need a key from their documented variables', () => {
    const env = Object.fromEntries(providerNames().map((n) => [n, PROVIDERS[n]?.envKeys]));
    expect(env).toMatchObject({
      openai: ['OPENAI_API_KEY'],
      anthropic: ['ANTHROPIC_API_KEY'],
      google: ['GEMINI_API_KEY', 'GOOGLE_GENERATIVE_AI_API_KEY'],
      groq: ['GROQ_API_KEY'],
      cohere: ['COHERE_API_KEY'],
      xai: ['XAI_API_KEY'],
      deepseek: ['DEEPSEEK_API_KEY'],
      mistral: ['MISTRAL_API_KEY'],
    });
    for (const n of ['openai', 'anthropic', 'google', 'groq', 'cohere', 'xai', 'deepseek', 'mistral']) {
      expect(PROVIDERS[n]).toMatchObject({ requiresKey: true, local: false });
      expect(PROVIDERS[n]?.defaultModel).toMatch(/\S/);
      expect(PROVIDERS[n]?.baseURL).toMatch(/^https:\/\//);
    }
  });

  test('local servers need no key and default to their usual ports', () => {
    expect(PROVIDERS.ollama).toMatchObject({
      baseURL: 'http://localhost:11434/v1',
      requiresKey: false,
      local: true,
    });
    expect(PROVIDERS.lmstudio).toMatchObject({ baseURL: 'http://localhost:1234/v1', requiresKey: false });
    expect(PROVIDERS.llamacpp).toMatchObject({ baseURL: 'http://localhost:8080/v1', requiresKey: false });
    expect(PROVIDERS.vllm).toMatchObject({ baseURL: 'http://localhost:8000/v1', requiresKey: false });
    expect(PROVIDERS['openai-compatible']).toMatchObject({ baseURL: undefined, requiresKey: false });
    for (const n of ['ollama', 'lmstudio', 'llamacpp', 'vllm', 'openai-compatible']) {
      expect(PROVIDERS[n]?.kind).toBe('openai-compatible');
      expect(PROVIDERS[n]?.envKeys).toEqual([]);
    }
  });

  test('image support is recorded for the providers whose main models take images', () => {
    expect(PROVIDERS.openai?.images).toBe(true);
    expect(PROVIDERS.anthropic?.images).toBe(true);
    expect(PROVIDERS.google?.images).toBe(true);
    expect(PROVIDERS.deepseek?.images).toBe(false);
  });

  test('indexing with user input finds no inherited members', () => {
    expect(PROVIDERS['toString']).toBeUndefined();
    expect(PROVIDERS['__proto__']).toBeUndefined();
    expect(getProviderSpec('constructor')).toBeUndefined();
    expect(isProviderName('hasOwnProperty')).toBe(false);
    expect(getProviderSpec('groq')?.baseURL).toBe('https://api.groq.com/openai/v1');
    expect(Object.isFrozen(PROVIDERS)).toBe(true);
  });
});
