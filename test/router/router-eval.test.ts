import { describe, expect, it } from 'vitest';
import {
  DEFAULT_INTENT,
  DEFAULT_INTENTS,
  LexicalEncoder,
  Router,
} from '../../packages/core/src/router/index.js';
import { evaluate, loadEvalSet } from './eval-set.js';

// The goal for the offline default encoder: at least 85 % of the evaluation set.
const GOAL = 0.85;

const router = () =>
  new Router({
    intents: DEFAULT_INTENTS,
    defaultIntent: DEFAULT_INTENT,
    encoder: new LexicalEncoder(),
    cacheSize: 0,
  });

describe('the evaluation set', () => {
  it('has at least 200 queries over every default intent, none copied from the examples', () => {
    const all = [...loadEvalSet('dev'), ...loadEvalSet('holdout')];
    expect(all.length).toBeGreaterThanOrEqual(200);
    const names = DEFAULT_INTENTS.map((i) => i.name);
    for (const name of names) expect(all.filter((q) => q.intent === name).length).toBeGreaterThanOrEqual(25);
    expect(all.every((q) => names.includes(q.intent))).toBe(true);
    const examples = new Set(DEFAULT_INTENTS.flatMap((i) => i.examples.map((e) => e.toLowerCase().trim())));
    expect(all.filter((q) => examples.has(q.text.toLowerCase().trim()))).toEqual([]);
    expect(new Set(all.map((q) => q.text)).size).toBe(all.length);
  });
});

describe('the offline default (lexical) on the evaluation set', () => {
  for (const name of ['dev', 'holdout'] as const) {
    it(`routes the ${name} queries above the goal`, async () => {
      const r = await evaluate(router(), loadEvalSet(name));
      // On failure the misrouted queries show in the message.
      expect({ accuracy: r.accuracy >= GOAL, misses: r.misses }).toMatchObject({ accuracy: true });
    });
  }

  it('routes the whole set above the goal', async () => {
    const r = await evaluate(router(), [...loadEvalSet('dev'), ...loadEvalSet('holdout')]);
    expect(r.accuracy).toBeGreaterThanOrEqual(GOAL);
  });
});
