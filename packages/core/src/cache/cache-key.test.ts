import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { ChatRequest } from '../chat-model.js';
import { cacheKey, canonicalJson, isDeterministic } from './cache-key.js';

const model = { provider: 'local', modelId: 'stories', identity: '/models/stories.gguf' };

function request(): ChatRequest {
  return {
    system: 'Be brief.',
    messages: [
      { role: 'user', content: [{ type: 'text', text: 'hello' }] },
      { role: 'assistant', content: [{ type: 'text', text: 'hi' }] },
      {
        role: 'user',
        content: [
          { type: 'text', text: 'what is this?' },
          { type: 'image', data: new Uint8Array([1, 2, 3, 4]), mediaType: 'image/png' },
        ],
      },
    ],
    temperature: 0,
    maxTokens: 64,
    topP: 0.9,
    seed: 7,
  };
}

/** The same value with every object's keys in reverse order. */
function reversedKeys(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(reversedKeys);
  if (v instanceof Uint8Array || typeof v !== 'object' || v === null) return v;
  return Object.fromEntries(
    Object.entries(v)
      .reverse()
      .map(([k, x]) => [k, reversedKeys(x)]),
  );
}

describe('canonicalJson', () => {
  it('sorts keys at every level and leaves undefined out', () => {
    expect(canonicalJson({ b: 1, a: { d: [3, { f: 1, e: 2 }], c: undefined } })).toBe(
      '{"a":{"d":[3,{"e":2,"f":1}]},"b":1}',
    );
  });

  it('hashes bytes instead of spelling them out, and keeps odd numbers apart from null', () => {
    const j = canonicalJson({ data: new Uint8Array(1000).fill(7) });
    expect(j).toMatch(/^\{"data":\{"\$bytes":"[0-9a-f]{64}","length":1000\}\}$/);
    expect(canonicalJson(NaN)).not.toBe(canonicalJson(null));
    expect(canonicalJson(Infinity)).not.toBe(canonicalJson(-Infinity));
  });

  it('refuses input nested too deep (a cycle) instead of overflowing the stack', () => {
    const loop: Record<string, unknown> = {};
    loop.self = loop;
    expect(() => canonicalJson(loop)).toThrow(/nested deeper/);
  });

  it('is the same for any key order (property)', () => {
    fc.assert(
      fc.property(fc.jsonValue(), (v) => {
        expect(canonicalJson(reversedKeys(v))).toBe(canonicalJson(v));
      }),
    );
  });
});

describe('cacheKey', () => {
  it('is a SHA-256 in hex, the same for the same request in another key order', () => {
    const k = cacheKey(model, request());
    expect(k).toMatch(/^[0-9a-f]{64}$/);
    expect(
      cacheKey(
        { identity: model.identity, modelId: 'stories', provider: 'local' },
        reversedKeys(request()) as ChatRequest,
      ),
    ).toBe(k);
  });

  it('treats an undefined field as absent', () => {
    const r = request();
    expect(cacheKey(model, { ...r, stop: undefined } as ChatRequest)).toBe(cacheKey(model, r));
  });

  it('changes with anything that changes the answer', () => {
    const k = cacheKey(model, request());
    const variants: [string, (r: ChatRequest) => void][] = [
      ['system', (r) => (r.system = 'Be long.')],
      ['no system', (r) => delete r.system],
      ['temperature', (r) => (r.temperature = 0.5)],
      ['maxTokens', (r) => (r.maxTokens = 65)],
      ['topP', (r) => (r.topP = 1)],
      ['seed', (r) => (r.seed = 8)],
      ['a word', (r) => ((r.messages[0]!.content[0] as { text: string }).text = 'hello!')],
      ['a role', (r) => (r.messages[1]!.role = 'user')],
      ['message order', (r) => r.messages.reverse()],
      ['one message fewer', (r) => r.messages.shift()],
      ['one image byte', (r) => ((r.messages[2]!.content[1] as { data: Uint8Array }).data[3] = 5)],
      ['image type', (r) => ((r.messages[2]!.content[1] as { mediaType: string }).mediaType = 'image/jpeg')],
      ['a field added later (tools)', (r) => Object.assign(r, { tools: [{ name: 'clock' }] })],
    ];
    const seen = new Set([k]);
    for (const [what, change] of variants) {
      const r = request();
      change(r);
      const k2 = cacheKey(model, r);
      expect(k2, what).not.toBe(k);
      seen.add(k2);
    }
    expect(seen.size).toBe(variants.length + 1);
  });

  it('changes with the model: provider, id, and its file or server', () => {
    const r = request();
    const k = cacheKey(model, r);
    expect(cacheKey({ ...model, provider: 'ollama' }, r)).not.toBe(k);
    expect(cacheKey({ ...model, modelId: 'stories2' }, r)).not.toBe(k);
    expect(cacheKey({ ...model, identity: '/other/stories.gguf' }, r)).not.toBe(k);
    expect(cacheKey({ provider: 'local', modelId: 'stories' }, r)).not.toBe(k);
  });

  it('differs for any two different prompts (property)', () => {
    fc.assert(
      fc.property(fc.string(), fc.string(), (a, b) => {
        fc.pre(a !== b);
        const req = (t: string): ChatRequest => ({
          messages: [{ role: 'user', content: [{ type: 'text', text: t }] }],
        });
        expect(cacheKey(model, req(a))).not.toBe(cacheKey(model, req(b)));
      }),
    );
  });
});

describe('isDeterministic', () => {
  it('is temperature 0, or no temperature on the local engine (greedy by default)', () => {
    const r = (temperature?: number): ChatRequest => ({ messages: [], temperature });
    expect(isDeterministic('openai', r(0))).toBe(true);
    expect(isDeterministic('openai', r())).toBe(false);
    expect(isDeterministic('openai', r(0.7))).toBe(false);
    expect(isDeterministic('local', r())).toBe(true);
    expect(isDeterministic('local', r(0.7))).toBe(false);
  });
});
