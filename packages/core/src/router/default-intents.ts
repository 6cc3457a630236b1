/**
 * The intents parley routes to when config adds none: chit-chat (the default), code, image
 * generation, image analysis, web search, deep thinking and summarise. Config can change any
 * field of these, turn one off (`enabled = false`) or add more (docs/router.md).
 *
 * Their example utterances are in `default-examples.ts`.
 */
import { DEFAULT_EXAMPLES } from './default-examples.js';
import type { Intent } from './types.js';

/** The intent a turn falls to when nothing else decides. */
export const DEFAULT_INTENT = 'chit-chat';

export const DEFAULT_INTENTS: readonly Intent[] = [
  {
    name: 'chit-chat',
    target: { handler: 'chat' },
    commands: ['chat'],
    onImage: false,
    examples: DEFAULT_EXAMPLES['chit-chat'],
  },
  {
    name: 'code',
    target: { handler: 'chat' },
    commands: ['code'],
    onImage: false,
    examples: DEFAULT_EXAMPLES['code'],
  },
  {
    name: 'image-generation',
    target: { handler: 'image' },
    commands: ['image', 'imagine', 'draw'],
    onImage: false,
    examples: DEFAULT_EXAMPLES['image-generation'],
  },
  {
    name: 'image-analysis',
    target: { pipeline: 'vision' },
    commands: ['vision', 'look'],
    onImage: true,
    examples: DEFAULT_EXAMPLES['image-analysis'],
  },
  {
    name: 'web-search',
    target: { tools: ['web_search'] },
    commands: ['search', 'web'],
    onImage: false,
    examples: DEFAULT_EXAMPLES['web-search'],
  },
  {
    name: 'deep-thinking',
    target: { handler: 'think' },
    commands: ['think', 'reason'],
    onImage: false,
    examples: DEFAULT_EXAMPLES['deep-thinking'],
  },
  {
    name: 'summarise',
    target: { handler: 'chat' },
    commands: ['summarise', 'summarize', 'tldr'],
    onImage: false,
    examples: DEFAULT_EXAMPLES['summarise'],
  },
];
