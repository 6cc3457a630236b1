import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { InputBuffer } from './input-buffer.js';
import { InputHistory } from './input-history.js';
import { displayWidth, plain, sanitize, stripColors, truncate, wrapLines } from './text.js';

describe('wrapLines', () => {
  it('counts CJK and emoji as two cells', () => {
    expect(displayWidth('世界')).toBe(4);
    expect(displayWidth('👋')).toBe(2);
    expect(wrapLines('世界世界世界', 5)).toEqual(['世界', '世界', '世界']);
  });

  it('never makes a line wider than the width, whatever the text', () => {
    const chars = fc.constantFrom('a', 'b', ' ', '世', '界', '👋', 'é', '\n', '\u001b[1mx\u001b[22m');
    fc.assert(
      fc.property(fc.array(chars, { maxLength: 200 }), fc.integer({ min: 2, max: 40 }), (parts, w) => {
        for (const l of wrapLines(parts.join(''), w)) expect(displayWidth(l)).toBeLessThanOrEqual(w);
      }),
      { numRuns: 300 },
    );
  });

  it('keeps all the text, and indentation on a first row', () => {
    const text = '  indented line that is long enough to wrap around';
    const lines = wrapLines(text, 20);
    expect(lines[0]?.startsWith('  indented')).toBe(true);
    expect(lines.map((l) => l.trim()).join(' ')).toBe(text.trim());
    expect(lines.slice(1).every((l) => !l.startsWith(' '))).toBe(true);
  });
});

describe('sanitize and colours', () => {
  it('removes control characters that could drive the terminal', () => {
    expect(sanitize('a\u001b]0;pwned\u0007b\r\nc\td')).toBe('a]0;pwnedb\nc    d');
  });

  it('strips colours but keeps bold, underline and inverse', () => {
    const s =
      '\u001b[1;31mred bold\u001b[39;22m \u001b[38;5;200mx\u001b[39m \u001b[7mi\u001b[27m \u001b[2mdim\u001b[22m';
    expect(stripColors(s)).toBe('\u001b[1mred bold\u001b[22m x \u001b[7mi\u001b[27m dim\u001b[22m');
    expect(plain(stripColors(s))).toBe('red bold x i dim');
  });

  it('truncates by display width', () => {
    expect(truncate('hello world', 6)).toBe('hello…');
    expect(truncate('世界世界', 5)).toBe('世界…');
    expect(truncate('ok', 5)).toBe('ok');
  });
});

describe('InputBuffer', () => {
  it('edits like a shell line', () => {
    const b = new InputBuffer();
    b.insert('hello world');
    b.deleteWord();
    expect(b.text).toBe('hello ');
    b.home();
    b.insert('> ');
    expect(b.text).toBe('> hello ');
    b.end();
    b.backspace();
    expect(b.text).toBe('> hello');
    b.home();
    b.killToEnd();
    expect(b.text).toBe('');
  });

  it('moves between lines keeping the column, by display width', () => {
    const b = new InputBuffer();
    b.insert('世界abc\nxyzw');
    expect(b.rows).toBe(2);
    expect(b.row).toBe(1);
    b.home();
    b.right();
    b.right(); // after "xy": column 2
    expect(b.vertical(-1)).toBe(true);
    expect(b.cursor).toBe(1); // after "世": also column 2
    expect(b.vertical(-1)).toBe(false);
    expect(b.vertical(1)).toBe(true);
    expect(b.row).toBe(1);
  });

  it('deletes whole emoji, not half of one', () => {
    const b = new InputBuffer();
    b.insert('a👋');
    b.backspace();
    expect(b.text).toBe('a');
  });
});

describe('InputHistory', () => {
  it('steps back and forth, and comes back to the draft', () => {
    const h = new InputHistory();
    h.add('one');
    h.add('two');
    h.add('two');
    expect(h.entries).toEqual(['one', 'two']);
    expect(h.prev('draft')).toBe('two');
    expect(h.prev('draft')).toBe('one');
    expect(h.prev('draft')).toBeUndefined();
    expect(h.next()).toBe('two');
    expect(h.next()).toBe('draft');
  });

  it('searches newest first, then older', () => {
    const h = new InputHistory();
    for (const t of ['fix the build', 'hello', 'Fix the tests']) h.add(t);
    const hit = h.search('fix');
    expect(hit).toEqual({ index: 2, text: 'Fix the tests' });
    expect(h.search('fix', hit?.index)).toEqual({ index: 0, text: 'fix the build' });
    expect(h.search('nothing')).toBeUndefined();
  });
});
