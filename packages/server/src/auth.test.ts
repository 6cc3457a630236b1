import { describe, expect, it } from 'vitest';
import { isLoopbackHost, originAllowed, tokensEqual } from './auth.js';

describe('isLoopbackHost', () => {
  it.each([
    '127.0.0.1',
    '127.1.2.3',
    'localhost',
    'app.localhost',
    '::1',
    '[::1]',
    '::ffff:127.0.0.1',
    'LOCALHOST',
  ])('%s is loopback', (h) => expect(isLoopbackHost(h)).toBe(true));
  it.each(['0.0.0.0', '::', '192.168.0.2', '10.0.0.1', 'example.com', '127.0.0.1.nip.io', '128.0.0.1', ''])(
    '%s is not',
    (h) => expect(isLoopbackHost(h)).toBe(false),
  );
});

describe('tokensEqual', () => {
  it('compares whole tokens of any length', () => {
    expect(tokensEqual('secret-token', 'secret-token')).toBe(true);
    expect(tokensEqual('secret-token', 'secret-tokem')).toBe(false);
    expect(tokensEqual('secret', 'secret-token')).toBe(false);
    expect(tokensEqual('', 'secret-token')).toBe(false);
  });
});

describe('originAllowed', () => {
  it('allows the same origin (http or https), configured origins and *', () => {
    expect(originAllowed('http://127.0.0.1:8787', '127.0.0.1:8787', [])).toBe(true);
    expect(originAllowed('https://127.0.0.1:8787', '127.0.0.1:8787', [])).toBe(true);
    expect(originAllowed('http://127.0.0.1:9999', '127.0.0.1:8787', [])).toBe(false);
    expect(originAllowed('http://ui.example/', 'h:1', ['http://UI.example'])).toBe(true);
    expect(originAllowed('http://evil.example', 'h:1', ['http://ui.example'])).toBe(false);
    expect(originAllowed('null', 'h:1', [])).toBe(false);
    expect(originAllowed('http://any.example', undefined, ['*'])).toBe(true);
  });
});
