import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { loadConfig } from '../config/load.js';
import { ConfigError } from '../errors.js';
import { modelSpec } from './loader.js';
import { DEFAULT_MONITOR_RULE, pipelineSettings } from './modes.js';

let home: string;
let file: string;
beforeEach(() => {
  home = mkdtempSync(path.join(os.tmpdir(), 'parley-pipecfg-'));
  mkdirSync(path.join(home, 'config'), { recursive: true });
  file = path.join(home, 'config', 'config.toml');
});
afterEach(() => rmSync(home, { recursive: true, force: true }));

const load = () => loadConfig({ env: { PARLEY_HOME: home } }).config;
function errorOf(toml: string): ConfigError {
  writeFileSync(file, toml);
  try {
    load();
  } catch (e) {
    if (e instanceof ConfigError) return e;
    throw e;
  }
  throw new Error('expected a ConfigError');
}

describe('[pipelines] and [residency]', () => {
  it('have defaults, and take what the file says', () => {
    writeFileSync(file, 'model = "canned:echo"\n');
    expect(pipelineSettings(load())).toEqual({
      voiceModel: 'canned:echo',
      visionModel: 'canned:echo',
      reasoningModel: 'canned:echo',
      voiceMaxTokens: 256,
      visualSpeak: false,
      audioLeadMs: 400,
      monitorEvery: 10,
      monitorRule: DEFAULT_MONITOR_RULE,
      videoBacklog: 8,
    });
    writeFileSync(
      file,
      [
        'model = "canned:echo"',
        '[pipelines]',
        'reasoning_model = "openai:o3"',
        'monitor_every = 3',
        'monitor_rule = "Is the oven on?"',
        '[residency]',
        'budget_mb = 2048',
        'sticky = ["stt"]',
        'models = { "openai:o3" = 0, "pocketsphinx" = 55 }',
      ].join('\n'),
    );
    const c = load();
    expect(pipelineSettings(c)).toMatchObject({
      reasoningModel: 'openai:o3',
      monitorEvery: 3,
      monitorRule: 'Is the oven on?',
    });
    expect(c.residency).toEqual({
      budget_mb: 2048,
      sticky: ['stt'],
      models: { 'openai:o3': 0, pocketsphinx: 55 },
    });
    expect(modelSpec('stt', 'pocketsphinx', c)).toEqual({ role: 'stt', id: 'pocketsphinx', memoryMb: 55 });
    expect(modelSpec('tts', 'espeak-ng', c).memoryMb).toBe(10);
    // A cloud model takes no local memory; a GGUF file its size plus a fifth.
    expect(modelSpec('llm', 'openai:gpt-4o', c).memoryMb).toBe(0);
  });

  const cases: [string, string, string, RegExp][] = [
    [
      'monitor_every 0',
      '[pipelines]\nmonitor_every = 0\n',
      'pipelines.monitor_every',
      /pipelines\.monitor_every/,
    ],
    ['an empty rule', '[pipelines]\nmonitor_rule = "  "\n', 'pipelines.monitor_rule', /monitor_rule/],
    ['a lead below 20 ms', '[pipelines]\naudio_lead_ms = 5\n', 'pipelines.audio_lead_ms', /audio_lead_ms/],
    ['an unknown [pipelines] key', '[pipelines]\ndefault = "voice"\n', 'pipelines.default', /unknown key/],
    ['a zero budget', '[residency]\nbudget_mb = 0\n', 'residency.budget_mb', /budget_mb/],
    ['an unknown sticky role', '[residency]\nsticky = ["gpu"]\n', 'residency.sticky.0', /sticky/],
    ['a negative estimate', '[residency]\nmodels = { "local" = -1 }\n', 'residency.models.local', /models/],
    ['a string budget', '[residency]\nbudget_mb = "lots"\n', 'residency.budget_mb', /budget_mb/],
  ];
  it.each(cases)('%s is refused, naming the key and its line', (_name, toml, key, message) => {
    const e = errorOf(toml);
    expect(e.key).toBe(key);
    expect(e.message).toMatch(message);
    expect(e.line).toBe(2);
  });
});
