/** Small helpers for reading a `ChatModel` event stream in tests. */
import { expect } from 'vitest';
import { isTerminalEvent, type ChatEvent } from '../../packages/core/src/events.js';

/** Every event of a stream, in order. */
export async function collect(stream: AsyncIterable<ChatEvent>): Promise<ChatEvent[]> {
  const out: ChatEvent[] = [];
  for await (const e of stream) out.push(e);
  return out;
}

/** The text deltas joined. */
export function textOf(events: readonly ChatEvent[]): string {
  return events.map((e) => (e.type === 'text-delta' ? e.text : '')).join('');
}

/** Asserts the stream has exactly one terminal event and that it is the last one; returns it. */
export function expectOneTerminal(events: readonly ChatEvent[]): ChatEvent {
  const terminals = events.filter(isTerminalEvent);
  expect(terminals.map((e) => e.type)).toHaveLength(1);
  const last = events.at(-1);
  expect(last).toBe(terminals[0]);
  return last as ChatEvent;
}
