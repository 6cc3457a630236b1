/** Text on its way to a TTS engine: control characters out, length checked. */
import { SpeechError } from './speech-error.js';

// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u001f\u007f-\u009f]+/g;

/**
 * Replace control characters (C0, DEL, C1; newlines and tabs included) with spaces, collapse
 * runs of white space and trim. Text longer than `maxChars` is refused with a `SpeechError`
 * naming the limit: a reply is spoken sentence by sentence (`speakStream`), never in one call.
 */
export function cleanSpeechText(text: string, maxChars: number): string {
  if (text.length > maxChars)
    throw new SpeechError(
      'bad_text',
      `text to speak is ${text.length} characters; the limit for one call is ${maxChars} (speak it sentence by sentence)`,
    );
  return text.replace(CONTROL, ' ').replace(/\s+/g, ' ').trim();
}

/**
 * Markdown marks a voice should not read out: emphasis (`*`, `_`), code ticks, heading `#`s,
 * list bullets, and link targets (`[text](url)` is read as `text`).
 */
export function speakableText(markdown: string): string {
  return markdown
    .replace(/!?\[([^\]]*)\]\([^)]*\)/g, '$1')
    .replace(/^\s{0,3}(#{1,6}|>|[-*+])\s+/, '')
    .replace(/`+/g, '')
    .replace(/(\*{1,3}|_{2,3})(\S[\s\S]*?)\1/g, '$2')
    .replace(/\s+/g, ' ')
    .trim();
}
