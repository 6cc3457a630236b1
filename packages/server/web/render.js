/**
 * Markdown to safe HTML: marked renders, highlight.js colours code blocks, and DOMPurify
 * sanitises the whole result before it touches the DOM. Nothing else writes model text as
 * HTML. highlight.js and each language load on first use; when one arrives, `onHighlightReady`
 * lets the caller render again.
 */
import { Marked } from '/vendor/marked.js';
import DOMPurify from '/vendor/purify.js';

/** Short names models use for fences, mapped to highlight.js language files. */
const ALIASES = {
  js: 'javascript',
  jsx: 'javascript',
  mjs: 'javascript',
  ts: 'typescript',
  tsx: 'typescript',
  py: 'python',
  sh: 'bash',
  shell: 'bash',
  zsh: 'bash',
  console: 'bash',
  html: 'xml',
  svg: 'xml',
  yml: 'yaml',
  rs: 'rust',
  golang: 'go',
  'c++': 'cpp',
  cs: 'csharp',
  'c#': 'csharp',
  kt: 'kotlin',
  rb: 'ruby',
  md: 'markdown',
  text: 'plaintext',
  txt: 'plaintext',
};
/** A language's file name under /vendor/highlight/languages/ (and its highlight.js name). */
const FILE = /^[a-z0-9_-]{1,32}$/;

let hljs;
let corePromise;
const loading = new Set();
const listeners = new Set();

/** Call `fn` whenever highlight.js or a language finished loading (so code can be coloured now). */
export function onHighlightReady(fn) {
  listeners.add(fn);
  return () => listeners.delete(fn);
}

function ready() {
  for (const fn of listeners) fn();
}

/** The highlight.js name of a fence's language, or undefined for none or a name we will not fetch. */
function canonical(lang) {
  const l = (lang ?? '').toLowerCase();
  const name = Object.hasOwn(ALIASES, l) ? ALIASES[l] : l;
  return FILE.test(name) ? name : undefined;
}

/** Load highlight.js and the language in the background, once each; a missing language stays plain. */
function load(name) {
  if (loading.has(name)) return;
  loading.add(name);
  corePromise ??= import('/vendor/highlight/core.js').then((m) => {
    hljs = m.default;
    addTheme('github', '(prefers-color-scheme: light)');
    addTheme('github-dark', '(prefers-color-scheme: dark)');
  });
  corePromise
    .then(() => import(`/vendor/highlight/languages/${name}.js`))
    .then((m) => {
      if (!hljs.getLanguage(name)) hljs.registerLanguage(name, m.default);
      ready();
    })
    .catch(() => undefined);
}

/** highlight.js's colours, fetched with highlight.js itself so they never hold up the first paint. */
function addTheme(name, media) {
  const link = document.createElement('link');
  link.rel = 'stylesheet';
  link.href = `/vendor/highlight/styles/${name}.css`;
  link.media = media;
  document.head.append(link);
}

function escapeHtml(s) {
  return s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** The inside of a code block: highlighted once its language is loaded, escaped text until then. */
function highlight(text, name) {
  if (!name) return escapeHtml(text);
  if (hljs?.getLanguage(name)) {
    try {
      return hljs.highlight(text, { language: name, ignoreIllegals: true }).value;
    } catch {
      return escapeHtml(text);
    }
  }
  load(name);
  return escapeHtml(text);
}

const marked = new Marked({
  gfm: true,
  breaks: false,
  renderer: {
    code({ text, lang }) {
      const name = canonical((lang ?? '').trim().split(/\s+/)[0]);
      const cls = name ? ` language-${name}` : '';
      return `<pre><code class="hljs${cls}">${highlight(text, name)}</code></pre>\n`;
    },
  },
});

/** What may appear in a reply: DOMPurify's HTML profile without forms, styles or frames. */
const PURIFY = {
  USE_PROFILES: { html: true },
  FORBID_TAGS: ['style', 'form', 'input', 'button', 'textarea', 'select', 'option', 'iframe', 'frame'],
  FORBID_ATTR: ['style', 'srcset', 'action', 'formaction'],
  ALLOW_DATA_ATTR: false,
};

DOMPurify.addHook('afterSanitizeAttributes', (node) => {
  if (node.tagName === 'A' && node.hasAttribute('href')) {
    node.setAttribute('target', '_blank');
    node.setAttribute('rel', 'noopener noreferrer nofollow');
  }
});

/** Markdown (possibly half-streamed) to sanitised HTML. */
export function toSafeHtml(markdown) {
  const html = marked.parse(markdown, { async: false });
  return DOMPurify.sanitize(html, PURIFY);
}

/**
 * Render markdown into `el`. Call it as often as text arrives; the caller batches calls to
 * one per frame.
 */
export function renderMarkdown(el, markdown) {
  el.innerHTML = toSafeHtml(markdown);
}
