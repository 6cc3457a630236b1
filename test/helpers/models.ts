import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/** The shared tiny test models live in ../shared/models beside the repository. */
export const SHARED_MODELS = fileURLToPath(new URL('../../../shared/models/', import.meta.url));
export const STORIES = `${SHARED_MODELS}stories260K.gguf`;
export const TINY_RANDOM = `${SHARED_MODELS}llama-2-tiny-random.gguf`;

if (!existsSync(STORIES)) {
  throw new Error(`test model missing: ${STORIES} (../shared/models must sit beside the repository)`);
}
