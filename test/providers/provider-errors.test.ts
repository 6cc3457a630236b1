/**
 * toProviderError and parseRetryAfter on the error shapes the AI SDK produces. The errors are
 * built here the way the AI SDK builds them; providers.conformance.test.ts checks the same
 * mapping on real wire failures (a local HTTP server standing in for the cloud APIs, which
 * cannot be reached from here).
 */
import { APICallError, JSONParseError, RetryError, TypeValidationError } from 'ai';
import { describe, expect, test } from 'vitest';
import { AuthError, ProviderError } from '../../packages/core/src/errors.js';
import { registerSecret } from '../../packages/core/src/secrets.js';
import { parseRetryAfter, toProviderError } from '../../packages/core/src/providers/ai-sdk-chat-model.js';

function apiError(
  statusCode: number | undefined,
  extra: Partial<ConstructorParameters<typeof APICallError>[0]> = {},
) {
  return new APICallError({
    message: 'upstream said no',
    url: 'https://api.example.test/v1/chat/completions',
    requestBodyValues: { model: 'm' },
    statusCode,
    ...extra,
  });
}

function withCode(message: string, code: string): Error {
  return Object.assign(new Error(message), { code });
}

describe('toProviderError', () => {
  test.each([401, 403])('HTTP %i is an AuthError that names the provider and status', (status) => {
    const e = toProviderError(apiError(status), 'groq');
    expect(e).toBeInstanceOf(AuthError);
    expect(e).toMatchObject({ code: 'auth', retryable: false, status, provider: 'groq' });
    expect(e.message).toContain('groq');
    expect(e.message).toContain(String(status));
  });

  test('HTTP 429 is rate_limited and retryable, with Retry-After in seconds', () => {
    const e = toProviderError(apiError(429, { responseHeaders: { 'retry-after': '2' } }), 'openai');
    expect(e).toMatchObject({ code: 'rate_limited', retryable: true, status: 429, retryAfterMs: 2000 });
    expect(e.toInfo()).toMatchObject({ code: 'rate_limited', provider: 'openai', status: 429 });
  });

  test('retry-after-ms wins over retry-after, and an HTTP date counts from now', () => {
    const ms = toProviderError(
      apiError(429, { responseHeaders: { 'retry-after-ms': '1500', 'retry-after': '9' } }),
      'openai',
    );
    expect(ms.retryAfterMs).toBe(1500);
    const date = new Date(Date.now() + 30_000).toUTCString();
    const d = toProviderError(apiError(429, { responseHeaders: { 'Retry-After': date } }), 'openai');
    expect(d.retryAfterMs).toBeGreaterThan(25_000);
    expect(d.retryAfterMs).toBeLessThanOrEqual(30_000);
    expect(toProviderError(apiError(429), 'openai').retryAfterMs).toBeUndefined();
  });

  test.each([500, 502, 503, 529])('HTTP %i is a retryable server_error', (status) => {
    expect(toProviderError(apiError(status), 'anthropic')).toMatchObject({
      code: 'server_error',
      retryable: true,
      status,
    });
  });

  test.each([400, 404, 413, 422])('HTTP %i is a non-retryable bad_request', (status) => {
    const e = toProviderError(apiError(status, { isRetryable: true }), 'mistral');
    expect(e).toMatchObject({ code: 'bad_request', retryable: false, status });
    expect(e.message).toMatch(/mistral.*\d{3}/);
  });

  test('connection failures are retryable network errors', () => {
    const refused = apiError(undefined, {
      message: 'Cannot connect to API: connect ECONNREFUSED 127.0.0.1:11434',
      cause: withCode('connect ECONNREFUSED 127.0.0.1:11434', 'ECONNREFUSED'),
      isRetryable: true,
    });
    expect(toProviderError(refused, 'ollama')).toMatchObject({ code: 'network', retryable: true });
    expect(toProviderError(refused, 'ollama').message).toContain('ECONNREFUSED');

    const midStream = apiError(200, {
      message: 'Failed to process successful response',
      cause: new TypeError('terminated', { cause: withCode('other side closed', 'UND_ERR_SOCKET') }),
    });
    expect(toProviderError(midStream, 'openai')).toMatchObject({ code: 'network', retryable: true });

    for (const e of [
      withCode('read ECONNRESET', 'ECONNRESET'),
      new TypeError('fetch failed'),
      new Error('socket hang up'),
      new TypeError('terminated'),
      new Error('SocketError: socket closed'),
    ]) {
      expect(toProviderError(e, 'xai')).toMatchObject({ code: 'network', retryable: true, provider: 'xai' });
    }
  });

  test('JSON and schema failures of the stream are malformed_response', () => {
    const json = new JSONParseError({ text: '{"broken', cause: new SyntaxError('Unexpected end') });
    expect(toProviderError(json, 'cohere')).toMatchObject({ code: 'malformed_response', retryable: false });
    const schema = new TypeValidationError({ value: { nope: 1 }, cause: new Error('invalid') });
    expect(toProviderError(schema, 'cohere').code).toBe('malformed_response');
  });

  test('error objects sent inside a stream keep their meaning', () => {
    expect(toProviderError({ type: 'overloaded_error', message: 'Overloaded' }, 'anthropic')).toMatchObject({
      code: 'server_error',
      retryable: true,
    });
    expect(toProviderError({ type: 'rate_limit_error', message: 'slow' }, 'anthropic').code).toBe(
      'rate_limited',
    );
    expect(toProviderError({ type: 'authentication_error', message: 'x' }, 'anthropic')).toBeInstanceOf(
      AuthError,
    );
    expect(toProviderError({ message: 'odd' }, 'x')).toMatchObject({ code: 'provider', retryable: false });
  });

  test('an error reported with a 2xx status is a provider error, retryable as the SDK says', () => {
    const e = toProviderError(apiError(200, { message: 'service unavailable', isRetryable: true }), 'xai');
    expect(e).toMatchObject({ code: 'provider', retryable: true, status: 200 });
    expect(e.message).toContain('xai (HTTP 200)');
  });

  test('a RetryError is judged by its last error; a ProviderError passes through', () => {
    const retry = new RetryError({
      message: 'Failed after 3 attempts',
      reason: 'maxRetriesExceeded',
      errors: [apiError(500), apiError(429)],
    });
    expect(toProviderError(retry, 'groq').code).toBe('rate_limited');
    const pe = new ProviderError('timeout', 'slow', { provider: 'groq' });
    expect(toProviderError(pe, 'other')).toBe(pe);
  });

  test('messages are sanitised: keys and Authorization headers never survive', () => {
    const key = 'custom-secret-value-8c1f2a';
    registerSecret(key);
    const e = toProviderError(
      apiError(401, { message: `Incorrect API key provided: ${key}. Authorization: Bearer ${key}` }),
      'openai',
    );
    expect(e.message).not.toContain(key);
    expect(e.message).toContain('[REDACTED]');
    const net = toProviderError(
      new Error(`socket hang up (x-api-key: sk-ant-api03-leakleakleak)`),
      'anthropic',
    );
    expect(net.message).not.toContain('leakleakleak');
  });
});

describe('parseRetryAfter', () => {
  test('reads seconds, fractional seconds, milliseconds and dates; rejects junk', () => {
    const now = Date.parse('2026-01-01T00:00:00Z');
    expect(parseRetryAfter({ 'retry-after': '2' }, now)).toBe(2000);
    expect(parseRetryAfter({ 'retry-after': '0.5' }, now)).toBe(500);
    expect(parseRetryAfter({ 'retry-after-ms': '250' }, now)).toBe(250);
    expect(parseRetryAfter({ 'retry-after': 'Thu, 01 Jan 2026 00:00:05 GMT' }, now)).toBe(5000);
    expect(parseRetryAfter({ 'retry-after': 'Wed, 31 Dec 2025 23:00:00 GMT' }, now)).toBe(0);
    expect(parseRetryAfter({ 'retry-after': 'soon' }, now)).toBeUndefined();
    expect(parseRetryAfter({ 'retry-after': '-3' }, now)).toBeUndefined();
    expect(parseRetryAfter(undefined, now)).toBeUndefined();
  });
});
