/** The semantic router: intents, strategies, encoders and the decision cache (docs/router.md). */
export { Router } from './router.js';
export type { RouterOptions } from './router.js';
export { IntentIndex, DEFAULT_TOP_K } from './intent-index.js';
export type { NearestExamples } from './intent-index.js';
export { LocalEmbeddingEncoder } from './local-encoder.js';
export { ProviderEncoder } from './provider-encoder.js';
export { routerFromConfig, intentsFromConfig, encoderFromConfig } from './router-config.js';
export type { RouterDeps } from './router-config.js';
export { routeTurn, routeInput, routeEvent } from './route-turn.js';
export type { RoutedTurn } from './route-turn.js';
export {
  overrideStrategy,
  rulesStrategy,
  embeddingStrategy,
  defaultStrategy,
  slashCommand,
} from './strategies.js';
export { LexicalEncoder, tokenize, stem } from './lexical-encoder.js';
export type { LexicalEncoderOptions } from './lexical-encoder.js';
export { DEFAULT_INTENTS, DEFAULT_INTENT } from './default-intents.js';
export { similarity, normalize, sparseFrom } from './embedding.js';
export type { Embedding, SparseVector } from './embedding.js';
export type { Encoder } from './encoder.js';
export type * from './types.js';
