/**
 * The conversation's DOM: user messages as plain text, assistant replies as sanitised
 * markdown re-rendered at most once per frame while they stream.
 */
import { onHighlightReady, renderMarkdown } from './render.js';

function el(tag, attrs = {}, text) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) node.setAttribute(k, v);
  if (text !== undefined) node.textContent = text;
  return node;
}

/** Where a passage is, as core's formatLocation writes it: `notes.md:12-30`, `report.pdf, page 4`. */
export function formatLocation(c) {
  if (c.page !== undefined) return `${c.path}, page ${c.page}`;
  if (c.startLine === undefined) return c.path;
  if (c.endLine === undefined || c.endLine === c.startLine) return `${c.path}:${c.startLine}`;
  return `${c.path}:${c.startLine}-${c.endLine}`;
}

export class ChatView {
  /** @param {HTMLElement} log the scrolling conversation element */
  constructor(log, empty) {
    this.log = log;
    this.empty = empty;
    this.replies = new Set();
    onHighlightReady(() => {
      for (const r of this.replies) if (r.hasCode()) r.schedule();
    });
  }

  nearBottom() {
    return this.log.scrollHeight - this.log.scrollTop - this.log.clientHeight < 80;
  }

  /** Keep the newest text in view, unless the reader scrolled up to read something older. */
  keepInView(wasNearBottom) {
    if (wasNearBottom) this.log.scrollTop = this.log.scrollHeight;
  }

  add(node) {
    const stick = this.nearBottom();
    this.empty.hidden = true;
    this.log.append(node);
    this.keepInView(stick);
  }

  /**
   * A user message: text (never parsed as HTML), thumbnails of its images, its files by name.
   * @param {string} text
   * @param {{ name?: string, url?: string }[] | number} images attached images, or a count (history)
   * @param {{ name?: string, path?: string, mode?: string }[]} files attached files (sent, or from the history)
   */
  addUser(text, images = [], files = []) {
    const article = el('article', { class: 'msg user' });
    article.append(el('h2', { class: 'sr-only' }, 'You'), el('div', { class: 'body' }, text));
    if (Array.isArray(images) && images.length > 0) {
      const thumbs = el('div', { class: 'thumbs' });
      for (const img of images) {
        const i = el('img', { alt: img.name ? `attached image ${img.name}` : 'attached image' });
        if (img.url) i.src = img.url;
        thumbs.append(i);
      }
      article.append(thumbs);
    } else if (typeof images === 'number' && images > 0) {
      article.append(el('p', { class: 'badge' }, `${images} image(s)`));
    }
    if (files.length > 0) {
      const list = el('ul', { class: 'files', 'aria-label': 'Attached files' });
      for (const f of files) {
        const name = f.path ?? f.name ?? 'file';
        list.append(el('li', {}, f.mode === 'retrieval' ? `${name} (passages)` : name));
      }
      article.append(list);
    }
    this.add(article);
    return article;
  }

  /** An assistant reply that text can be streamed into. */
  addReply(turn) {
    const reply = new Reply(this, turn);
    this.replies.add(reply);
    this.add(reply.article);
    return reply;
  }

  /** Show a resumed session's history. */
  showHistory(history) {
    for (const item of history) {
      if (item.role === 'user') {
        this.addUser(item.text, item.images, item.attachments ?? []);
      } else {
        const r = this.addReply('history');
        r.text = item.text;
        r.finish('done');
      }
    }
  }

  clear() {
    for (const node of [...this.log.children]) if (node !== this.empty) node.remove();
    this.replies.clear();
    this.empty.hidden = false;
  }
}

/** One assistant reply. */
export class Reply {
  constructor(view, turn) {
    this.view = view;
    this.turn = turn;
    this.text = '';
    this.pending = false;
    this.article = el('article', { class: 'msg assistant streaming', 'data-turn': turn });
    this.body = el('div', { class: 'body', 'aria-live': 'polite', 'aria-busy': 'true' });
    this.article.append(el('h2', {}, 'parley'), this.body);
    this.reasoningText = undefined;
  }

  hasCode() {
    return this.body.querySelector('pre code[class*="language-"]') !== null;
  }

  append(text) {
    this.text += text;
    this.schedule();
  }

  /** Reasoning is shown apart from the answer, folded, as plain text. */
  reasoning(text) {
    if (!this.reasoningText) {
      const details = el('details');
      details.append(el('summary', {}, 'Reasoning'));
      this.reasoningText = el('div');
      details.append(this.reasoningText);
      this.article.insertBefore(details, this.body);
    }
    this.reasoningText.textContent += text;
  }

  /** A generated image (docs/images.md), from its authenticated URL, with its prompt below. */
  image(e) {
    const figure = el('figure', { class: 'generated' });
    const img = el('img', { src: e.url, alt: e.prompt, loading: 'lazy' });
    if (e.width && e.height) {
      img.setAttribute('width', String(e.width));
      img.setAttribute('height', String(e.height));
    }
    const link = el('a', { href: e.url, target: '_blank', rel: 'noopener' });
    link.append(img);
    figure.append(link, el('figcaption', {}, `${e.prompt} · ${e.model}`));
    this.article.insertBefore(figure, this.body.nextSibling);
  }

  /** The sources of an answer from a collection (`citations`), under the answer. */
  sources(citations) {
    if (citations.length === 0) return;
    const list = el('ol', { class: 'sources', 'aria-label': 'Sources' });
    for (const c of citations) list.append(el('li', { title: c.path }, `[${c.n}] ${formatLocation(c)}`));
    const box = el('section', { class: 'sources' });
    box.append(el('h3', {}, 'Sources'), list);
    this.article.insertBefore(box, this.body.nextSibling);
  }

  note(text) {
    this.article.append(el('p', { class: 'badge' }, text));
  }

  schedule() {
    if (this.pending) return;
    this.pending = true;
    requestAnimationFrame(() => this.flush());
  }

  flush() {
    this.pending = false;
    const stick = this.view.nearBottom();
    renderMarkdown(this.body, this.text);
    this.view.keepInView(stick);
  }

  /**
   * End the reply.
   * @param {'done' | 'interrupted' | 'error'} kind
   * @param {string} [message] shown for `interrupted` and `error`
   */
  finish(kind, message) {
    this.flush();
    this.article.classList.remove('streaming');
    this.article.dataset.state = kind;
    this.body.setAttribute('aria-busy', 'false');
    if (kind === 'interrupted') this.note(message ? `Interrupted: ${message}` : 'Interrupted');
    if (kind === 'error')
      this.article.append(el('p', { class: 'error', role: 'alert' }, message ?? 'failed'));
  }
}
