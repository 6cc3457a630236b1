import { describe, expect, it } from 'vitest';
import { childProcesses } from './conformance/audio-fixtures.js';
import { EspeakTextToSpeech } from './espeak-tts.js';
import { speakStream } from './speak-stream.js';
import { speakableText } from './speech-text.js';

const tts = new EspeakTextToSpeech();

describe('speakStream (real espeak-ng)', () => {
  it('sends the first audio before the reply is complete', async () => {
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    let finished = false;
    async function* reply(): AsyncGenerator<string> {
      yield 'Hello';
      yield ' there. And then';
      await gate;
      yield ' the rest of it.';
      finished = true;
    }
    const spoken: string[] = [];
    const it = speakStream(tts, reply(), undefined, { onSentence: (s) => spoken.push(s) })[
      Symbol.asyncIterator
    ]();
    const first = await it.next();
    expect(first.done).toBe(false);
    expect(first.value?.pcm.length).toBeGreaterThan(0);
    expect(finished).toBe(false);
    expect(spoken).toEqual(['Hello there.']);
    release();
    let samples = 0;
    for (let r = await it.next(); !r.done; r = await it.next()) samples += r.value.pcm.length;
    expect(samples).toBeGreaterThan(0);
    expect(spoken).toEqual(['Hello there.', 'And then the rest of it.']);
    expect(finished).toBe(true);
  });

  it('reads no markdown marks out loud', async () => {
    const spoken: string[] = [];
    async function* reply(): AsyncGenerator<string> {
      yield '# Title\n- **Bold** item with `code`\nSee [the docs](https://example.com/x).';
    }
    for await (const _ of speakStream(tts, reply(), undefined, { onSentence: (s) => spoken.push(s) })) void _;
    expect(spoken).toEqual(['Title', 'Bold item with code', 'See the docs.']);
  });

  it('on abort stops speaking, kills espeak-ng, stops reading the reply and throws AbortError', async () => {
    const c = new AbortController();
    let closed = false;
    async function* endless(): AsyncGenerator<string> {
      try {
        for (let i = 0; ; i++) {
          yield `This is sentence number ${i} of a reply that never ends. `;
          await new Promise((r) => setTimeout(r, 5));
        }
      } finally {
        closed = true;
      }
    }
    let chunks = 0;
    const err = await (async () => {
      for await (const _ of speakStream(tts, endless(), c.signal)) if (++chunks === 2) c.abort();
    })().catch((e: unknown) => e);
    expect((err as Error).name).toBe('AbortError');
    expect(childProcesses('espeak-ng')).toEqual([]);
    await new Promise((r) => setTimeout(r, 50));
    expect(closed).toBe(true);
  });

  it('passes on an error of the reply after speaking what came before it', async () => {
    async function* failing(): AsyncGenerator<string> {
      yield 'One sentence first. ';
      throw new Error('the model failed');
    }
    const spoken: string[] = [];
    const err = await (async () => {
      for await (const _ of speakStream(tts, failing(), undefined, { onSentence: (s) => spoken.push(s) }))
        void _;
    })().catch((e: unknown) => e);
    expect((err as Error).message).toBe('the model failed');
    expect(spoken).toEqual(['One sentence first.']);
  });

  it('throws at once when already aborted', async () => {
    const c = new AbortController();
    c.abort();
    async function* reply(): AsyncGenerator<string> {
      yield 'Hi.';
    }
    const err = await speakStream(tts, reply(), c.signal)
      .next()
      .catch((e: unknown) => e);
    expect((err as Error).name).toBe('AbortError');
  });
});

describe('speakableText', () => {
  it('keeps plain text and asterisks used as maths', () => {
    expect(speakableText('Two times three is 6.')).toBe('Two times three is 6.');
    expect(speakableText('a * b')).toBe('a * b');
    expect(speakableText('> quoted __strong__ words')).toBe('quoted strong words');
  });
});
