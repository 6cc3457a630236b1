import { afterEach, describe, expect, it } from 'vitest';
import { clearSecrets, maskKey, redact, registerSecret } from './secrets.js';
import { ProviderError, describeError } from './errors.js';

afterEach(() => clearSecrets());

describe('redact', () => {
  it('removes well-known key shapes, bearer tokens and Authorization headers', () => {
    const samples = [
      'key sk-ant-api03-abcdefghijklmnop used',
      'key sk-proj-abcdefghijklmnop used',
      'google AIzaSyA-1234567890abcdefgh',
      'groq gsk_abcdefghijklmnop',
      'xai xai-abcdefghijklmnop',
      'Authorization: Bearer abc.def.ghi-123',
      '{"authorization":"Basic dXNlcjpwYXNz"}',
      'x-api-key: zzzzzzzzzzzz',
      'GET /ws?token=s3cr3tvalue&x=1',
    ];
    for (const s of samples) {
      const out = redact(s);
      expect(out).toContain('[REDACTED]');
      for (const secret of [
        'abcdefghijklmnop',
        'abc.def.ghi-123',
        'dXNlcjpwYXNz',
        'zzzzzzzzzzzz',
        's3cr3tvalue',
        '1234567890abcdefgh',
      ]) {
        expect(out).not.toContain(secret);
      }
    }
  });

  it('removes registered secrets of any shape', () => {
    registerSecret('plain-looking-value-42');
    expect(redact('it was plain-looking-value-42!')).toBe('it was [REDACTED]!');
  });

  it('leaves ordinary text alone', () => {
    const s = 'dropped 3 messages; 512 tokens: fine. ask-me later';
    expect(redact(s)).toBe(s);
  });

  it('is applied to error messages and causes', () => {
    registerSecret('my-fake-key-123456');
    const e = new ProviderError('auth', 'bad key my-fake-key-123456', { provider: 'openai', status: 401 });
    expect(e.message).not.toContain('my-fake-key-123456');
    const plain = new Error('boom', { cause: new Error('header Authorization: Bearer my-fake-key-123456') });
    expect(describeError(plain)).not.toContain('my-fake-key-123456');
  });

  it('masks keys for display', () => {
    expect(maskKey('sk-abcdef')).toBe('[REDACTED 9 chars]');
    expect(maskKey(undefined)).toBeUndefined();
  });
});
