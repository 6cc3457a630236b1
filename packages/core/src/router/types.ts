/**
 * The semantic router's vocabulary: intents, what routes to them, and the decision a route
 * ends in. The router is a chain of strategies (see `router.ts`); each returns a decision or
 * nothing, and the last one always decides.
 */

/** What an intent sends a turn to. Every field is optional; the core applies `model` itself. */
export interface RouteTarget {
  /** `provider:model`, an alias or a .gguf path that answers this intent. */
  model?: string | undefined;
  /** A prompt template (see docs/templates.md) for this intent. */
  template?: string | undefined;
  /** Tools this intent may use, by name. */
  tools?: string[] | undefined;
  /** A pipeline (voice, vision, …) for this intent. */
  pipeline?: string | undefined;
  /** A named handler in a front end (`chat`, `image`, `think`, …). */
  handler?: string | undefined;
}

/** One intent as the router knows it (config and defaults merged). */
export interface Intent {
  name: string;
  /** Example utterances the embedding strategy compares a query with. */
  examples: string[];
  target: RouteTarget;
  /** Lowest score that wins this intent by embeddings; the encoder's default when unset. */
  threshold?: number | undefined;
  /** Slash commands (without the slash) that pick this intent, e.g. `code` for `/code ...`. */
  commands: string[];
  /** A turn with an image attached goes to this intent (the rules strategy). */
  onImage: boolean;
}

/** What the router reads from one turn. */
export interface RouteInput {
  /** The user's text (the last user message). */
  text: string;
  /** True when the turn has an image attached. */
  hasImage?: boolean | undefined;
  /** An explicit choice (`--intent`, an API field) that wins over everything else. */
  intent?: string | undefined;
}

/** How well a query matches one intent (higher is closer). */
export interface IntentScore {
  intent: string;
  score: number;
}

/** Which strategy decided. */
export type RouteStrategyName = 'override' | 'rule' | 'embedding' | 'default';

/** Where a turn goes, and why. */
export interface RouteDecision {
  intent: string;
  strategy: RouteStrategyName;
  /** Every intent's score from the encoder, best first; empty when no encoder ran. */
  scores: IntentScore[];
  /** The chosen intent's target. */
  target: RouteTarget;
  /** A short human reason: `slash command /code`, `image attached`, `best score 0.08 < 0.2`. */
  reason: string;
  /** The encoder that produced `scores`, e.g. `lexical`. */
  encoder?: string | undefined;
  /** True when the decision came from the router's cache. */
  cached?: boolean | undefined;
}

/** What a strategy returns when it decides. The router fills in the target. */
export type StrategyDecision = Pick<RouteDecision, 'intent' | 'reason'> &
  Partial<Pick<RouteDecision, 'scores' | 'encoder'>>;

/** Shared state of one route through the chain. */
export interface RouteContext {
  readonly intents: ReadonlyMap<string, Intent>;
  readonly defaultIntent: string;
  readonly signal?: AbortSignal | undefined;
  /** Scores left by the embedding strategy, for the strategies after it. */
  scores?: IntentScore[] | undefined;
  encoder?: string | undefined;
}

/** One link of the chain: a decision, or `undefined` to pass to the next. */
export interface RouteStrategy {
  readonly name: RouteStrategyName;
  decide(input: RouteInput, ctx: RouteContext): Promise<StrategyDecision | undefined>;
}
