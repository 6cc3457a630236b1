/** Loading an optional dependency of a speech engine, with a clear error when it is absent. */
import { SpeechError } from './speech-error.js';

/**
 * Run `load` (a dynamic `import()`); when the package is not installed, throw a
 * `SpeechError('engine_missing')` naming it and how to install it.
 */
export async function loadOptional<T>(load: () => Promise<T>, pkg: string, purpose: string): Promise<T> {
  try {
    return await load();
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ERR_MODULE_NOT_FOUND' || code === 'MODULE_NOT_FOUND')
      throw new SpeechError(
        'engine_missing',
        `${purpose} needs the optional package ${pkg}, which is not installed: run npm install ${pkg} where parley is installed`,
        { cause: e },
      );
    throw e;
  }
}
