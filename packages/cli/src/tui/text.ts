/** Text for the screen: wrapping by display width, control characters removed, colours stripped. */
import stringWidth from 'string-width';
import wrapAnsi from 'wrap-ansi';

/** Display width in terminal cells: CJK and most emoji count 2, escape sequences 0. */
export function displayWidth(s: string): number {
  return stringWidth(s);
}

export { sanitize } from '../sanitize.js';

// eslint-disable-next-line no-control-regex
const LEADING_SPACE = /^((?:\u001b\[[\d;]*m)*) /;
// eslint-disable-next-line no-control-regex
const TRAILING_SPACE = / ((?:\u001b\[[\d;]*m)*)$/;

/**
 * Split text (which may hold SGR escapes) into lines of at most `width` cells. Long words
 * are broken; CJK and emoji count double, so no line is ever wider than the screen.
 */
export function wrapLines(text: string, width: number): string[] {
  const w = Math.max(1, width);
  const out: string[] = [];
  for (const line of text.split('\n')) {
    if (line === '' || (line.length <= w && displayWidth(line) <= w)) {
      out.push(line);
      continue;
    }
    const rows = wrapAnsi(line, w, { hard: true, trim: false, wordWrap: true }).split('\n');
    // A wrap happens at a space: drop it from the end of the row before and the start of
    // the row after (indentation of the source line, on its first row, is kept).
    rows.forEach((r, i) => {
      const row = i === 0 ? r : r.replace(LEADING_SPACE, '$1');
      out.push(i < rows.length - 1 ? row.replace(TRAILING_SPACE, '$1') : row);
    });
  }
  return out;
}

// eslint-disable-next-line no-control-regex
const SGR = /\u001b\[([\d;]*)m/g;

/**
 * Drop the colour parts of SGR sequences (foreground, background, 256 and true colour) and
 * keep bold, italic, underline and inverse: what `NO_COLOR` and high contrast show.
 */
export function stripColors(s: string): string {
  return s.replace(SGR, (_m, params: string) => {
    const p = params === '' ? [0] : params.split(';').map(Number);
    const kept: number[] = [];
    for (let i = 0; i < p.length; i++) {
      const n = p[i] as number;
      if (n === 38 || n === 48 || n === 58) {
        i += p[i + 1] === 5 ? 2 : p[i + 1] === 2 ? 4 : 0;
        continue;
      }
      if ((n >= 30 && n <= 37) || n === 39 || (n >= 40 && n <= 47) || n === 49) continue;
      if ((n >= 90 && n <= 97) || (n >= 100 && n <= 107) || n === 2) continue;
      kept.push(n);
    }
    return kept.length > 0 ? `\u001b[${kept.join(';')}m` : '';
  });
}

/** Text with every escape sequence removed (for tests and widths). */
export function plain(s: string): string {
  // eslint-disable-next-line no-control-regex
  return s.replace(/\u001b\[[\d;?]*[A-Za-z]/g, '');
}

/** Cut to at most `width` cells, with an ellipsis when cut. Plain text only. */
export function truncate(s: string, width: number): string {
  if (displayWidth(s) <= width) return s;
  if (width <= 1) return width === 1 ? '…' : '';
  let out = '';
  let w = 0;
  for (const ch of s) {
    const cw = displayWidth(ch);
    if (w + cw > width - 1) break;
    out += ch;
    w += cw;
  }
  return `${out}…`;
}
