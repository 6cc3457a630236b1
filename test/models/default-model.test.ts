import { describe, expect, it } from 'vitest';
import { DEFAULT_LOCAL_MODEL, howToGetAModel } from '../../packages/core/src/models/default-model.js';
import { parseModelRef } from '../../packages/core/src/models/download.js';

describe('DEFAULT_LOCAL_MODEL', () => {
  it('is a valid hf ref whose quant is in its file name', () => {
    const ref = parseModelRef(DEFAULT_LOCAL_MODEL.ref);
    expect(ref).toMatchObject({
      kind: 'hf',
      org: 'Qwen',
      repo: 'Qwen2.5-1.5B-Instruct-GGUF',
      quant: 'Q4_K_M',
    });
    expect(DEFAULT_LOCAL_MODEL.file).toBe('qwen2.5-1.5b-instruct-q4_k_m.gguf');
    expect(DEFAULT_LOCAL_MODEL.file).toContain('q4_k_m');
    expect(DEFAULT_LOCAL_MODEL.licence).toBe('Apache-2.0');
    expect(DEFAULT_LOCAL_MODEL.approxBytes).toBeGreaterThan(500_000_000);
    expect(DEFAULT_LOCAL_MODEL.approxBytes).toBeLessThan(2_000_000_000);
  });
});

describe('howToGetAModel', () => {
  it('names the pull command, --model, PARLEY_MODEL and the models folder', () => {
    const text = howToGetAModel('/home/me/.local/share/parley/models');
    expect(text).toContain('parley models pull hf:Qwen/Qwen2.5-1.5B-Instruct-GGUF:Q4_K_M');
    expect(text).toContain('--model ./file.gguf');
    expect(text).toContain('PARLEY_MODEL=');
    expect(text).toContain('/home/me/.local/share/parley/models');
    expect(text).toContain('about 1.1 GB');
  });
});
