import { describe, expect, it } from 'vitest';
import { definePipeline, ModeRegistry, PipelineDefinitionError } from './builder.js';
import { builtinModes, MODE_IDS } from './modes.js';
import type { ModelSpec } from './types.js';

const spec = (role: ModelSpec['role'], id: string, memoryMb = 10): ModelSpec => ({ role, id, memoryMb });
const models = {
  vad: spec('vad', 'energy', 1),
  stt: spec('stt', 'pocketsphinx', 40),
  tts: spec('tts', 'espeak-ng', 10),
  chat: spec('llm', 'local:small', 100),
  voice: spec('llm', 'local:small', 100),
  vision: spec('vision', 'openai:gpt-4o', 0),
  reasoning: spec('llm', 'local:big', 4000),
};

describe('the built-in modes', () => {
  it('are the seven modes, each a definition whose parts fit', () => {
    const reg = builtinModes(models, { monitorEvery: 5, visualSpeak: false });
    expect(reg.ids()).toEqual([...MODE_IDS]);
    const voice = reg.get('voice');
    expect(voice?.trigger).toEqual({ kind: 'vad_gated' });
    expect(voice?.steps.map((s) => s.name)).toEqual(['stt', 'llm', 'tts']);
    expect(voice?.outputs).toEqual(['transcript', 'text_token', 'audio_chunk']);
    expect(reg.get('broadcast')?.steps.map((s) => s.name)).toEqual(['stt']);
    expect(reg.get('broadcast')?.outputs).toEqual(['transcript']);
    expect(reg.get('monitor')?.trigger).toEqual({ kind: 'continuous', every: 5 });
    expect(reg.get('deep-dive')?.loadout).toMatchObject({ think: true, models: [models.reasoning] });
    expect(reg.get('router')?.loadout.route).toBe(true);
    expect(reg.get('visual')?.outputs).toEqual(['text_token']);
  });

  it('visual chat speaks when visual_speak is on', () => {
    const visual = builtinModes(models, { monitorEvery: 5, visualSpeak: true }).get('visual');
    expect(visual?.steps.map((s) => s.name)).toEqual(['vision', 'tts']);
    expect(visual?.loadout.models.map((m) => m.role)).toEqual(['vision', 'tts']);
  });
});

describe('definitions that cannot work are refused, naming why', () => {
  const base = () =>
    definePipeline('x')
      .input('stream/audio')
      .trigger({ kind: 'vad_gated' })
      .loadout([models.vad, models.stt, models.voice, models.tts]);
  const cases: [string, () => unknown, RegExp][] = [
    [
      'a bad id',
      () => definePipeline('Bad Id').input('message/text').step('llm').output('text_token').build(),
      /id uses/,
    ],
    ['no steps', () => base().output('transcript').build(), /at least one step/],
    [
      'vad_gated without audio',
      () =>
        definePipeline('x')
          .input('message/text')
          .trigger({ kind: 'vad_gated' })
          .loadout([models.vad, models.voice])
          .step('llm')
          .output('text_token')
          .build(),
      /vad_gated trigger needs stream\/audio/,
    ],
    [
      'continuous(0)',
      () =>
        definePipeline('x')
          .input('stream/video')
          .trigger({ kind: 'continuous', every: 0 })
          .loadout([models.vision])
          .step('vision')
          .output('text_token')
          .build(),
      /whole n/,
    ],
    [
      'a step without its model',
      () => definePipeline('x').input('message/text').loadout([]).step('llm').output('text_token').build(),
      /llm needs a llm model/,
    ],
    [
      'steps out of order',
      () => base().step('tts').step('stt').output('audio_chunk').build(),
      /out of place/,
    ],
    [
      'tts without the audio_chunk sink',
      () => base().step('stt').step('llm').step('tts').output('text_token').build(),
      /audio_chunk sink/,
    ],
    [
      'rule without vision',
      () => base().step('stt').step('rule').output('notification').build(),
      /rule reads the vision step/,
    ],
    [
      'transcript without stt',
      () =>
        definePipeline('x')
          .input('message/text')
          .loadout([models.chat])
          .step('llm')
          .output('transcript')
          .build(),
      /transcript sink needs step stt/,
    ],
  ];
  it.each(cases)('%s', (_name, build, message) => {
    expect(build).toThrow(PipelineDefinitionError);
    expect(build).toThrow(message);
  });

  it('the registry checks what it is given and replaces a mode by id', () => {
    const reg = new ModeRegistry();
    const a = definePipeline('a')
      .summary('one')
      .input('message/text')
      .loadout([models.chat])
      .step('llm')
      .output('text_token')
      .build();
    const b = definePipeline('a')
      .summary('two')
      .input('message/text')
      .loadout([models.chat])
      .step('llm')
      .output('text_token')
      .build();
    reg.register(a).register(b);
    expect(reg.ids()).toEqual(['a']);
    expect(reg.get('a')?.summary).toBe('two');
    expect(() => reg.register({ ...a, steps: [] })).toThrow(/at least one step/);
  });
});
