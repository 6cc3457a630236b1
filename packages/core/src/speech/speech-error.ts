/** Errors of the speech engines. */
import { ParleyError, type ParleyErrorOptions } from '../errors.js';

/**
 * A speech engine failed or refused its input. Codes: `bad_audio` (input that is not the
 * audio it claims to be), `engine_missing` (a program, package or model is not installed),
 * `engine_failed` (the engine ran and failed), `bad_text`.
 */
export class SpeechError extends ParleyError {
  constructor(
    code: 'bad_audio' | 'engine_missing' | 'engine_failed' | 'bad_text',
    message: string,
    options?: ParleyErrorOptions,
  ) {
    super(code, message, options);
  }
}
