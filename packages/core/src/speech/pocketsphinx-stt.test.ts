import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { goForward, librivoxClips, TEST_DATA } from './conformance/audio-fixtures.js';
import { runSttConformance } from './conformance/stt-suite.js';
import { PocketsphinxSpeechToText } from './pocketsphinx-stt.js';
import { SpeechError } from './speech-error.js';
import { wordErrorRate } from './wer.js';

runSttConformance({
  name: 'pocketsphinx',
  create: () => Promise.resolve(new PocketsphinxSpeechToText()),
  processName: 'pocketsphinx_continuous',
});

const dir = mkdtempSync(path.join(os.tmpdir(), 'parley-sphinx-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('PocketsphinxSpeechToText', () => {
  it('transcribes the LibriVox clips under 50 % word error rate overall', async () => {
    const stt = new PocketsphinxSpeechToText();
    let errors = 0;
    let words = 0;
    for (const clip of librivoxClips()) {
      const r = wordErrorRate(clip.reference, (await stt.transcribe(clip.pcm)).text);
      errors += r.substitutions + r.deletions + r.insertions;
      words += r.referenceWords;
    }
    expect(words).toBeGreaterThan(50);
    // Measured: 0.37 (26 errors in 71 words) with the default en-us model (docs/VOICE.md).
    expect(errors / words).toBeLessThan(0.5);
    // 34 s of audio: slower than real time on a busy 2-core machine.
  }, 300_000);

  it('limits recognition to a JSGF grammar', async () => {
    const stt = new PocketsphinxSpeechToText({ jsgf: path.join(TEST_DATA, 'goforward.gram') });
    expect((await stt.transcribe(goForward())).text).toBe('go forward ten meters');
  });

  it('names the program and how to install it when it is missing', async () => {
    const stt = new PocketsphinxSpeechToText({ command: 'no-such-pocketsphinx' });
    const err = await stt.transcribe(goForward()).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(SpeechError);
    expect((err as SpeechError).code).toBe('engine_missing');
    expect((err as Error).message).toMatch(
      /no-such-pocketsphinx is not installed: apt-get install pocketsphinx/,
    );
  });

  it('reports a failing engine with its error', async () => {
    const bad = path.join(dir, 'bad.gram');
    writeFileSync(bad, 'this is not a grammar');
    const stt = new PocketsphinxSpeechToText({ jsgf: bad });
    const err = await stt.transcribe(goForward()).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(SpeechError);
    expect((err as SpeechError).code).toBe('engine_failed');
    expect((err as Error).message).toMatch(/pocketsphinx_continuous failed/);
  });
});
