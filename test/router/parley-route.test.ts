/** Routing as part of a turn: `createParley().stream()` and conversations, with canned models. */
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfigError, createParley, type ConfigLayer, type Parley } from '@parley/core';
import { tempHome } from '../helpers/cli.js';
import { collect } from '../providers/stream-helpers.js';

let home: string;
let cleanup: () => void;
beforeAll(() => ({ home, cleanup } = tempHome()));
afterAll(() => cleanup());

const open = (router: NonNullable<ConfigLayer['router']> = { enabled: true }): Parley =>
  createParley({
    env: { PARLEY_HOME: home },
    config: { model: 'canned:lorem', cache: { enabled: false }, store: { log: false }, router },
  });

async function turn(p: Parley, ...args: Parameters<Parley['stream']>) {
  try {
    return await collect(p.stream(...args));
  } finally {
    await p.dispose();
  }
}

describe('a routed turn', () => {
  it('starts with the route event, then the answer', async () => {
    const events = await turn(open(), 'write a python function that parses dates');
    expect(events[0]).toMatchObject({
      type: 'route',
      intent: 'code',
      strategy: 'embedding',
      encoder: 'lexical',
      target: { handler: 'chat' },
    });
    expect((events[0] as { scores: unknown[] }).scores).toHaveLength(7);
    expect(events.filter((e) => e.type === 'route')).toHaveLength(1);
    expect(events.at(-1)).toMatchObject({ type: 'done', model: 'canned:lorem' });
  });

  it('has no route event when routing is off (the default), or turned off for one call', async () => {
    const off = await turn(open({}), 'write a python function');
    expect(off.some((e) => e.type === 'route')).toBe(false);
    const once = await turn(open(), 'write a python function', { route: false });
    expect(once.some((e) => e.type === 'route')).toBe(false);
  });

  it("answers with the intent's target model unless the caller named one", async () => {
    const router = { enabled: true, intents: { code: { target: { model: 'canned:echo' } } } };
    const routed = await turn(open(router), '/code reverse a list');
    expect(routed[0]).toMatchObject({ type: 'route', intent: 'code', strategy: 'rule' });
    expect(routed.at(-1)).toMatchObject({ type: 'done', model: 'canned:echo' });
    const named = await turn(open(router), '/code reverse a list', { model: 'canned:lorem' });
    expect(named.at(-1)).toMatchObject({ type: 'done', model: 'canned:lorem' });
  });

  it('an explicit intent routes even with routing off; an unknown one ends the turn with an error', async () => {
    const chosen = await turn(open({}), 'hello', { intent: 'summarise' });
    expect(chosen[0]).toMatchObject({ type: 'route', intent: 'summarise', strategy: 'override' });
    const unknown = await turn(open(), 'hello', { intent: 'nope' });
    expect(unknown).toEqual([
      {
        type: 'error',
        error: expect.objectContaining({ code: 'usage', message: expect.stringContaining('nope') }),
      },
    ]);
  });

  it('a turn with an image goes to image-analysis', async () => {
    const png = new Uint8Array([0x89, 0x50, 0x4e, 0x47]);
    const events = await turn(open(), {
      messages: [{ role: 'user', content: [{ type: 'image', data: png, mediaType: 'image/png' }] }],
    });
    expect(events[0]).toMatchObject({ type: 'route', intent: 'image-analysis', reason: 'image attached' });
  });

  it('a failing encoder becomes a notice and the turn is answered anyway', async () => {
    const events = await turn(open({ enabled: true, encoder: path.join(home, 'missing.gguf') }), 'hello');
    expect(events[0]).toMatchObject({ type: 'notice', level: 'warn', code: 'route-failed' });
    expect((events[0] as { message: string }).message).toContain('missing.gguf');
    expect(events.at(-1)).toMatchObject({ type: 'done', model: 'canned:lorem' });
  });

  it('a default intent that is not enabled is a config error at the first routed turn', async () => {
    const router = { enabled: true, intents: { 'chit-chat': { enabled: false } } };
    const events = await turn(open(router), 'hello');
    expect(events).toEqual([
      {
        type: 'error',
        error: expect.objectContaining({
          code: 'config',
          message: expect.stringContaining('router.default_intent'),
        }),
      },
    ]);
  });

  it('a conversation passes the route event through and keeps only the answer in its history', async () => {
    const p = open();
    try {
      const c = p.conversation();
      const events = await collect(c.send('summarise this: the meeting moved to Tuesday'));
      expect(events[0]).toMatchObject({ type: 'route', intent: 'summarise' });
      expect(c.messages.map((m) => m.role)).toEqual(['user', 'assistant']);
    } finally {
      await p.dispose();
    }
  });
});

describe('router config', () => {
  it('merges config intents over the defaults and adds new ones', async () => {
    const p = open({
      enabled: true,
      threshold: 0.3,
      intents: {
        code: { threshold: 0.2, target: { model: 'openai:gpt-5' } },
        translate: {
          examples: ['translate this into French'],
          commands: ['tr'],
          target: { template: 'translate' },
        },
        'web-search': { enabled: false },
      },
    });
    try {
      const intents = (await p.router()).list();
      expect(intents.map((i) => i.name)).toEqual([
        'chit-chat',
        'code',
        'image-generation',
        'image-analysis',
        'deep-thinking',
        'summarise',
        'translate',
      ]);
      const code = intents.find((i) => i.name === 'code');
      expect(code).toMatchObject({ threshold: 0.2, target: { handler: 'chat', model: 'openai:gpt-5' } });
      expect(code?.examples.length).toBeGreaterThan(40);
      expect(intents.find((i) => i.name === 'summarise')?.threshold).toBe(0.3);
      expect((await (await p.router()).route({ text: '/tr bonjour' })).intent).toBe('translate');
    } finally {
      await p.dispose();
    }
  });

  it('is strict: an unknown key names itself, with the file and line', () => {
    const file = path.join(home, 'bad-router.toml');
    writeFileSync(file, '[router]\nenabled = true\n\n[router.intents.code]\nexampels = ["x"]\n');
    expect(() => createParley({ env: { PARLEY_HOME: home }, configFile: file })).toThrow(ConfigError);
    expect(() => createParley({ env: { PARLEY_HOME: home }, configFile: file })).toThrow(
      /router\.intents\.code\.exampels: unknown key .*bad-router\.toml:5/,
    );
  });

  it('PARLEY_ROUTER turns routing on', async () => {
    const p = createParley({
      env: { PARLEY_HOME: home, PARLEY_ROUTER: '1' },
      config: { model: 'canned:lorem', cache: { enabled: false }, store: { log: false } },
    });
    const events = await turn(p, 'hi there');
    expect(events[0]).toMatchObject({ type: 'route', intent: 'chit-chat' });
  });
});
