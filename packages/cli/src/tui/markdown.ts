/**
 * Markdown for the terminal: marked + marked-terminal, code blocks highlighted by
 * cli-highlight (highlight.js) in the 16 terminal colours. Chosen by measuring against
 * shiki (docs/PERFORMANCE.md#terminal-ui): ~1 ms to render a typical answer, 16-colour
 * output that follows the terminal's palette, and no async highlighter to wait for.
 *
 * This module is heavy to import (~300 ms, mostly highlight.js), so the chat loads it in
 * the background after its first frame; until then answers show as plain text.
 */
import { highlight } from 'cli-highlight';
import { Marked, type Token, type Tokens } from 'marked';
import { markedTerminal } from 'marked-terminal';
import type { MarkdownEngine } from './transcript.js';
import { sanitize, stripColors } from './text.js';
import type { Theme } from './theme.js';

/** Code, highlighted when the theme says so and highlight.js knows the language, indented by two. */
function codeLines(theme: Theme, code: string, lang: string | undefined): string {
  const text = sanitize(code);
  let body = theme.md.code(text);
  const syntax = theme.md.syntax;
  if (syntax && lang) {
    try {
      body = highlight(text, { language: lang, ignoreIllegals: true, theme: syntax });
    } catch {
      // Not a language highlight.js knows: plain.
    }
  }
  return body
    .split('\n')
    .map((l) => `  ${l}`)
    .join('\n');
}

const codeLabel = (theme: Theme, lang: string | undefined): string => (lang ? theme.md.codeLabel(lang) : '');

/** How a code block is shown: a label with its language, then the code indented by two. */
function codeBlock(theme: Theme, code: string, lang: string | undefined): string {
  const label = codeLabel(theme, lang);
  return `${label ? `${label}\n` : ''}${codeLines(theme, code, lang)}\n\n`;
}

function makeMarked(theme: Theme, width: number): Marked {
  const md = theme.md;
  const m = new Marked();
  m.use(
    markedTerminal(
      {
        heading: md.heading,
        firstHeading: md.firstHeading,
        strong: md.strong,
        em: md.em,
        codespan: md.codespan,
        code: md.code,
        blockquote: md.blockquote,
        html: (s: string) => s,
        link: md.link,
        href: md.href,
        del: md.del,
        hr: md.hr,
        listitem: (s: string) => s,
        table: (s: string) => s,
        paragraph: (s: string) => s,
        width,
        reflowText: false,
        showSectionPrefix: true,
        tab: 2,
        emoji: true,
        tableOptions: { style: { head: theme.color ? ['cyan'] : [], border: [] } },
      },
      {},
    ),
  );
  m.use({
    renderer: {
      code(token: Tokens.Code): string {
        return codeBlock(theme, token.text, token.lang?.trim().split(/\s+/)[0] || undefined);
      },
      hr(): string {
        return `${md.hr('─'.repeat(Math.max(1, Math.min(width, 80))))}\n\n`;
      },
      // "text (url)": no OSC 8 hyperlinks, whose escapes terminals and widths disagree on.
      link(token: Tokens.Link): string {
        const text = this.parser.parseInline(token.tokens);
        const href = sanitize(token.href);
        return text === href || href === '' ? md.href(href || text) : `${md.link(text)} (${md.href(href)})`;
      },
    },
  });
  return m;
}

/** The markdown engine: marked-terminal rendering, one `Marked` per theme and width. */
export function createMarkdownEngine(): MarkdownEngine {
  const instances = new Map<string, Marked>();
  const lexer = new Marked();
  return {
    lex(text: string): { type: string; raw: string }[] {
      return lexer.lexer(text) as Token[];
    },
    render(raw: string, width: number, theme: Theme): string {
      const k = `${theme.name}:${width}`;
      let m = instances.get(k);
      if (!m) {
        m = makeMarked(theme, width);
        instances.set(k, m);
      }
      let out: string;
      try {
        out = m.parse(raw, { async: false });
      } catch {
        out = sanitize(raw);
      }
      out = out.replace(/\n+$/, '');
      return theme.color ? out : stripColors(out);
    },
    renderCode(code: string, lang: string | undefined, theme: Theme): string {
      const out = codeLines(theme, code, lang);
      return theme.color ? out : stripColors(out);
    },
    codeLabel(lang: string | undefined, theme: Theme): string {
      return codeLabel(theme, lang);
    },
  };
}
