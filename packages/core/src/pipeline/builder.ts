/**
 * The typed builder of pipeline definitions, its checks, and the registry of modes.
 *
 * @example
 * ```ts
 * const voice = definePipeline('voice')
 *   .summary('talk and listen')
 *   .input('stream/audio')
 *   .trigger({ kind: 'vad_gated' })
 *   .loadout([stt, llm, tts])
 *   .step('stt').step('llm').step('tts')
 *   .output('transcript', 'text_token', 'audio_chunk')
 *   .build();
 * ```
 */
import { ParleyError } from '../errors.js';
import {
  STEP_NAMES,
  type InputChannel,
  type Loadout,
  type ModelRole,
  type ModelSpec,
  type OutputSink,
  type PipelineDefinition,
  type StepDefinition,
  type StepHooks,
  type StepName,
  type Trigger,
} from './types.js';

/** A definition that cannot work (a step without its model, a trigger without its input, …). */
export class PipelineDefinitionError extends ParleyError {
  constructor(id: string, message: string) {
    super('config', `pipeline ${id}: ${message}`);
  }
}

/** Builds a {@link PipelineDefinition}; `build()` checks that the parts fit together. */
export class PipelineBuilder {
  private text = '';
  private readonly inputs = new Set<InputChannel>();
  private trig: Trigger = { kind: 'request_response' };
  private models: ModelSpec[] = [];
  private options: Omit<Loadout, 'models'> = {};
  private readonly steps: StepDefinition[] = [];
  private readonly outputs = new Set<OutputSink>();

  constructor(readonly id: string) {}

  summary(text: string): this {
    this.text = text;
    return this;
  }

  input(...channels: InputChannel[]): this {
    for (const c of channels) this.inputs.add(c);
    return this;
  }

  trigger(t: Trigger): this {
    this.trig = t;
    return this;
  }

  /** The models this pipeline needs (and thinking or routing for its language model). */
  loadout(models: readonly ModelSpec[], options: Omit<Loadout, 'models'> = {}): this {
    this.models = [...models];
    this.options = options;
    return this;
  }

  step(name: StepName, hooks?: StepHooks): this {
    this.steps.push(hooks ? { name, hooks } : { name });
    return this;
  }

  output(...sinks: OutputSink[]): this {
    for (const s of sinks) this.outputs.add(s);
    return this;
  }

  /** @throws PipelineDefinitionError naming what does not fit */
  build(): PipelineDefinition {
    const def: PipelineDefinition = {
      id: this.id,
      summary: this.text,
      inputs: [...this.inputs],
      trigger: this.trig,
      loadout: { models: this.models, ...this.options },
      steps: [...this.steps],
      outputs: [...this.outputs],
    };
    checkDefinition(def);
    return Object.freeze(def);
  }
}

/** Start a pipeline definition. */
export function definePipeline(id: string): PipelineBuilder {
  return new PipelineBuilder(id);
}

const STEP_NEEDS: Partial<Record<StepName, ModelRole>> = {
  stt: 'stt',
  llm: 'llm',
  vision: 'vision',
  tts: 'tts',
};

/** Check that a definition's parts fit together. */
export function checkDefinition(d: PipelineDefinition): void {
  const fail = (m: string): never => {
    throw new PipelineDefinitionError(d.id, m);
  };
  if (!/^[a-z][a-z0-9-]{0,31}$/.test(d.id)) fail('an id uses a-z, 0-9 and -, up to 32 characters');
  if (d.inputs.length === 0) fail('needs at least one input channel');
  if (d.steps.length === 0) fail('needs at least one step');
  if (d.outputs.length === 0) fail('needs at least one output sink');
  const has = (c: InputChannel): boolean => d.inputs.includes(c);
  const t = d.trigger;
  if (t.kind === 'vad_gated' && !has('stream/audio')) fail('a vad_gated trigger needs stream/audio');
  if (t.kind === 'continuous') {
    if (!has('stream/video')) fail('a continuous trigger needs stream/video');
    if (!Number.isInteger(t.every) || t.every < 1) fail('continuous(n) needs a whole n of 1 or more');
  }
  if (t.kind === 'request_response' && !has('message/text'))
    fail('a request_response trigger needs message/text');
  const roles = new Set(d.loadout.models.map((m) => m.role));
  if (t.kind === 'vad_gated' && !roles.has('vad'))
    fail('a vad_gated trigger needs a vad model in its loadout');
  const names = d.steps.map((s) => s.name);
  let last = -1;
  for (const s of names) {
    const i = STEP_NAMES.indexOf(s);
    if (i < 0) fail(`unknown step ${String(s)}`);
    if (i <= last) fail(`steps run in the order ${STEP_NAMES.join(', ')}, each once (${s} is out of place)`);
    last = i;
    const role = STEP_NEEDS[s];
    if (role && !roles.has(role)) fail(`step ${s} needs a ${role} model in its loadout`);
  }
  if (names.includes('llm') && names.includes('vision')) fail('use llm or vision, not both');
  if (names.includes('stt') && !has('stream/audio')) fail('step stt needs stream/audio');
  if (names.includes('rule') && !names.includes('vision')) fail('step rule reads the vision step: add it');
  if (names.includes('rule') && !d.outputs.includes('notification'))
    fail('step rule needs the notification sink');
  if (names.includes('tts') && !d.outputs.includes('audio_chunk'))
    fail('step tts needs the audio_chunk sink');
  if (d.outputs.includes('transcript') && !names.includes('stt')) fail('the transcript sink needs step stt');
  if (d.outputs.includes('audio_chunk') && !names.includes('tts'))
    fail('the audio_chunk sink needs step tts');
}

/** The modes a server or terminal offers, by id, in the order they were registered. */
export class ModeRegistry {
  private readonly modes = new Map<string, PipelineDefinition>();

  constructor(definitions: Iterable<PipelineDefinition> = []) {
    for (const d of definitions) this.register(d);
  }

  /** Add a mode, or replace the one with its id. */
  register(d: PipelineDefinition): this {
    checkDefinition(d);
    this.modes.set(d.id, d);
    return this;
  }

  get(id: string): PipelineDefinition | undefined {
    return this.modes.get(id);
  }

  has(id: string): boolean {
    return this.modes.has(id);
  }

  ids(): string[] {
    return [...this.modes.keys()];
  }

  list(): PipelineDefinition[] {
    return [...this.modes.values()];
  }
}
