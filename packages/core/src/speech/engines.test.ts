import { describe, expect, it } from 'vitest';
import { ConfigSchema } from '../config/schema.js';
import { EnergyVad } from './energy-vad.js';
import { createSpeechEngines } from './engines.js';
import { EspeakTextToSpeech } from './espeak-tts.js';
import { PocketsphinxSpeechToText } from './pocketsphinx-stt.js';
import { concat, goForward, silence } from './conformance/audio-fixtures.js';

describe('createSpeechEngines', () => {
  it('gives the offline engines by default', async () => {
    const engines = await createSpeechEngines({});
    expect(await engines.createVad()).toBeInstanceOf(EnergyVad);
    expect(engines.stt).toBeInstanceOf(PocketsphinxSpeechToText);
    expect(engines.tts).toBeInstanceOf(EspeakTextToSpeech);
    await engines.dispose();
  });

  it('loads Silero when voice.vad is silero', async () => {
    const vad = await (
      await createSpeechEngines({ voice: { vad: 'silero', vad_threshold: 0.6 } })
    ).createVad();
    expect(vad.name).toBe('silero');
    const events = [
      ...(await vad.push(concat(silence(500), goForward(), silence(800)))),
      ...(await vad.flush()),
    ];
    expect(events.map((e) => e.type)).toEqual(['speech-start', 'speech-end']);
    await vad.dispose?.();
  });

  it('gives each stream its own VAD, with the configured end-of-speech delay', async () => {
    const engines = await createSpeechEngines({ voice: { end_of_speech_ms: 1000 } });
    const a = await engines.createVad();
    expect(a).not.toBe(await engines.createVad());
    const events = [
      ...(await a.push(concat(silence(500), goForward(), silence(2000)))),
      ...(await a.flush()),
    ];
    const quick = await (await createSpeechEngines({})).createVad();
    const quickEvents = [
      ...(await quick.push(concat(silence(500), goForward(), silence(2000)))),
      ...(await quick.flush()),
    ];
    const endOf = (e: typeof events): number => e.find((x) => x.type === 'speech-end')?.atMs ?? NaN;
    expect(endOf(events) - endOf(quickEvents)).toBeGreaterThanOrEqual(600);
  });

  it('passes the voice and speed to espeak-ng', async () => {
    const text = 'The quick brown fox jumps over the lazy dog.';
    const len = async (voice: object): Promise<number> => {
      let n = 0;
      for await (const c of (await createSpeechEngines({ voice })).tts.synthesize(text)) n += c.pcm.length;
      return n;
    };
    expect(await len({ speed: 2 })).toBeLessThan((await len({ speed: 0.5 })) * 0.6);
    await expect(len({ voice: 'xx-none' })).rejects.toThrow(/espeak-ng failed/);
  });
});

describe('SpeechEngines.speak', () => {
  it('cuts sentences at max_sentence_chars', async () => {
    const engines = await createSpeechEngines({ voice: { max_sentence_chars: 20 } });
    async function* reply(): AsyncGenerator<string> {
      yield 'one two three four five six seven eight nine ten';
    }
    const spoken: string[] = [];
    for await (const _ of engines.speak(reply(), undefined, { onSentence: (s) => spoken.push(s) })) void _;
    expect(spoken.length).toBeGreaterThan(2);
    for (const s of spoken) expect(s.length).toBeLessThanOrEqual(20);
  });
});

describe('the [voice] config section', () => {
  it('accepts the documented keys', () => {
    const r = ConfigSchema.safeParse({
      voice: { vad: 'energy', stt: 'pocketsphinx', tts: 'espeak-ng', voice: 'en-us', end_of_speech_ms: 300 },
    });
    expect(r.success).toBe(true);
  });

  it.each([
    [{ vad: 'webrtc' }, 'vad'],
    [{ language: 'english' }, 'language'],
    [{ stt_model: '' }, 'stt_model'],
    [{ vad_threshold: 1 }, 'vad_threshold'],
    [{ stt: 'dragon' }, 'stt'],
    [{ end_of_speech_ms: 5 }, 'end_of_speech_ms'],
    [{ end_of_speech_ms: 'soon' }, 'end_of_speech_ms'],
    [{ voice: '--stdout' }, 'voice'],
    [{ speed: 0 }, 'speed'],
    [{ max_sentence_chars: 5 }, 'max_sentence_chars'],
    [{ max_tts_chars: 1e9 }, 'max_tts_chars'],
    [{ loudness: 3 }, ''],
  ])('refuses %j, naming the key', (voice, key) => {
    const r = ConfigSchema.safeParse({ voice });
    expect(r.success).toBe(false);
    const issue = r.error?.issues[0];
    expect(issue?.path.join('.')).toBe(key ? `voice.${key}` : 'voice');
  });
});
