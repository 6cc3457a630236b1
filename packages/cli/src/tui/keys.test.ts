import { describe, expect, it } from 'vitest';
import { keyName, parseKeys } from './keys.js';

const names = (seq: string): string[] => parseKeys(seq).map(keyName);

describe('parseKeys', () => {
  it.each([
    ['\u001bOP', 'f1'],
    ['\u001bOQ', 'f2'],
    ['\u001bOR', 'f3'],
    ['\u001bOS', 'f4'],
    ['\u001b[11~', 'f1'],
    ['\u001b[15~', 'f5'],
    ['\u001b[17~', 'f6'],
    ['\u001b[24~', 'f12'],
    ['\u001b[[A', 'f1'],
    ['\u001b[[E', 'f5'],
    ['\u001b[1;2P', 'shift+f1'],
  ])('function key %j is %s', (seq, name) => {
    expect(names(seq)).toEqual([name]);
  });

  it.each([
    ['\u001b[A', 'up'],
    ['\u001b[B', 'down'],
    ['\u001bOA', 'up'],
    ['\u001b[5~', 'pageup'],
    ['\u001b[6~', 'pagedown'],
    ['\u001b[H', 'home'],
    ['\u001b[F', 'end'],
    ['\u001b[1~', 'home'],
    ['\u001b[4~', 'end'],
    ['\u001b[7~', 'home'],
    ['\u001b[8~', 'end'],
    ['\u001bOH', 'home'],
    ['\u001b[3~', 'delete'],
    ['\u001b[1;5D', 'ctrl+left'],
    ['\u001b[Z', 'shift+tab'],
  ])('navigation key %j is %s', (seq, name) => {
    expect(names(seq)).toEqual([name]);
  });

  it('tells Enter, Alt+Enter and every Shift+Enter apart', () => {
    expect(names('\r')).toEqual(['return']);
    expect(names('\u001b\r')).toEqual(['alt+return']);
    expect(names('\u001b[13;2u')).toEqual(['shift+return']); // kitty
    expect(names('\u001b[27;2;13~')).toEqual(['shift+return']); // xterm modifyOtherKeys
    expect(names('\n')).toEqual(['ctrl+linefeed']);
  });

  it('names control keys', () => {
    expect(names('\u0003')).toEqual(['ctrl+c']);
    expect(names('\u0011')).toEqual(['ctrl+q']);
    expect(names('\u0004')).toEqual(['ctrl+d']);
    expect(names('\u000c')).toEqual(['ctrl+l']);
    expect(names('\u0012')).toEqual(['ctrl+r']);
    expect(names('\u007f')).toEqual(['backspace']);
    expect(names('\t')).toEqual(['tab']);
    expect(names('\u001b')).toEqual(['escape']);
    expect(names('\u001b[99;5u')).toEqual(['ctrl+c']); // kitty Ctrl+C
    expect(names('\u001b[27u')).toEqual(['escape']); // kitty Esc
    expect(names('\u001bb')).toEqual(['alt+b']);
  });

  it('keeps text, and splits typed text from the keys after it', () => {
    expect(parseKeys('héllo 世界 👋')).toEqual([
      { name: 'text', text: 'héllo 世界 👋', ctrl: false, meta: false, shift: false },
    ]);
    expect(names('hi\r')).toEqual(['hi', 'return']);
    expect(names('ab\u007fc')).toEqual(['ab', 'backspace', 'c']);
  });

  it('treats several lines at once as a paste, not as Enter presses', () => {
    const [k, ...rest] = parseKeys('one\rtwo\rthree');
    expect(rest).toEqual([]);
    expect(k).toMatchObject({ name: 'text', text: 'one\ntwo\nthree' });
  });

  it('reports bracketed paste markers', () => {
    expect(names('\u001b[200~')).toEqual(['paste-start']);
    expect(names('\u001b[201~')).toEqual(['paste-end']);
  });

  it('ignores sequences it does not know', () => {
    expect(parseKeys('\u001b[999~')).toEqual([]);
  });
});
