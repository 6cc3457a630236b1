import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createParley, type Parley } from '../parley.js';
import type { AudioChunk, AudioFormat, SpeechToText, TextToSpeech, Vad, VadEvent } from '../speech/types.js';
import { builtinModes } from './modes.js';
import type { PipelineEvent } from './events.js';
import { ModelResidency } from './residency.js';
import { createModelLoader, type SpeechEngineFactory } from './loader.js';
import { PipelineSession } from './session.js';
import type { ModelSpec } from './types.js';

// The engine under test is the pipeline session; the speech engines here are tiny in-test
// implementations (unit level). The language model is canned:echo, which answers with what
// it was given, so the test sees exactly what the pipeline handed to it.

/** Speech is any sample above 1000; an utterance ends after 3 silent chunks. */
class MarkerVad implements Vad {
  readonly name = 'marker';
  private at = 0;
  private speech: Int16Array[] | undefined;
  private silent = 0;
  push(samples: Int16Array): Promise<VadEvent[]> {
    const out: VadEvent[] = [];
    const loud = samples.some((s) => Math.abs(s) > 1000);
    this.at += (samples.length / 16_000) * 1000;
    if (loud && !this.speech) {
      this.speech = [];
      out.push({ type: 'speech-start', atMs: this.at });
    }
    if (this.speech) {
      this.speech.push(samples);
      this.silent = loud ? 0 : this.silent + 1;
      if (this.silent >= 3) {
        const n = this.speech.reduce((a, b) => a + b.length, 0);
        const audio = new Int16Array(n);
        let o = 0;
        for (const c of this.speech) audio.set(c, (o += c.length) - c.length);
        this.speech = undefined;
        out.push({ type: 'speech-end', atMs: this.at, audio });
      }
    }
    return Promise.resolve(out);
  }
  flush(): Promise<VadEvent[]> {
    return Promise.resolve([]);
  }
  reset(): void {
    this.speech = undefined;
  }
}

/** "Hears" the number of loud chunks. */
const countingStt: SpeechToText = {
  name: 'count',
  transcribe: (audio) => {
    const loud = audio.filter((s) => Math.abs(s) > 1000).length;
    return Promise.resolve({ text: `loud samples ${loud}. Say more.`, ms: 1, engine: 'count' });
  },
};

const FORMAT: AudioFormat = { encoding: 's16le', sampleRate: 8000, channels: 1 };
/** One second of audio per character, in one chunk, so a sentence takes a while to play. */
class SlowVoice implements TextToSpeech {
  readonly name = 'slow';
  readonly format = FORMAT;
  spoken: string[] = [];
  async *synthesize(text: string): AsyncIterable<AudioChunk> {
    this.spoken.push(text);
    await new Promise((r) => setImmediate(r));
    yield { format: FORMAT, pcm: new Int16Array(text.length * 8000).fill(7) };
  }
}

let home: string;
let parley: Parley;
beforeAll(() => {
  home = mkdtempSync(path.join(os.tmpdir(), 'parley-pipe-'));
  parley = createParley({ env: { PARLEY_HOME: home }, config: { model: 'canned:echo' } });
});
afterAll(async () => {
  await parley.dispose();
  rmSync(home, { recursive: true, force: true });
});

const spec = (role: ModelSpec['role'], id: string): ModelSpec => ({ role, id, memoryMb: 1 });
function setup(mode: string, voice = new SlowVoice(), rule = 'Is it yes?') {
  const speech: SpeechEngineFactory = {
    vad: () => Promise.resolve(new MarkerVad()),
    stt: () => Promise.resolve(countingStt),
    tts: () => Promise.resolve(voice),
  };
  const residency = new ModelResidency({ budgetMb: 100, loader: createModelLoader(parley, speech) });
  const llm = spec('llm', 'canned:echo');
  const modes = builtinModes(
    {
      vad: spec('vad', 'marker'),
      stt: spec('stt', 'count'),
      tts: spec('tts', 'slow'),
      chat: llm,
      voice: llm,
      vision: spec('vision', 'canned:echo'),
      reasoning: llm,
    },
    { monitorEvery: 3, visualSpeak: false },
  );
  const events: { e: PipelineEvent; turn: string | undefined }[] = [];
  const ended: string[] = [];
  const session = new PipelineSession({
    definition: modes.get(mode)!,
    parley,
    residency,
    history: () => [],
    audioLeadMs: 200,
    rule,
    emit: (e, turn) => events.push({ e, turn }),
    onTurnEnd: (end) => ended.push(`${end.turn} ${end.terminal.type} ${end.text}`),
  });
  return { session, events, ended, voice };
}

const chunk = (loud: boolean): Int16Array => new Int16Array(320).fill(loud ? 5000 : 0);
const until = async (check: () => boolean): Promise<void> => {
  for (let i = 0; i < 500 && !check(); i++) await new Promise((r) => setTimeout(r, 10));
  if (!check()) throw new Error('never happened');
};

describe('a voice pipeline session', () => {
  it('turns an utterance into a transcript, the answer and its speech, in that order', async () => {
    const { session, events, ended, voice } = setup('voice', new SlowVoice());
    await session.start();
    for (const loud of [false, true, true, false, false, false]) session.pushAudio(chunk(loud));
    // The answer is 30 characters: 30 s of audio at real-time pace would be too long to wait
    // for, so interrupt once the first audio is out.
    await until(() => events.some((x) => x.e.type === 'audio'));
    const types = events.map((x) => x.e.type);
    expect(types.slice(0, 2)).toEqual(['transcript', 'text-delta']);
    expect(events[0]?.e).toMatchObject({
      type: 'transcript',
      text: 'loud samples 640. Say more.',
      engine: 'count',
    });
    expect(types.indexOf('audio-format')).toBeLessThan(types.indexOf('audio'));
    expect(voice.spoken[0]).toBe('loud samples 640.');
    const r = session.interrupt('interrupted by the client');
    expect(r.running).toBe(true);
    // interrupted is out before interrupt() returns, and no audio follows it.
    expect(events.at(-1)?.e).toMatchObject({ type: 'interrupted', reason: 'interrupted by the client' });
    const n = events.length;
    await new Promise((r) => setTimeout(r, 300));
    expect(events.slice(n).filter((x) => x.e.type === 'audio')).toEqual([]);
    expect(ended).toEqual([`${r.turn} interrupted loud samples 640. Say more.`]);
    await session.dispose();
  });

  it('speech during playback interrupts it (barge-in), then the new utterance is answered', async () => {
    const { session, events } = setup('voice');
    await session.start();
    for (const loud of [true, false, false, false]) session.pushAudio(chunk(loud));
    await until(() => events.some((x) => x.e.type === 'audio'));
    const first = events.find((x) => x.e.type === 'transcript')?.turn;
    for (const loud of [true, true, false, false, false]) session.pushAudio(chunk(loud));
    await until(() => events.filter((x) => x.e.type === 'transcript').length === 2);
    const stop = events.find((x) => x.e.type === 'interrupted');
    expect(stop).toMatchObject({ turn: first, e: { reason: 'barge-in: the user spoke' } });
    const second = events.filter((x) => x.e.type === 'transcript')[1];
    expect(second?.e).toMatchObject({ text: 'loud samples 640. Say more.' });
    expect(second?.turn).not.toBe(first);
    await session.dispose();
    expect(session.running).toBeUndefined();
  });

  it('broadcast: transcripts only, each turn ended by done', async () => {
    const { session, events } = setup('broadcast');
    await session.start();
    for (const loud of [true, false, false, false]) session.pushAudio(chunk(loud));
    await until(() => events.some((x) => x.e.type === 'done'));
    expect(events.map((x) => x.e.type)).toEqual(['transcript', 'turn-timings', 'done']);
    expect(events[1]?.e).toMatchObject({ sttMs: expect.any(Number), firstAudioMs: null, overheadMs: null });
    expect(session.pushVideo(new Uint8Array(4), 1)).toBe('skipped');
    await session.dispose();
  });
});

describe('a monitor pipeline session', () => {
  it('takes every n-th frame, drops those that come while the vision model is busy, and notifies', async () => {
    const { session, events } = setup('monitor');
    session.streamOptions();
    await session.start();
    const outcomes = Array.from({ length: 12 }, (_, i) =>
      session.pushVideo(new Uint8Array([0xff, 0xd8, i]), i + 1),
    );
    // Every 3rd frame is a candidate; the first is taken, the others find the model busy.
    expect(outcomes.filter((o) => o === 'taken')).toHaveLength(1);
    expect(outcomes.filter((o) => o === 'dropped')).toHaveLength(3);
    expect(session.droppedFrames).toBe(3);
    await until(() => session.running === undefined);
    // canned:echo repeats the rule, which does not start with yes: no notification, no turn events.
    expect(events).toEqual([]);
    await session.dispose();
  });

  it('notifies when the answer says yes', async () => {
    const { session, events } = setup('monitor', undefined, 'Yes or no: is the door open?');
    await session.start();
    for (let i = 1; i <= 3; i++) session.pushVideo(new Uint8Array([0xff, 0xd8, i]), i);
    await until(() => events.length > 0);
    expect(events).toEqual([
      {
        turn: undefined,
        e: {
          type: 'notification',
          rule: 'Yes or no: is the door open?',
          text: expect.stringMatching(/^Yes or no: is the door open\? \[image image\/jpeg 3 bytes\]$/),
          frame: 3,
        },
      },
    ]);
    await session.dispose();
  });
});
