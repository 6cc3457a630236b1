import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

export const STORIES = fileURLToPath(new URL('../../../shared/models/stories260K.gguf', import.meta.url));
if (!existsSync(STORIES)) throw new Error(`bench model missing: ${STORIES}`);
