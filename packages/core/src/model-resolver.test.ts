import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { DEFAULTS, type ParleyConfig } from './config/schema.js';
import { UsageError } from './errors.js';
import { defaultModelName, parseModelName } from './model-resolver.js';

const cfg = (over: Partial<ParleyConfig> = {}): ParleyConfig => ({ ...DEFAULTS, ...over }) as ParleyConfig;

describe('parseModelName', () => {
  it('classifies provider:model, provider alone, local names and paths', () => {
    expect(parseModelName('groq:llama-3.3-70b-versatile', cfg())).toEqual({
      kind: 'provider',
      provider: 'groq',
      modelId: 'llama-3.3-70b-versatile',
    });
    expect(parseModelName('anthropic', cfg())).toMatchObject({ kind: 'provider', provider: 'anthropic' });
    expect(parseModelName('local', cfg())).toEqual({ kind: 'local', path: undefined, name: '' });
    expect(parseModelName('local:qwen', cfg())).toEqual({ kind: 'local', path: undefined, name: 'qwen' });
    expect(parseModelName('local:/m/a.gguf', cfg())).toEqual({ kind: 'local', path: '/m/a.gguf', name: 'a' });
    expect(parseModelName('./b.gguf', cfg())).toEqual({
      kind: 'local',
      path: path.resolve('b.gguf'),
      name: 'b',
    });
    expect(parseModelName('ollama:qwen2.5:7b', cfg())).toEqual({
      kind: 'provider',
      provider: 'ollama',
      modelId: 'qwen2.5:7b',
    });
  });

  it('follows aliases and refuses loops', () => {
    const c = cfg({ aliases: { fast: 'quick', quick: 'groq:llama-3.1-8b-instant', a: 'b', b: 'a' } });
    expect(parseModelName('fast', c)).toMatchObject({ provider: 'groq', modelId: 'llama-3.1-8b-instant' });
    expect(() => parseModelName('a', c)).toThrow(/alias loop/);
  });

  it('names the unknown provider and lists known ones', () => {
    expect(() => parseModelName('nosuch:model', cfg())).toThrow(UsageError);
    expect(() => parseModelName('nosuch:model', cfg())).toThrow(/unknown provider "nosuch".*openai/);
  });

  it('asks for a model id where a server has no default', () => {
    expect(() => parseModelName('lmstudio', cfg())).toThrow(/lmstudio:MODEL/);
  });
});

describe('defaultModelName', () => {
  it('is local when nothing is configured, even with keys in the environment', () => {
    expect(defaultModelName(cfg())).toBe('local');
  });
  it('infers the provider from a key given without one', () => {
    expect(defaultModelName(cfg({ api_key: 'sk-ant-xyz123456' }))).toMatch(/^anthropic:/);
    expect(defaultModelName(cfg({ api_key: 'sk-xyz123456' }))).toMatch(/^openai:/);
    expect(defaultModelName(cfg({ api_key: 'gsk_abc123456' }))).toMatch(/^groq:/);
  });
  it('prefers the configured model', () => {
    expect(defaultModelName(cfg({ model: 'fast', api_key: 'sk-xyz123456' }))).toBe('fast');
  });
});
