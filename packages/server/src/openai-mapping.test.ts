import { describe, expect, it } from 'vitest';
import { HttpError } from './http-errors.js';
import { decodeImageDataUrl, finishReasonFor, toChatRequest, usageOf } from './openai-mapping.js';
import { parseChatCompletionBody } from './openai-schema.js';

const body = (over: Record<string, unknown>) =>
  parseChatCompletionBody({ model: 'm', messages: [{ role: 'user', content: 'hi' }], ...over });

function httpError(fn: () => unknown): HttpError {
  try {
    fn();
  } catch (e) {
    if (e instanceof HttpError) return e;
    throw e;
  }
  throw new Error('expected an HttpError');
}

describe('toChatRequest', () => {
  it('joins system and developer messages into the system prompt, in order', () => {
    const r = toChatRequest(
      body({
        messages: [
          { role: 'system', content: 'A' },
          { role: 'user', content: 'q' },
          { role: 'developer', content: [{ type: 'text', text: 'B' }] },
        ],
      }),
      1000,
    );
    expect(r.system).toBe('A\n\nB');
    expect(r.messages).toEqual([{ role: 'user', content: [{ type: 'text', text: 'q' }] }]);
  });

  it('keeps assistant turns, drops empty ones (a tool-call turn has null content)', () => {
    const r = toChatRequest(
      body({
        messages: [
          { role: 'user', content: 'q1' },
          { role: 'assistant', content: null },
          { role: 'assistant', content: 'a1' },
          { role: 'user', content: 'q2' },
        ],
      }),
      1000,
    );
    expect(r.messages.map((m) => m.role)).toEqual(['user', 'assistant', 'user']);
  });

  it('maps the sampling fields; max_completion_tokens wins over max_tokens; top_p 0 is left to the model', () => {
    const r = toChatRequest(
      body({ temperature: 0.3, top_p: 0, seed: 9, max_tokens: 10, max_completion_tokens: 20 }),
      1000,
    );
    expect(r).toMatchObject({ temperature: 0.3, seed: 9, maxTokens: 20 });
    expect(r.topP).toBeUndefined();
  });

  it('reasoning_effort turns thinking mode on, except none', () => {
    expect(toChatRequest(body({ reasoning_effort: 'low' }), 1000).think).toBe(true);
    expect(toChatRequest(body({ reasoning_effort: 'none' }), 1000).think).toBe(false);
    expect(toChatRequest(body({}), 1000).think).toBeUndefined();
  });

  it('counts every character against max_input_chars', () => {
    const e = httpError(() =>
      toChatRequest(
        body({
          messages: [
            { role: 'system', content: 'x'.repeat(6) },
            { role: 'user', content: 'yyyyy' },
          ],
        }),
        10,
      ),
    );
    expect(e.status).toBe(400);
    expect(e.code).toBe('context_length_exceeded');
    expect(e.message).toMatch(/11 characters, over the limit of 10/);
  });

  it('refuses images in system and assistant messages, naming the part', () => {
    const png = 'data:image/png;base64,AAAA';
    const e = httpError(() =>
      toChatRequest(
        body({
          messages: [{ role: 'assistant', content: [{ type: 'image_url', image_url: { url: png } }] }],
        }),
        1000,
      ),
    );
    expect(e.param).toBe('messages[0].content[0]');
  });
});

describe('decodeImageDataUrl', () => {
  it('decodes base64 data URLs of the accepted types (jpg as jpeg)', () => {
    const bytes = Buffer.from([1, 2, 3]);
    const r = decodeImageDataUrl(`data:image/jpg;base64,${bytes.toString('base64')}`, 'p');
    expect(r.mediaType).toBe('image/jpeg');
    expect(Buffer.from(r.data)).toEqual(bytes);
  });

  it.each([
    ['https://example.com/a.png', /does not fetch URLs/],
    ['data:image/png,rawbytes', /base64 data: URL/],
    ['data:image/tiff;base64,AAAA', /image\/png, image\/jpeg, image\/gif, image\/webp; got image\/tiff/],
    ['data:image/png;base64,A', /not valid base64/],
    ['data:image/png;base64,', /not valid base64/],
    ['data:image/png;base64,AA$A', /not valid base64/],
  ])('refuses %s', (url, message) => {
    const e = httpError(() => decodeImageDataUrl(url, 'messages[0].content[1].image_url'));
    expect(e.status).toBe(400);
    expect(e.param).toBe('messages[0].content[1].image_url');
    expect(e.message).toMatch(message);
  });
});

describe('finish reasons and usage', () => {
  it("maps the core's finish reasons to OpenAI's", () => {
    expect(finishReasonFor('stop')).toBe('stop');
    expect(finishReasonFor('length')).toBe('length');
    expect(finishReasonFor('tool-calls')).toBe('tool_calls');
    expect(finishReasonFor('content-filter')).toBe('content_filter');
    expect(finishReasonFor('other')).toBe('stop');
  });

  it('fills missing counts with 0 and totals them', () => {
    expect(usageOf({ inputTokens: 3 })).toEqual({ prompt_tokens: 3, completion_tokens: 0, total_tokens: 3 });
    expect(usageOf({ inputTokens: 3, outputTokens: 4, totalTokens: 7 })).toEqual({
      prompt_tokens: 3,
      completion_tokens: 4,
      total_tokens: 7,
    });
  });
});
