/**
 * The router's labelled evaluation set (test/fixtures/router/): queries over the default
 * intents, written apart from the intents' example utterances. `eval-dev.jsonl` was used to
 * choose the lexical encoder's settings; `eval-holdout.jsonl` was not looked at while tuning,
 * and its accuracy is the honest figure (docs/router.md).
 */
import { readFileSync } from 'node:fs';
import type { Router } from '../../packages/core/src/router/router.js';

export interface LabelledQuery {
  text: string;
  intent: string;
  /** The turn has an image attached. */
  image?: boolean;
}

export function loadEvalSet(name: 'dev' | 'holdout'): LabelledQuery[] {
  const text = readFileSync(new URL(`../fixtures/router/eval-${name}.jsonl`, import.meta.url), 'utf8');
  return text
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => JSON.parse(l) as LabelledQuery);
}

export interface EvalResult {
  accuracy: number;
  correct: number;
  total: number;
  /** Misrouted queries: `expected -> got: text`. */
  misses: string[];
}

export async function evaluate(router: Router, set: readonly LabelledQuery[]): Promise<EvalResult> {
  let correct = 0;
  const misses: string[] = [];
  for (const q of set) {
    const d = await router.route({ text: q.text, hasImage: q.image === true });
    if (d.intent === q.intent) correct++;
    else misses.push(`${q.intent} -> ${d.intent}: ${q.text}`);
  }
  return { accuracy: correct / set.length, correct, total: set.length, misses };
}
