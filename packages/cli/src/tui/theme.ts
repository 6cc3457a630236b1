/**
 * The three looks of the chat: `color` (the 16 terminal colours, which the terminal's own
 * palette keeps readable on a light or a dark background), `contrast` (F6: no colour at all,
 * emphasis by bold, underline and inverse video) and `plain` (`NO_COLOR`: the same, chosen
 * by the environment).
 */

export type ThemeName = 'color' | 'contrast' | 'plain';
export type Style = (s: string) => string;

const identity: Style = (s) => s;

/** An SGR style that survives nesting: an inner close re-opens the outer style. */
export function sgr(open: number | string, close: number): Style {
  const o = `\u001b[${open}m`;
  const c = `\u001b[${close}m`;
  return (s) => (s === '' ? s : `${o}${s.split(c).join(c + o)}${c}`);
}

const bold = sgr(1, 22);
const italic = sgr(3, 23);
const underline = sgr(4, 24);
/** Faint text, used only for reasoning (it is secondary by design; the answer never is). */
const dim = sgr(2, 22);
const inverse = sgr(7, 27);
const fg = (n: number): Style => sgr(n, 39);
const compose =
  (...styles: Style[]): Style =>
  (s) =>
    styles.reduceRight((acc, st) => st(acc), s);

export interface Theme {
  name: ThemeName;
  /** Whether colours may be used at all. */
  color: boolean;
  /** The marker and text of your messages. */
  user: Style;
  /** Slash-command output and hints. */
  info: Style;
  error: Style;
  /** Small print: `[interrupted]`, the model label. */
  meta: Style;
  /** A model's reasoning: dim (faint) in colour, italic without colour. */
  reasoning: Style;
  /** Markdown. */
  md: {
    heading: Style;
    firstHeading: Style;
    strong: Style;
    em: Style;
    codespan: Style;
    code: Style;
    codeLabel: Style;
    blockquote: Style;
    link: Style;
    href: Style;
    del: Style;
    hr: Style;
    /** Syntax highlighting on, with these styles for highlight.js scopes. */
    syntax: Record<string, Style> | undefined;
  };
  /** Ink props of the status bar and the input box border. */
  ink: {
    statusColor: string | undefined;
    statusInverse: boolean;
    accent: string | undefined;
    errorColor: string | undefined;
    dimColor: boolean;
  };
}

const strike = sgr(9, 29);

const colorTheme: Theme = {
  name: 'color',
  color: true,
  user: compose(bold, fg(36)),
  info: fg(35),
  error: compose(bold, fg(31)),
  meta: fg(35),
  reasoning: dim,
  md: {
    heading: compose(bold, fg(32)),
    firstHeading: compose(bold, underline, fg(35)),
    strong: bold,
    em: italic,
    codespan: fg(33),
    code: identity,
    codeLabel: fg(35),
    blockquote: compose(italic, fg(34)),
    link: fg(34),
    href: compose(underline, fg(34)),
    del: strike,
    hr: fg(35),
    syntax: {
      keyword: fg(35),
      built_in: fg(36),
      type: fg(36),
      literal: fg(34),
      number: fg(32),
      regexp: fg(31),
      string: fg(32),
      subst: identity,
      symbol: fg(31),
      class: fg(34),
      function: fg(34),
      title: fg(34),
      params: identity,
      comment: compose(italic, fg(34)),
      doctag: fg(32),
      meta: fg(35),
      section: fg(34),
      tag: fg(34),
      name: fg(34),
      attr: fg(36),
      attribute: fg(36),
      variable: fg(31),
      bullet: fg(35),
      addition: fg(32),
      deletion: fg(31),
      default: identity,
    },
  },
  ink: { statusColor: 'blue', statusInverse: true, accent: 'cyan', errorColor: 'red', dimColor: false },
};

/** No colour: bold, italic, underline and inverse only, readable on any background. */
const monoTheme = (name: 'contrast' | 'plain'): Theme => ({
  name,
  color: false,
  user: bold,
  info: italic,
  error: bold,
  meta: italic,
  reasoning: italic,
  md: {
    heading: bold,
    firstHeading: compose(bold, underline),
    strong: bold,
    em: italic,
    codespan: bold,
    code: identity,
    codeLabel: italic,
    blockquote: italic,
    link: underline,
    href: underline,
    del: strike,
    hr: identity,
    syntax: name === 'contrast' ? { keyword: bold, built_in: bold, comment: italic } : undefined,
  },
  ink: {
    statusColor: undefined,
    statusInverse: true,
    accent: undefined,
    errorColor: undefined,
    dimColor: false,
  },
});

export const THEMES: Record<ThemeName, Theme> = {
  color: colorTheme,
  contrast: monoTheme('contrast'),
  plain: monoTheme('plain'),
};

/** Whether the environment asks for no colour (`NO_COLOR`, any value but empty, or `TERM=dumb`). */
export function noColorRequested(env: NodeJS.ProcessEnv = process.env): boolean {
  return (env.NO_COLOR !== undefined && env.NO_COLOR !== '') || env.TERM === 'dumb';
}

/** The theme for the settings: high contrast wins, then `NO_COLOR`. */
export function pickTheme(highContrast: boolean, noColor: boolean): Theme {
  if (highContrast) return THEMES.contrast;
  return noColor ? THEMES.plain : THEMES.color;
}

export { bold, inverse, italic, underline };
