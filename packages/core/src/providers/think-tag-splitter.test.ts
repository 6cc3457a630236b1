import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ThinkTagSplitter } from './think-tag-splitter.js';

function run(chunks: string[]): { reasoning: string; text: string; events: number } {
  const s = new ThinkTagSplitter();
  const events = [...chunks.flatMap((c) => s.push(c)), ...s.flush()];
  return {
    reasoning: events.map((e) => (e.type === 'reasoning-delta' ? e.text : '')).join(''),
    text: events.map((e) => (e.type === 'text-delta' ? e.text : '')).join(''),
    events: events.length,
  };
}

describe('ThinkTagSplitter', () => {
  it('splits a leading block into reasoning and drops the line breaks around it', () => {
    expect(run(['<think>\nThe user greets me.\n</think>\n\nHello!'])).toMatchObject({
      reasoning: 'The user greets me.',
      text: 'Hello!',
    });
  });

  it('finds the tags across chunk boundaries', () => {
    expect(run(['  <th', 'ink>a', 'b</th', 'in', 'k>', '\n', 'ans', 'wer'])).toMatchObject({
      reasoning: 'ab',
      text: 'answer',
    });
  });

  it('leaves text without a leading block alone, tags and all', () => {
    expect(run(['Use <think> in XML', ' like </think> this'])).toEqual({
      reasoning: '',
      text: 'Use <think> in XML like </think> this',
      events: 2,
    });
    expect(run(['<b>bold</b>'])).toMatchObject({ reasoning: '', text: '<b>bold</b>' });
    expect(run(['<thin', 'g>'])).toMatchObject({ text: '<thing>' });
  });

  it('streams reasoning as it comes, holding back only a possible closing tag', () => {
    const s = new ThinkTagSplitter();
    expect(s.push('<think>step one')).toEqual([{ type: 'reasoning-delta', text: 'step one' }]);
    expect(s.push(' and </thi')).toEqual([{ type: 'reasoning-delta', text: ' and' }]);
    expect(s.push('nk>Done')).toEqual([{ type: 'text-delta', text: 'Done' }]);
    expect(s.flush()).toEqual([]);
  });

  it('an unfinished block is reasoning; a lone "<thi" is text', () => {
    expect(run(['<think>still thinking </th'])).toMatchObject({ reasoning: 'still thinking </th', text: '' });
    expect(run(['<thi'])).toMatchObject({ reasoning: '', text: '<thi' });
    expect(run(['<think></think>'])).toMatchObject({ reasoning: '', text: '', events: 0 });
  });

  it('gives the same result however the stream is chunked', () => {
    const piece = fc.constantFrom(
      '<think>',
      '</think>',
      '<',
      'think',
      '>',
      '\n',
      ' ',
      'a',
      'b c',
      '</',
      'thi',
    );
    fc.assert(
      fc.property(fc.array(piece, { maxLength: 12 }), fc.array(fc.nat(), { maxLength: 8 }), (parts, cuts) => {
        const whole = parts.join('');
        const points = [...new Set(cuts.map((c) => c % (whole.length + 1)))].sort((a, b) => a - b);
        const chunks: string[] = [];
        let at = 0;
        for (const p of points) {
          chunks.push(whole.slice(at, p));
          at = p;
        }
        chunks.push(whole.slice(at));
        const a = run([whole]);
        const b = run(chunks);
        expect({ reasoning: b.reasoning, text: b.text }).toEqual({ reasoning: a.reasoning, text: a.text });
      }),
    );
  });
});
