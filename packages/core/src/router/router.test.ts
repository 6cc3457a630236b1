import { describe, expect, it } from 'vitest';
import { UsageError } from '../errors.js';
import { DEFAULT_INTENT, DEFAULT_INTENTS } from './default-intents.js';
import type { Embedding } from './embedding.js';
import type { Encoder } from './encoder.js';
import { LexicalEncoder } from './lexical-encoder.js';
import { Router } from './router.js';
import { defaultStrategy, slashCommand } from './strategies.js';
import type { Intent, RouteStrategy } from './types.js';

const intent = (name: string, examples: string[], extra: Partial<Intent> = {}): Intent => ({
  name,
  examples,
  target: { handler: name },
  commands: [],
  onImage: false,
  ...extra,
});

const INTENTS: Intent[] = [
  intent('chat', ['hello there', 'how are you'], { commands: ['chat'] }),
  intent('code', ['write a python function', 'fix this javascript bug'], { commands: ['code'] }),
  intent('vision', ['what is in this picture'], { onImage: true }),
];

/** Counts the texts it is asked to embed, and can be held until released. */
class CountingEncoder implements Encoder {
  readonly name = 'counting';
  readonly defaultThreshold = 0.1;
  readonly inner = new LexicalEncoder();
  calls: string[][] = [];
  gate: Promise<void> | undefined;
  fit(corpus: readonly string[]): void {
    this.inner.fit(corpus);
  }
  async embed(texts: readonly string[]): Promise<Embedding[]> {
    this.calls.push([...texts]);
    await this.gate;
    return this.inner.embed(texts);
  }
}

describe('the strategy chain', () => {
  const router = () => new Router({ intents: INTENTS, defaultIntent: 'chat', encoder: new LexicalEncoder() });

  it('an explicit intent wins over everything', async () => {
    const d = await router().route({
      text: '/code write a python function',
      hasImage: true,
      intent: 'vision',
    });
    expect(d).toMatchObject({ intent: 'vision', strategy: 'override', scores: [] });
  });

  it('an unknown explicit intent is a usage error naming the intents', async () => {
    await expect(router().route({ text: 'hi', intent: 'nope' })).rejects.toThrow(UsageError);
    await expect(router().route({ text: 'hi', intent: 'nope' })).rejects.toThrow(/chat, code, vision/);
  });

  it('a slash command an intent declares decides, before the image rule', async () => {
    const d = await router().route({ text: '/CODE  what is in this picture', hasImage: true });
    expect(d).toMatchObject({ intent: 'code', strategy: 'rule', reason: 'slash command /code' });
  });

  it('an attached image goes to the on_image intent', async () => {
    const d = await router().route({ text: 'write a python function', hasImage: true });
    expect(d).toMatchObject({ intent: 'vision', strategy: 'rule', reason: 'image attached' });
  });

  it('an unknown slash command falls through to the embeddings', async () => {
    const d = await router().route({ text: '/frobnicate write a python function' });
    expect(d).toMatchObject({ intent: 'code', strategy: 'embedding', encoder: 'lexical' });
  });

  it('embeddings decide above the threshold, with every score best first', async () => {
    const d = await router().route({ text: 'please write me a python function' });
    expect(d.strategy).toBe('embedding');
    expect(d.intent).toBe('code');
    expect(d.target).toEqual({ handler: 'code' });
    expect(d.scores.map((s) => s.intent).sort()).toEqual(['chat', 'code', 'vision']);
    const values = d.scores.map((s) => s.score);
    expect(values).toEqual([...values].sort((a, b) => b - a));
  });

  it('below every threshold, the default decides and still reports the scores', async () => {
    const strict = INTENTS.map((i) => ({ ...i, threshold: 0.99 }));
    const r = new Router({ intents: strict, defaultIntent: 'chat', encoder: new LexicalEncoder() });
    const d = await r.route({ text: 'write a python function please' });
    expect(d).toMatchObject({ intent: 'chat', strategy: 'default' });
    expect(d.scores[0]?.intent).toBe('code');
    expect(d.reason).toContain('best: code');
  });

  it('an empty text with no image goes to the default without embedding', async () => {
    const enc = new CountingEncoder();
    const r = new Router({ intents: INTENTS, defaultIntent: 'chat', encoder: enc });
    expect(await r.route({ text: '  ' })).toMatchObject({ intent: 'chat', strategy: 'default', scores: [] });
    expect(enc.calls).toEqual([]);
  });

  it('refuses a default intent that is not an intent, and no intents at all', () => {
    expect(() => new Router({ intents: INTENTS, defaultIntent: 'x', encoder: new LexicalEncoder() })).toThrow(
      /default intent "x"/,
    );
    expect(() => new Router({ intents: [], defaultIntent: 'x', encoder: new LexicalEncoder() })).toThrow(
      /no intents/,
    );
  });
});

describe('another chain', () => {
  it('runs the strategies given, in order, and the router fills in the target', async () => {
    const longText: RouteStrategy = {
      name: 'rule',
      decide: (input) =>
        Promise.resolve(input.text.length > 20 ? { intent: 'code', reason: 'long' } : undefined),
    };
    const r = new Router({
      intents: INTENTS,
      defaultIntent: 'chat',
      encoder: new LexicalEncoder(),
      strategies: () => [longText, defaultStrategy],
    });
    expect(await r.route({ text: 'what is in this picture, tell me' })).toMatchObject({
      intent: 'code',
      strategy: 'rule',
      reason: 'long',
      target: { handler: 'code' },
      scores: [],
    });
    expect(await r.route({ text: 'hi', hasImage: true })).toMatchObject({
      intent: 'chat',
      strategy: 'default',
    });
  });

  it('a chain that decides nothing, or decides an unknown intent, is an error', async () => {
    const none = new Router({
      intents: INTENTS,
      defaultIntent: 'chat',
      encoder: new LexicalEncoder(),
      strategies: () => [],
    });
    await expect(none.route({ text: 'x' })).rejects.toThrow(/no strategy decided/);
    const bad: RouteStrategy = {
      name: 'rule',
      decide: () => Promise.resolve({ intent: 'ghost', reason: '' }),
    };
    const wrong = new Router({
      intents: INTENTS,
      defaultIntent: 'chat',
      encoder: new LexicalEncoder(),
      strategies: () => [bad],
    });
    await expect(wrong.route({ text: 'x' })).rejects.toThrow(/unknown intent "ghost"/);
  });
});

describe('the decision cache', () => {
  it('embeds the examples once and a repeated query not at all', async () => {
    const enc = new CountingEncoder();
    const r = new Router({ intents: INTENTS, defaultIntent: 'chat', encoder: enc });
    const a = await r.route({ text: 'fix my javascript bug' });
    const b = await r.route({ text: '  fix my   javascript bug ' });
    expect(a.cached).toBeUndefined();
    expect(b).toEqual({ ...a, cached: true });
    expect(enc.calls).toHaveLength(2); // the examples, then the one query
    // The image flag is part of the key.
    expect((await r.route({ text: 'fix my javascript bug', hasImage: true })).intent).toBe('vision');
  });

  it('merges concurrent routes of one query into one run', async () => {
    const enc = new CountingEncoder();
    let release!: () => void;
    enc.gate = new Promise((r) => (release = r));
    const r = new Router({ intents: INTENTS, defaultIntent: 'chat', encoder: enc });
    const all = Promise.all([1, 2, 3].map(() => r.route({ text: 'how are you' })));
    await new Promise((res) => setTimeout(res, 10));
    release();
    const ds = await all;
    expect(new Set(ds.map((d) => d.intent))).toEqual(new Set(['chat']));
    expect(enc.calls).toHaveLength(2);
  });

  it('a caller that aborts gets an abort; the others still get the decision', async () => {
    const enc = new CountingEncoder();
    let release!: () => void;
    enc.gate = new Promise((r) => (release = r));
    const r = new Router({ intents: INTENTS, defaultIntent: 'chat', encoder: enc });
    const ctl = new AbortController();
    const gone = r.route({ text: 'how are you' }, ctl.signal);
    const stays = r.route({ text: 'how are you' });
    ctl.abort(new Error('user left'));
    await expect(gone).rejects.toThrow('user left');
    release();
    expect((await stays).intent).toBe('chat');
  });

  it('cache_size 0 keeps nothing', async () => {
    const enc = new CountingEncoder();
    const r = new Router({ intents: INTENTS, defaultIntent: 'chat', encoder: enc, cacheSize: 0 });
    await r.route({ text: 'how are you' });
    const again = await r.route({ text: 'how are you' });
    expect(again.cached).toBeUndefined();
    expect(enc.calls).toHaveLength(3);
  });
});

describe('slash commands', () => {
  it('reads the command word at the start only', () => {
    expect(slashCommand('/code x')).toBe('code');
    expect(slashCommand('  /Think')).toBe('think');
    expect(slashCommand('/tl-dr please')).toBe('tl-dr');
    expect(slashCommand('a /code b')).toBeUndefined();
    expect(slashCommand('/usr/bin/env is a path')).toBeUndefined();
    expect(slashCommand('//')).toBeUndefined();
  });
});

describe('the default intents', () => {
  it('are the seven of the issue, with chit-chat the default and distinct commands', () => {
    expect(DEFAULT_INTENTS.map((i) => i.name)).toEqual([
      'chit-chat',
      'code',
      'image-generation',
      'image-analysis',
      'web-search',
      'deep-thinking',
      'summarise',
    ]);
    expect(DEFAULT_INTENT).toBe('chit-chat');
    const commands = DEFAULT_INTENTS.flatMap((i) => i.commands);
    expect(new Set(commands).size).toBe(commands.length);
    expect(DEFAULT_INTENTS.filter((i) => i.onImage).map((i) => i.name)).toEqual(['image-analysis']);
    for (const i of DEFAULT_INTENTS) expect(i.examples.length).toBeGreaterThanOrEqual(40);
  });

  it('route each intent by its slash command', async () => {
    const r = new Router({
      intents: DEFAULT_INTENTS,
      defaultIntent: DEFAULT_INTENT,
      encoder: new LexicalEncoder(),
    });
    for (const i of DEFAULT_INTENTS) {
      for (const c of i.commands) expect((await r.route({ text: `/${c} something` })).intent).toBe(i.name);
    }
  });
});
