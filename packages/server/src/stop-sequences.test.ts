import { describe, expect, it } from 'vitest';
import { StopSequences, stopList } from './stop-sequences.js';

function run(stops: string[], deltas: string[]): { out: string; stopped: boolean } {
  const s = new StopSequences(stops);
  let out = '';
  for (const d of deltas) out += s.push(d);
  if (!s.stopped) out += s.flush();
  return { out, stopped: s.stopped };
}

describe('StopSequences', () => {
  it('passes text through when there are no stop strings', () => {
    expect(run([], ['a', 'b'])).toEqual({ out: 'ab', stopped: false });
  });

  it('cuts before a stop string inside one delta', () => {
    expect(run(['END'], ['hello END world'])).toEqual({ out: 'hello ', stopped: true });
  });

  it('finds a stop string split over several deltas, holding back only what could start one', () => {
    const s = new StopSequences(['\n\nHuman:']);
    expect(s.push('Hi there.\n')).toBe('Hi there.');
    expect(s.push('\nHum')).toBe('');
    expect(s.push('an: next')).toBe('');
    expect(s.stopped).toBe(true);
  });

  it('releases held text that turned out not to be a stop string', () => {
    expect(run(['STOP'], ['ST', 'ep ', 'S'])).toEqual({ out: 'STep S', stopped: false });
  });

  it('uses the earliest of several stop strings, and emits nothing after a stop', () => {
    const s = new StopSequences(['b', 'xyz']);
    expect(s.push('axyzb')).toBe('a');
    expect(s.push('more')).toBe('');
  });

  it('reads the stop field as OpenAI sends it', () => {
    expect(stopList(undefined)).toEqual([]);
    expect(stopList(null)).toEqual([]);
    expect(stopList('x')).toEqual(['x']);
    expect(stopList(['a', ''])).toEqual(['a']);
  });
});
