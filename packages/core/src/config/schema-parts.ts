/** Small schema pieces shared by the config's sections. */
import * as z from 'zod';

/** A model name as config takes it: `provider:model`, an alias, a .gguf path. */
export const modelName = z.string().trim().min(1, 'must not be empty');
/** A positive integer. */
export const positiveInt = z.number().int().positive();
