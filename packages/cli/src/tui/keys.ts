/* eslint-disable no-control-regex -- terminal escape sequences are what this file is about */
/**
 * Terminal input → key events. Ink hands us raw sequences (one escape sequence, or a run of
 * plain text); this turns them into named keys, including what Ink's own `useInput` does not
 * name: F1–F12, Shift+Enter (kitty and xterm `modifyOtherKeys` forms), Alt+Enter, and
 * bracketed paste.
 */

export interface KeyEvent {
  /**
   * `text` for printable text (`text` holds it), `paste-start` / `paste-end` around a
   * bracketed paste, or a key: `return`, `linefeed` (Ctrl+J), `tab`, `backspace`, `delete`,
   * `escape`, `up`, `down`, `left`, `right`, `home`, `end`, `pageup`, `pagedown`, `insert`,
   * `f1`…`f12`, or a letter with `ctrl` (Ctrl+C is `{ name: 'c', ctrl: true }`).
   */
  name: string;
  ctrl: boolean;
  meta: boolean;
  shift: boolean;
  text?: string;
}

const key = (name: string, mods: Partial<Omit<KeyEvent, 'name'>> = {}): KeyEvent => ({
  name,
  ctrl: false,
  meta: false,
  shift: false,
  ...mods,
});

/** Modifier bits of xterm and kitty sequences (the parameter is 1 + bits). */
function modifiers(param: number | undefined): Pick<KeyEvent, 'ctrl' | 'meta' | 'shift'> {
  const bits = param === undefined || Number.isNaN(param) ? 0 : Math.max(0, param - 1);
  return { shift: (bits & 1) !== 0, meta: (bits & 2) !== 0 || (bits & 32) !== 0, ctrl: (bits & 4) !== 0 };
}

const TILDE: Record<number, string> = {
  1: 'home',
  2: 'insert',
  3: 'delete',
  4: 'end',
  5: 'pageup',
  6: 'pagedown',
  7: 'home',
  8: 'end',
  11: 'f1',
  12: 'f2',
  13: 'f3',
  14: 'f4',
  15: 'f5',
  17: 'f6',
  18: 'f7',
  19: 'f8',
  20: 'f9',
  21: 'f10',
  23: 'f11',
  24: 'f12',
};

const LETTER: Record<string, string> = {
  A: 'up',
  B: 'down',
  C: 'right',
  D: 'left',
  H: 'home',
  F: 'end',
  P: 'f1',
  Q: 'f2',
  R: 'f3',
  S: 'f4',
  Z: 'tab',
};

/** A key from a kitty `CSI code ; mods u` or xterm `CSI 27 ; mods ; code ~` code point. */
function fromCodePoint(code: number, mods: Pick<KeyEvent, 'ctrl' | 'meta' | 'shift'>): KeyEvent {
  switch (code) {
    case 13:
      return key('return', mods);
    case 9:
      return key('tab', mods);
    case 27:
      return key('escape', mods);
    case 127:
    case 8:
      return key('backspace', mods);
    default:
      break;
  }
  const ch = String.fromCodePoint(code);
  if (mods.ctrl && /^[a-z]$/i.test(ch)) return key(ch.toLowerCase(), mods);
  if (!mods.ctrl && !mods.meta) return { ...key('text', mods), text: mods.shift ? ch.toUpperCase() : ch };
  return key(ch.toLowerCase(), mods);
}

/** One escape sequence (starting with ESC) → a key, or undefined when unknown. */
function parseEscape(seq: string): KeyEvent | undefined {
  if (seq === '\u001b') return key('escape');
  if (seq === '\u001b\u001b') return key('escape', { meta: true });
  // Linux console F1–F5: ESC [ [ A … E
  const linux = /^\u001b\[\[([A-E])$/.exec(seq);
  if (linux) return key(`f${'ABCDE'.indexOf(linux[1] as string) + 1}`);
  const csi = /^\u001b(\u001b?)\[([\d;:]*)([A-Za-z~^$])$/.exec(seq);
  if (csi) {
    const alt = csi[1] === '\u001b';
    const params = (csi[2] ?? '').split(';').map((p) => Number.parseInt(p.split(':')[0] ?? '', 10));
    const final = csi[3] as string;
    const withAlt = (k: KeyEvent | undefined): KeyEvent | undefined => (k && alt ? { ...k, meta: true } : k);
    if (final === 'u') return withAlt(fromCodePoint(params[0] ?? 0, modifiers(params[1])));
    if (final === '~') {
      const n = params[0] ?? 0;
      if (n === 200) return key('paste-start');
      if (n === 201) return key('paste-end');
      if (n === 27 && params.length >= 3) return withAlt(fromCodePoint(params[2] ?? 0, modifiers(params[1])));
      const name = TILDE[n];
      return name ? withAlt(key(name, modifiers(params[1]))) : undefined;
    }
    const name = LETTER[final];
    if (!name) return undefined;
    const mods = modifiers(params.length > 1 ? params[1] : undefined);
    if (final === 'Z') mods.shift = true;
    return withAlt(key(name, mods));
  }
  const ss3 = /^\u001bO([A-DHFPQRS])$/.exec(seq);
  if (ss3) return key(LETTER[ss3[1] as string] as string);
  // ESC + one character: Alt (meta) + that key.
  const rest = seq.slice(1);
  if ([...rest].length === 1) {
    const [inner] = parseText(rest);
    if (inner) return { ...inner, meta: true };
  }
  return undefined;
}

/** A control character → its key. */
function controlKey(ch: string): KeyEvent | undefined {
  const c = ch.charCodeAt(0);
  if (ch === '\r') return key('return');
  if (ch === '\n') return key('linefeed', { ctrl: true });
  if (ch === '\t') return key('tab');
  if (ch === '\u007f' || ch === '\b') return key('backspace');
  if (c === 0) return key('space', { ctrl: true });
  if (c >= 1 && c <= 26) return key(String.fromCharCode(c + 96), { ctrl: true });
  if (c === 0x1c) return key('\\', { ctrl: true });
  if (c === 0x1f) return key('/', { ctrl: true });
  return undefined;
}

const CONTROL = /[\u0000-\u001f\u007f]/;

/** A run of text with no escape: printable text, control keys, or a paste without brackets. */
function parseText(s: string): KeyEvent[] {
  // Several lines at once (text after a line break) is a paste from a terminal without
  // bracketed paste: the line breaks are part of the text, not Enter presses.
  if (/[\r\n][^\r\n]/.test(s) && s.length > 2) {
    return [{ ...key('text'), text: s.replace(/\r\n?/g, '\n') }];
  }
  const out: KeyEvent[] = [];
  let run = '';
  for (const ch of s) {
    if (CONTROL.test(ch)) {
      if (run) out.push({ ...key('text'), text: run });
      run = '';
      const k = controlKey(ch);
      if (k) out.push(k);
    } else {
      run += ch;
    }
  }
  if (run) out.push({ ...key('text'), text: run });
  return out;
}

/** Turn one chunk of terminal input, as Ink emits it, into key events. */
export function parseKeys(seq: string): KeyEvent[] {
  if (seq.startsWith('\u001b')) {
    const k = parseEscape(seq);
    return k ? [k] : [];
  }
  return parseText(seq);
}

/** A short name for a key, for help texts and tests: `ctrl+c`, `f5`, `shift+return`. */
export function keyName(k: KeyEvent): string {
  if (k.name === 'text' && !k.ctrl && !k.meta) return k.text ?? '';
  const name = k.name === 'text' ? (k.text ?? '') : k.name;
  return `${k.ctrl ? 'ctrl+' : ''}${k.meta ? 'alt+' : ''}${k.shift ? 'shift+' : ''}${name}`;
}
