/**
 * The router's strategies, in the order the default chain runs them: an explicit override,
 * rules (a slash command, an attached image), embeddings, and the default, which always
 * decides.
 */
import { UsageError } from '../errors.js';
import type { IntentIndex } from './intent-index.js';
import type { RouteContext, RouteInput, RouteStrategy, StrategyDecision } from './types.js';

/** An intent named by the caller (`--intent`, an API field) wins; an unknown name is an error. */
export const overrideStrategy: RouteStrategy = {
  name: 'override',
  decide(input, ctx) {
    if (input.intent === undefined) return Promise.resolve(undefined);
    if (!ctx.intents.has(input.intent)) {
      return Promise.reject(
        new UsageError(`unknown intent "${input.intent}"; intents: ${[...ctx.intents.keys()].join(', ')}`),
      );
    }
    return Promise.resolve({ intent: input.intent, reason: 'chosen explicitly' });
  },
};

/** `/command rest`: the command word, lower-cased, when the text starts with one. */
export function slashCommand(text: string): string | undefined {
  return /^\s*\/([A-Za-z][\w-]*)(?:\s|$)/.exec(text)?.[1]?.toLowerCase();
}

/** A slash command an intent declares, then an attached image, decide. */
export const rulesStrategy: RouteStrategy = {
  name: 'rule',
  decide(input, ctx) {
    const command = slashCommand(input.text);
    if (command !== undefined) {
      for (const intent of ctx.intents.values()) {
        if (intent.commands.includes(command)) {
          return Promise.resolve({ intent: intent.name, reason: `slash command /${command}` });
        }
      }
    }
    if (input.hasImage) {
      for (const intent of ctx.intents.values()) {
        if (intent.onImage) return Promise.resolve({ intent: intent.name, reason: 'image attached' });
      }
    }
    return Promise.resolve(undefined);
  },
};

/**
 * The closest intent by embeddings, when its score reaches its threshold. Leaves the scores
 * in the context either way, so the default strategy can report them.
 */
export function embeddingStrategy(index: () => Promise<IntentIndex>): RouteStrategy {
  return {
    name: 'embedding',
    async decide(input: RouteInput, ctx: RouteContext): Promise<StrategyDecision | undefined> {
      if (input.text.trim() === '') return undefined;
      const idx = await index();
      const scores = await idx.score(input.text, ctx.signal);
      ctx.scores = scores;
      ctx.encoder = idx.encoder.name;
      const best = scores[0];
      if (!best) return undefined;
      const threshold = ctx.intents.get(best.intent)?.threshold ?? idx.encoder.defaultThreshold;
      if (best.score < threshold) return undefined;
      return { intent: best.intent, reason: `closest examples, score ${best.score} ≥ ${threshold}` };
    },
  };
}

/** The last link: the default intent, with whatever scores the strategies before it left. */
export const defaultStrategy: RouteStrategy = {
  name: 'default',
  decide(_input, ctx) {
    const best = ctx.scores?.[0];
    const reason = best
      ? `no intent reached its threshold (best: ${best.intent} ${best.score})`
      : 'nothing else decided';
    return Promise.resolve({ intent: ctx.defaultIntent, reason });
  },
};
