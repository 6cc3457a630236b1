/**
 * The chat screen's lines below the messages: the rule with its hint, the completion popup,
 * the input and the status bar. Plain functions of the controller's state.
 */
import type { CompletionState, SearchState } from './line-editor.js';
import type { InputBuffer } from './input-buffer.js';
import { displayWidth, truncate } from './text.js';
import type { Theme } from './theme.js';

export interface TurnStats {
  ttftMs: number | null;
  tokensPerSecond: number | null;
  inputTokens: number | undefined;
  outputTokens: number | undefined;
  cached: boolean;
}

export interface PopupItem {
  label: string;
  hint: string | undefined;
  selected: boolean;
}

/** Everything on screen, top to bottom. */
export interface Frame {
  width: number;
  /** Lines in all: the terminal's rows. */
  height: number;
  messages: string[];
  messageHeight: number;
  popup: PopupItem[] | undefined;
  /** The rule above the input, with a hint in it. */
  rule: string;
  input: string[];
  status: string;
  theme: Theme;
}

/** What the status bar shows. */
export interface StatusInfo {
  model: string;
  /** The chat's state, or the download in progress. */
  activity: string;
  stats: TurnStats;
  /** The rate to show: the last turn's, or the stream's so far. */
  tokensPerSecond: number | null | undefined;
  autoFollow: boolean;
  following: boolean;
  highContrast: boolean;
  conversationId: string | undefined;
}

const CURSOR_ON = '\u001b[7m';
const CURSOR_OFF = '\u001b[27m';
const PROMPT = '❯ ';
const MAX_POPUP = 6;

/** The rule above the input, `width` wide, with the hint (if any) in it. */
export function renderRule(hint: string | undefined, width: number): string {
  const w = width;
  if (!hint) return '─'.repeat(w);
  const text = ` ${truncate(hint, Math.max(1, w - 4))} `;
  return `──${text}${'─'.repeat(Math.max(0, w - 2 - displayWidth(text)))}`;
}

/** The completion popup: a window of at most six items around the selected one. */
export function renderPopup(
  c: Readonly<CompletionState> | undefined,
  searching: boolean,
): PopupItem[] | undefined {
  if (!c || searching) return undefined;
  const start = Math.max(0, Math.min(c.selected - MAX_POPUP + 1, c.items.length - MAX_POPUP));
  return c.items.slice(start, start + MAX_POPUP).map((it, i) => ({
    label: it.label,
    hint: it.hint,
    selected: start + i === c.selected,
  }));
}

export interface InputView {
  input: InputBuffer;
  search: Readonly<SearchState> | undefined;
  busy: boolean;
  theme: Theme;
  columns: number;
  rows: number;
}

/** The input's rows (at most a third of the screen, around the cursor), or Ctrl+R's search. */
export function renderInput(v: InputView): string[] {
  const w = Math.max(4, v.columns - 2);
  const maxRows = Math.max(1, Math.min(10, Math.floor(v.rows / 3)));
  const mark = v.theme.user(PROMPT);
  if (v.search) {
    const s = v.search;
    const found = s.hit ? s.hit.text.replace(/\n/g, ' ⏎ ') : s.query ? '(no match)' : '';
    const room = Math.max(4, v.columns - 10);
    const query = truncate(s.query, Math.floor(room / 2));
    const rest = truncate(found, Math.max(0, room - displayWidth(query) - 2));
    return [`${v.theme.user('search: ')}${query}${CURSOR_ON} ${CURSOR_OFF} ${rest}`];
  }
  if (v.input.empty) {
    const placeholder = v.busy
      ? 'the answer is streaming: Ctrl+C cancels'
      : 'type a message, or / for commands';
    return [`${mark}${CURSOR_ON} ${CURSOR_OFF}${v.theme.meta(truncate(placeholder, w - 1))}`];
  }
  const text = v.input.text;
  const cursor = v.input.cursor;
  const rows: string[] = [];
  let cursorRow = 0;
  let offset = 0;
  for (const line of text.split('\n')) {
    let row = '';
    let rowWidth = 0;
    let i = offset;
    const flush = (): void => {
      rows.push(row);
      row = '';
      rowWidth = 0;
    };
    for (const ch of line) {
      const cw = displayWidth(ch);
      if (rowWidth + cw > w) flush();
      if (i === cursor) {
        cursorRow = rows.length;
        row += `${CURSOR_ON}${ch}${CURSOR_OFF}`;
      } else row += ch;
      rowWidth += cw;
      i += ch.length;
    }
    if (offset + line.length === cursor) {
      if (rowWidth + 1 > w) flush();
      cursorRow = rows.length;
      row += `${CURSOR_ON} ${CURSOR_OFF}`;
    }
    rows.push(row);
    offset += line.length + 1;
  }
  const start = Math.max(0, Math.min(cursorRow - maxRows + 1, rows.length - maxRows));
  return rows.slice(start, start + maxRows).map((r, i) => (start + i === 0 ? mark : '  ') + r);
}

/** The status bar: what matters most first; the rest is dropped when the screen is narrow. */
export function renderStatus(info: StatusInfo, columns: number): string {
  const s = info.stats;
  const tps = info.tokensPerSecond;
  const segs: { text: string; rank: number }[] = [
    { text: info.model, rank: 0 },
    { text: info.activity, rank: 0 },
  ];
  if (s.ttftMs !== null) segs.push({ text: `ttft ${s.ttftMs} ms`, rank: 3 });
  if (tps !== null && tps !== undefined)
    segs.push({ text: `${tps.toFixed(tps >= 100 ? 0 : 1)} tok/s`, rank: 3 });
  if (s.inputTokens !== undefined || s.outputTokens !== undefined) {
    segs.push({ text: `${s.inputTokens ?? '?'} in · ${s.outputTokens ?? '?'} out`, rank: 4 });
  }
  if (s.cached) segs.push({ text: '[cached]', rank: 1 });
  if (!info.autoFollow) segs.push({ text: 'follow off', rank: 2 });
  else if (!info.following) segs.push({ text: 'scrolled', rank: 2 });
  if (info.highContrast) segs.push({ text: 'high contrast', rank: 2 });
  const id = info.conversationId;
  const idSeg = { text: id ? `#${id}` : 'new conversation', rank: 1 };
  segs.push(idSeg);
  const sep = ' │ ';
  const fits = (list: typeof segs): boolean => displayWidth(list.map((x) => x.text).join(sep)) + 2 <= columns;
  let list = segs;
  // Narrow: the id shortened first (the start of it is enough for /load's completion),
  // then the least useful figures dropped.
  if (!fits(list) && id) idSeg.text = `#${id.slice(0, 10)}…`;
  for (let r = 4; r >= 1 && !fits(list); r--) list = list.filter((x) => x.rank < r);
  return truncate(` ${list.map((x) => x.text).join(sep)}`, columns);
}
