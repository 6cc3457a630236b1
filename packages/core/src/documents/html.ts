/**
 * HTML as readable text: scripts, styles and markup go, block elements become lines,
 * headings keep a `#`, list items a `-`, table cells a `|`, links their address, and
 * entities are decoded. Small and dependency-free: the model needs the words, not the DOM.
 */

const NAMED_ENTITIES: Record<string, string> = {
  amp: '&',
  lt: '<',
  gt: '>',
  quot: '"',
  apos: "'",
  nbsp: ' ',
  ndash: '–',
  mdash: '—',
  hellip: '…',
  lsquo: '‘',
  rsquo: '’',
  ldquo: '“',
  rdquo: '”',
  laquo: '«',
  raquo: '»',
  copy: '©',
  reg: '®',
  trade: '™',
  deg: '°',
  middot: '·',
  bull: '•',
  times: '×',
  divide: '÷',
  euro: '€',
  pound: '£',
  yen: '¥',
  cent: '¢',
  sect: '§',
  para: '¶',
  shy: '',
  zwj: '',
  zwnj: '',
};

/** Decode character references (`&amp;`, `&#233;`, `&#x1F600;`); unknown ones stay as they are. */
export function decodeEntities(s: string): string {
  return s.replace(/&(#x[0-9a-f]{1,6}|#[0-9]{1,7}|[a-z][a-z0-9]{1,31});?/gi, (m, ref: string) => {
    if (ref[0] === '#') {
      const code = ref[1] === 'x' || ref[1] === 'X' ? parseInt(ref.slice(2), 16) : parseInt(ref.slice(1), 10);
      if (!Number.isFinite(code) || code <= 0 || code > 0x10ffff || (code >= 0xd800 && code <= 0xdfff)) {
        return '\uFFFD';
      }
      if ((code < 32 && code !== 9 && code !== 10) || code === 127) return ' ';
      return String.fromCodePoint(code);
    }
    const named = NAMED_ENTITIES[ref.toLowerCase()];
    return named ?? m;
  });
}

const BLOCK =
  'address|article|aside|blockquote|dd|details|dialog|div|dl|dt|fieldset|figcaption|figure|footer|form|header|hr|main|nav|ol|p|pre|section|summary|table|ul|caption';

/** The readable text of an HTML document, and its `<title>` when it has one. */
export function htmlToText(html: string): { text: string; title?: string | undefined } {
  // U+0001 and U+0002 mark <pre> below; a document's own are dropped.
  // eslint-disable-next-line no-control-regex
  let s = html.replace(/[\u0001\u0002]/g, '');
  const titleMatch = /<title[^>]*>([\s\S]*?)<\/title\s*>/i.exec(s);
  const title = titleMatch?.[1] ? collapse(decodeEntities(titleMatch[1].replace(/<[^>]*>/g, ''))) : undefined;
  s = s.replace(/<!--[\s\S]*?(-->|$)/g, ' ');
  s = s.replace(/<!\[CDATA\[([\s\S]*?)\]\]>/g, '$1');
  s = s.replace(/<!doctype[^>]*>/gi, '');
  // Elements whose content is not text for a reader.
  s = s.replace(
    /<(script|style|noscript|template|svg|math|head|iframe|object|canvas|select)\b[^>]*>[\s\S]*?(<\/\1\s*>|$)/gi,
    ' ',
  );
  // Preformatted text keeps its spaces and lines: set aside, put back at the end.
  const pre: string[] = [];
  s = s.replace(/<pre\b[^>]*>([\s\S]*?)(<\/pre\s*>|$)/gi, (_m, body: string) => {
    pre.push(
      decodeEntities(body.replace(/<[^>]*>/g, ''))
        .replace(/^\n/, '')
        .trimEnd(),
    );
    return `\u0002\u0001${pre.length - 1}\u0001\u0002`;
  });
  // As in a browser, line breaks in the source are spaces; the elements below make the lines.
  s = s.replace(/\s+/g, ' ');
  s = s.replace(/<h([1-6])\b[^>]*>/gi, (_m, n: string) => `\n\n${'#'.repeat(Number(n))} `);
  s = s.replace(/<\/h[1-6]\s*>/gi, '\n\n');
  s = s.replace(/<li\b[^>]*>/gi, '\n- ');
  s = s.replace(/<\/(td|th)\s*>/gi, ' | ');
  s = s.replace(/<\/tr\s*>/gi, '\n');
  s = s.replace(/<(tr|tbody|thead|tfoot)\b[^>]*>|<\/(tbody|thead|tfoot)\s*>/gi, '');
  s = s.replace(/<br\s*\/?>/gi, '\n');
  s = s.replace(/<img\b[^>]*\balt\s*=\s*("([^"]*)"|'([^']*)')[^>]*>/gi, (_m, _q, a?: string, b?: string) => {
    const alt = (a ?? b ?? '').trim();
    return alt ? ` [image: ${alt}] ` : ' ';
  });
  s = s.replace(
    /<a\b[^>]*\bhref\s*=\s*("([^"]*)"|'([^']*)')[^>]*>([\s\S]*?)<\/a\s*>/gi,
    (_m, _q, a: string | undefined, b: string | undefined, inner: string) => {
      const href = (a ?? b ?? '').trim();
      const label = inner.replace(/<[^>]*>/g, '').trim();
      if (!href || href.startsWith('#') || /^javascript:/i.test(href) || label === '' || label === href) {
        return inner;
      }
      return `${inner} (${href})`;
    },
  );
  s = s.replace(new RegExp(`</?(${BLOCK})\\b[^>]*>`, 'gi'), '\n\n');
  s = s.replace(/<[^>]*>/g, '');
  s = decodeEntities(s);
  // Collapse whitespace outside <pre>; put <pre> back.
  const text = s
    .split('\u0001')
    .map((piece, i) =>
      i % 2 === 1
        ? (pre[Number(piece)] ?? '')
        : piece
            .replace(/[ \t\f\v\r\u00a0]+/g, ' ')
            .split('\n')
            .map((line) => line.replace(/\s*\|\s*$/, '').trim())
            .join('\n'),
    )
    .join('')
    .replaceAll('\u0002', '\n')
    .replace(/\n{3,}/g, '\n\n')
    .trim();
  return { text, title };
}

function collapse(s: string): string {
  return s.replace(/\s+/g, ' ').trim();
}
