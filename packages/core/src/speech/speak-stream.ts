/**
 * Speaking a streamed reply: `speakStream(tts, textDeltas, signal)` cuts the deltas into
 * sentences (`sentenceStream`) while they arrive and synthesises them one after another, so
 * the first audio leaves when the first sentence is complete, not when the reply is.
 */
import { abortReason } from '../util/abort.js';
import { Channel } from '../util/channel.js';
import { sentenceStream, type SentenceStreamOptions } from './sentence-stream.js';
import { speakableText } from './speech-text.js';
import type { AudioChunk, TextToSpeech } from './types.js';

export interface SpeakStreamOptions extends SentenceStreamOptions {
  /** Called with each sentence (markdown removed) just before it is synthesised. */
  onSentence?: (sentence: string, index: number) => void;
}

type Item = { sentence: string } | { error: unknown };

/**
 * Audio chunks for a reply streamed as text deltas. The deltas are read ahead while a sentence
 * is being spoken. On abort the synthesis in progress is stopped (a TTS child process is
 * killed), the deltas are no longer read, and the iteration throws an `AbortError`.
 */
export async function* speakStream(
  tts: TextToSpeech,
  textDeltas: AsyncIterable<string>,
  signal?: AbortSignal,
  opts: SpeakStreamOptions = {},
): AsyncGenerator<AudioChunk> {
  if (signal?.aborted) throw abortReason(signal);
  const queue = new Channel<Item>();
  const sentences = sentenceStream(textDeltas, opts);
  let stopped = false;
  const reading = (async () => {
    try {
      for await (const sentence of sentences) {
        if (stopped) break;
        queue.push({ sentence });
      }
    } catch (error) {
      queue.push({ error });
    } finally {
      queue.close();
    }
  })();
  const onAbort = (): void => {
    stopped = true;
    queue.close();
  };
  signal?.addEventListener('abort', onAbort, { once: true });
  try {
    let index = 0;
    for await (const item of queue) {
      if (signal?.aborted) break;
      if ('error' in item) throw item.error;
      const text = speakableText(item.sentence);
      if (text === '') continue;
      opts.onSentence?.(text, index++);
      yield* tts.synthesize(text, signal);
    }
    if (signal?.aborted) throw abortReason(signal);
  } finally {
    stopped = true;
    signal?.removeEventListener('abort', onAbort);
    queue.close();
    // Stop reading the deltas (the LLM stream's own cleanup runs) without waiting for them.
    void sentences.return(undefined).catch(() => undefined);
    void reading;
  }
}
