import { beforeAll, describe, expect, it } from 'vitest';
import { createMarkdownEngine } from './markdown.js';
import { displayWidth, plain } from './text.js';
import { THEMES } from './theme.js';
import { Transcript, plainEngine, type MarkdownEngine, type RenderContext } from './transcript.js';

let md: MarkdownEngine;
beforeAll(() => {
  md = createMarkdownEngine();
});

/** The markdown engine, counting what it is asked to do. */
function counting(inner: MarkdownEngine): MarkdownEngine & { renders: string[]; lexed: number } {
  const c = {
    renders: [] as string[],
    lexed: 0,
    lex(text: string) {
      c.lexed += text.length;
      return inner.lex(text);
    },
    render(raw: string, width: number, theme: typeof THEMES.color) {
      c.renders.push(raw);
      return inner.render(raw, width, theme);
    },
  };
  return c;
}

const ctx = (over: Partial<RenderContext> = {}): RenderContext => ({
  width: 60,
  theme: THEMES.plain,
  md,
  ...over,
});

const ANSWER = [
  '# Title',
  '',
  'First paragraph with **bold** text.',
  '',
  '```ts',
  'const x: number = 1;',
  '```',
  '',
  '- one',
  '- two',
  '',
  'Last paragraph.',
].join('\n');

/** Stream `text` into a new assistant entry, a few characters at a time, drawing each time. */
function stream(t: Transcript, text: string, c: RenderContext, step = 3) {
  const e = t.add('assistant', '', true);
  for (let i = 0; i < text.length; i += step) {
    e.append(text.slice(i, i + step));
    t.viewport(20, c);
  }
  return e;
}

describe('streaming markdown', () => {
  it('renders each complete block once, and only the open block again', () => {
    const m = counting(md);
    const t = new Transcript();
    stream(t, ANSWER, ctx({ md: m }));
    for (const block of ['# Title', 'First paragraph with **bold** text.', '- one\n- two']) {
      expect(m.renders.filter((r) => r === block).length).toBe(1);
    }
    expect(m.renders.length).toBeGreaterThan(ANSWER.length / 3 - 5); // the open block, each delta
  });

  it('ends with the same lines as the whole text rendered at once (no jump at the end)', () => {
    const c = ctx({ theme: THEMES.color });
    const t = new Transcript();
    const e = stream(t, ANSWER, c, 5);
    const streamed = t.viewport(40, c).lines;
    e.finish();
    const finished = t.viewport(40, c).lines;
    expect(finished).toEqual(streamed);
    const text = finished.map(plain).join('\n');
    expect(text).toContain('# Title');
    expect(text).toContain('const x: number = 1;');
    expect(text).toContain('Last paragraph.');
  });

  it('highlights the lines of an open code block once each, not the whole block at every delta', () => {
    let highlighted = 0;
    const m: MarkdownEngine = {
      lex: (t) => md.lex(t),
      render: (raw, w, th) => md.render(raw, w, th),
      renderCode: (code, lang, th) => {
        highlighted += code.length;
        return md.renderCode?.(code, lang, th) ?? code;
      },
      codeLabel: (lang, th) => md.codeLabel?.(lang, th) ?? '',
    };
    const code = Array.from({ length: 200 }, (_, i) => `const x${i} = ${i}; // line ${i}`).join('\n');
    const text = `Here:\n\n\`\`\`ts\n${code}\n\`\`\`\n\nDone.`;
    const t = new Transcript();
    const c = ctx({ md: m, theme: THEMES.contrast });
    const e = stream(t, text, c, 7);
    expect(highlighted).toBeLessThan(code.length * 3); // the whole block at every delta: ~300 times
    const streamed = t.viewport(300, c).lines;
    e.finish();
    expect(t.viewport(300, c).lines.map(plain)).toEqual(streamed.map(plain));
    expect(streamed.map(plain)).toContain('    const x199 = 199; // line 199');
  });

  it('does the same work for a delta after 10 or 1,000 messages', () => {
    const work = (n: number): { renders: number; lexed: number } => {
      const m = counting(md);
      const c = ctx({ md: m });
      const t = new Transcript();
      for (let i = 0; i < n; i++)
        t.add(i % 2 ? 'assistant' : 'user', `message ${i}\n\nwith *two* paragraphs`);
      const e = t.add('assistant', 'Streaming: ', true);
      t.viewport(30, c); // every message on screen rendered once
      m.renders.length = 0;
      m.lexed = 0;
      e.append('one more word');
      t.viewport(30, c);
      return { renders: m.renders.length, lexed: m.lexed };
    };
    expect(work(1000)).toEqual(work(10));
  });
});

describe('the window', () => {
  const lines = (n: number) => Array.from({ length: n }, (_, i) => `line ${i + 1} of ${n}`).join('\n');

  it('follows the end: the last line of a 300-line reply is on screen', () => {
    const t = new Transcript();
    t.add('user', 'long please');
    const e = t.add('assistant', '', true);
    const c = ctx({ md: plainEngine });
    const text = lines(300);
    for (let i = 0; i < text.length; i += 50) {
      e.append(text.slice(i, i + 50));
      const v = t.viewport(20, c);
      expect(v.lines.length).toBeLessThanOrEqual(20);
    }
    e.finish();
    const v = t.viewport(20, c);
    expect(v.lines.length).toBe(20);
    expect(plain(v.lines[19] ?? '').trim()).toBe('line 300 of 300');
    expect(v.above).toBe(true);
    expect(v.below).toBe(false);
  });

  it('scrolls by line and page, Home and End, and stops following when scrolled up', () => {
    const t = new Transcript();
    const c = ctx({ md: plainEngine });
    t.add('assistant', lines(100));
    const top = () => plain(t.viewport(10, c).lines[0] ?? '').trim();
    t.viewport(10, c);
    t.scroll(-1, c);
    expect(t.following).toBe(false);
    expect(top()).toBe('line 90 of 100');
    t.scroll(-9, c);
    expect(top()).toBe('line 81 of 100');
    t.home();
    expect(t.viewport(10, c).lines[0]).toBe(''); // the blank line before the first message
    t.scroll(1, c);
    expect(top()).toBe('line 1 of 100');
    t.scroll(1000, c);
    expect(t.following).toBe(true);
    expect(plain(t.viewport(10, c).lines[9] ?? '').trim()).toBe('line 100 of 100');
    t.home();
    t.end(c);
    expect(t.following).toBe(true);
  });

  it('F5 off: new text does not move the window', () => {
    const t = new Transcript();
    const c = ctx({ md: plainEngine });
    const e = t.add('assistant', `${lines(30)}\n`, true);
    t.viewport(10, c);
    expect(t.toggleAutoFollow()).toBe(false);
    const before = t.viewport(10, c).lines;
    e.append('more\nand more\n');
    expect(t.viewport(10, c).lines).toEqual(before);
    expect(t.viewport(10, c).below).toBe(true);
    expect(t.toggleAutoFollow()).toBe(true);
    expect(plain(t.viewport(10, c).lines[9] ?? '').trim()).toBe('and more');
  });

  it('reflows on a resize: no line is ever wider than the screen', () => {
    const t = new Transcript();
    t.add('user', 'a question with 世界 and 👋 in it, long enough to wrap');
    t.add('assistant', ANSWER);
    for (const width of [80, 30, 12]) {
      const v = t.viewport(50, ctx({ width, theme: THEMES.color }));
      for (const l of v.lines) expect(displayWidth(l)).toBeLessThanOrEqual(width);
    }
  });

  it('wraps command output with a hanging indent', () => {
    const t = new Transcript();
    t.add('info', 'commands:\n  /model [NAME]  show the model, or switch to NAME, for the next messages');
    const v = t.viewport(20, ctx({ width: 40, md: plainEngine })).lines.map(plain);
    expect(v.slice(1, 3)).toEqual(['  commands:', '    /model [NAME]  show the model, or']);
    expect(v[3]).toMatch(/^ {6}\S/);
    for (const l of v) expect(displayWidth(l)).toBeLessThanOrEqual(40);
  });

  it('Ctrl+L takes the messages off the screen; clear() forgets them', () => {
    const t = new Transcript();
    const c = ctx({ md: plainEngine });
    t.add('user', 'hello');
    t.clearScreen();
    expect(t.viewport(10, c).lines).toEqual([]);
    t.add('user', 'again');
    expect(t.viewport(10, c).lines.map(plain)).toEqual(['', '❯ again']);
    t.clear();
    expect(t.entries.length).toBe(0);
  });
});
