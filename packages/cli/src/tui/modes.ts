/**
 * Modes in the terminal: the three that need nothing but text (text, router, deep dive) run
 * here; voice, broadcast, visual chat and the monitor need a microphone, a camera or images,
 * which the browser UI and any WebSocket client of `parley serve` have (docs/PIPELINES.md).
 */
import {
  MODE_IDS,
  UsageError,
  builtinModes,
  defaultModelName,
  modelSpec,
  pipelineSettings,
  speechFromConfig,
  type ModeRegistry,
  type ParleyConfig,
  type StreamOptions,
} from '@parley/core';

/** The modes the terminal runs. */
export const TERMINAL_MODES = ['text', 'router', 'deep-dive'] as const;
export type TerminalMode = (typeof TERMINAL_MODES)[number];

/** The built-in modes as `parley serve` would offer them with this config. */
export function modeRegistry(config: ParleyConfig): ModeRegistry {
  const s = pipelineSettings(config);
  const speech = speechFromConfig(config).names;
  return builtinModes(
    {
      vad: modelSpec('vad', speech.vad, config),
      stt: modelSpec('stt', speech.stt, config),
      tts: modelSpec('tts', speech.tts, config),
      chat: modelSpec('llm', defaultModelName(config), config),
      voice: modelSpec('llm', s.voiceModel, config),
      vision: modelSpec('vision', s.visionModel, config),
      reasoning: modelSpec('llm', s.reasoningModel, config),
    },
    s,
  );
}

/** What a mode adds to each turn: routing, or the reasoning model with thinking on. */
export function modeStreamOptions(mode: TerminalMode, config: ParleyConfig): Omit<StreamOptions, 'system'> {
  if (mode === 'router') return { route: true };
  if (mode === 'deep-dive') return { model: pipelineSettings(config).reasoningModel, think: true };
  return {};
}

/**
 * The mode called `name`, when the terminal can run it.
 *
 * @throws UsageError naming the modes, or saying where a streaming mode runs
 */
export function terminalMode(name: string): TerminalMode {
  const n = name.trim();
  if ((TERMINAL_MODES as readonly string[]).includes(n)) return n as TerminalMode;
  if ((MODE_IDS as readonly string[]).includes(n)) {
    throw new UsageError(
      `mode ${n} needs a microphone, a camera or images: run parley serve and open the browser UI, or use any WebSocket client (docs/PROTOCOL.md)`,
    );
  }
  throw new UsageError(`unknown mode "${n.slice(0, 40)}": use ${MODE_IDS.join(', ')}`);
}

/** `/mode` without an argument: every mode, which one is on, and where each runs. */
export function describeModes(current: TerminalMode, config: ParleyConfig): string {
  const modes = modeRegistry(config).list();
  const w = Math.max(...modes.map((m) => m.id.length));
  const lines = ['modes (/mode NAME switches):'];
  for (const m of modes) {
    const here = (TERMINAL_MODES as readonly string[]).includes(m.id);
    const mark = m.id === current ? ' (current)' : '';
    lines.push(`  ${m.id.padEnd(w)}  ${m.summary}${mark}${here ? '' : ' [browser: parley serve]'}`);
  }
  return lines.join('\n');
}
