/// <reference lib="dom" />
/**
 * The browser UI end to end, in real Chromium against the real server and the real local
 * engine (stories260K, one thread). Hostile replies come from the `canned:echo` benchmarking
 * provider, which streams the user's message back word by word: the reply then holds exactly
 * the HTML we sent, delivered the way a model's reply is.
 */
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { STORIES_ID } from './helpers.js';
import {
  ARTIFACTS,
  contrast,
  lastReplyText,
  recordReplyGrowth,
  replyGrowth,
  send,
  setMaxTokens,
  waitTurnEnd,
  useUiHarness,
} from './ui-page.js';

const harness = useUiHarness();
const open = harness.open.bind(harness);

describe('the page', () => {
  it('paints fast, labels every control, keeps a sensible focus order and readable contrast', async () => {
    const { page, errors } = await open();
    const timing = await page.evaluate(() => {
      const nav = performance.getEntriesByType('navigation')[0] as PerformanceNavigationTiming;
      const fcp = performance.getEntriesByName('first-contentful-paint')[0];
      return {
        responseEnd: nav.responseEnd,
        firstContentfulPaint: fcp?.startTime,
        readyAt: performance.now(),
      };
    });
    writeFileSync(path.join(ARTIFACTS, 'first-paint.json'), `${JSON.stringify(timing, null, 2)}\n`);
    console.log(`[ui] first contentful paint ${Math.round(timing.firstContentfulPaint ?? -1)} ms`);
    expect(timing.firstContentfulPaint).toBeGreaterThan(0);
    expect(timing.firstContentfulPaint).toBeLessThan(5_000); // loose: the figure is reported, not policed

    for (const label of ['Model', 'Message', 'Max tokens', 'Temperature', 'System prompt']) {
      await expect(page.getByLabel(label, { exact: true }).count()).resolves.toBe(1);
    }
    for (const name of [
      'New chat',
      'Attach files',
      'Send',
      'Stop',
      'Mic',
      'Camera',
      'Snapshot',
      'Interrupt',
    ]) {
      await expect(page.getByRole('button', { name, exact: true }).count()).resolves.toBe(1);
    }
    expect(await page.getAttribute('#status', 'role')).toBe('status');
    expect(await page.evaluate(() => document.activeElement?.id)).toBe('prompt');

    await page.focus('a.skip');
    const order: string[] = [];
    for (let i = 0; i < 12; i++) {
      await page.keyboard.press('Tab');
      order.push(
        await page.evaluate(() => document.activeElement?.id || document.activeElement?.tagName || ''),
      );
    }
    // Settings, then Conversations (both collapsed), the media bar (Mic and Snapshot are
    // disabled in text mode), then the composer with its Docs field.
    expect(order).toEqual([
      'model',
      'new-chat',
      'SUMMARY',
      'SUMMARY',
      'mode',
      'gate',
      'camera',
      'interrupt',
      'prompt',
      'docs',
      'attach',
      'send',
    ]);

    for (const colorScheme of ['light', 'dark'] as const) {
      await page.emulateMedia({ colorScheme });
      const colours = await page.evaluate(() =>
        ['body', '#status', '#send', '#conn', '#prompt', '.empty'].map((sel) => {
          const s = getComputedStyle(document.querySelector(sel) as Element);
          const bg = getComputedStyle(document.body).backgroundColor;
          return [sel, s.color, s.backgroundColor === 'rgba(0, 0, 0, 0)' ? bg : s.backgroundColor];
        }),
      );
      for (const [sel, fg, bg] of colours as [string, string, string][]) {
        expect(contrast(fg, bg), `${colorScheme} ${sel}: ${fg} on ${bg}`).toBeGreaterThanOrEqual(4.5);
      }
    }
    expect(errors).toEqual([]);
  });

  it('serves marked, DOMPurify and highlight.js as ES modules from node_modules, nothing else', async () => {
    const get = (p: string): Promise<Response> => fetch(`${harness.server.url}${p}`);
    for (const p of ['/vendor/marked.js', '/vendor/purify.js', '/vendor/highlight/core.js']) {
      const r = await get(p);
      expect(r.status, p).toBe(200);
      expect(r.headers.get('content-type')).toBe('text/javascript; charset=utf-8');
      expect(await r.text()).toMatch(/export\s*(default|\{)/);
    }
    expect((await get('/vendor/highlight/languages/rust.js')).status).toBe(200);
    expect((await get('/vendor/highlight/styles/github-dark.css')).headers.get('content-type')).toMatch(
      /^text\/css/,
    );
    for (const p of [
      '/vendor/highlight/languages/..%2F..%2Fpackage.json',
      '/vendor/highlight/languages/nope.js',
      '/vendor/highlight/styles/.hidden.css',
      '/vendor/dompurify/package.json',
    ]) {
      expect((await get(p)).status, p).toBe(404);
    }
  });

  it('lists the models of GET /v1/models in the picker, the default selected', async () => {
    const { page } = await open();
    const api = (await (await fetch(`${harness.server.url}/v1/models`)).json()) as { data: { id: string }[] };
    const options = await page.$$eval('#model option', (os) => os.map((o) => (o as HTMLOptionElement).value));
    expect(options).toEqual(api.data.map((m) => m.id));
    expect(options).toEqual(expect.arrayContaining([STORIES_ID, 'canned', 'canned:echo']));
    expect(await page.inputValue('#model')).toBe(STORIES_ID);

    await send(page, 'picked by hand', 'canned:echo');
    expect(await waitTurnEnd(page)).toMatch(/^canned:echo · /);
    expect(await lastReplyText(page)).toBe('picked by hand');
  });
});

describe('chatting with the local model', () => {
  it('streams tokens into the reply as they come, then shows model, first-token time and tokens/s', async () => {
    const { page, errors } = await open();
    await setMaxTokens(page, 96);
    await recordReplyGrowth(page);
    await send(page, 'Once upon a time');
    const status = await waitTurnEnd(page);
    const growth = await replyGrowth(page);
    const lengths = growth.map(([, len]) => len).filter((len) => len > 0);
    expect(lengths.length).toBeGreaterThanOrEqual(4); // rendered piece by piece, not at the end
    expect(lengths).toEqual([...lengths].sort((a, b) => a - b)); // only ever grows
    expect((growth.at(-1)?.[0] ?? 0) - (growth.find(([, l]) => l > 0)?.[0] ?? 0)).toBeGreaterThan(0);
    expect(status).toMatch(
      new RegExp(`^${STORIES_ID} · first token \\d+ ms · [\\d.]+ tokens/s · 96 tokens · length$`),
    );
    expect((await lastReplyText(page)).length).toBeGreaterThanOrEqual((lengths.at(-1) ?? 0) - 1);
    expect(await page.getAttribute('.msg.assistant .body', 'aria-live')).toBe('polite');
    expect(await page.getAttribute('.msg.assistant .body', 'aria-busy')).toBe('false');
    expect(await page.getAttribute('.msg.assistant', 'data-state')).toBe('done');
    expect(errors).toEqual([]);
  });

  it('stops mid-stream with the Stop button (and Escape): the reply stops growing, marked interrupted', async () => {
    const { page } = await open();
    await setMaxTokens(page, 4000);
    await send(page, 'Once upon a time');
    await page.waitForFunction(
      () => (document.querySelector('.msg.assistant .body')?.textContent?.length ?? 0) > 30,
    );
    expect(await page.isEnabled('#stop')).toBe(true);
    const clicked = Date.now();
    await page.click('#stop');
    const status = await waitTurnEnd(page, 'interrupted', 10_000);
    console.log(`[ui] stop -> interrupted shown in ${Date.now() - clicked} ms`);
    expect(status).toMatch(new RegExp(`^Interrupted · ${STORIES_ID} · first token \\d+ ms`));
    const stopped = (await lastReplyText(page)).length;
    await page.waitForTimeout(600);
    expect((await lastReplyText(page)).length).toBe(stopped);
    expect(await page.getAttribute('.msg.assistant', 'data-state')).toBe('interrupted');
    expect(await page.textContent('.msg.assistant .badge')).toBe('Interrupted');
    expect(await page.isDisabled('#stop')).toBe(true);
    await page.screenshot({ path: path.join(ARTIFACTS, 'ui-stopped.png') });

    // The session is free again: the next message is answered.
    await send(page, 'still here', 'canned:echo');
    await waitTurnEnd(page);
    expect(await lastReplyText(page)).toBe('still here');

    // Escape stops a stream too.
    await send(page, 'Once upon a time', STORIES_ID);
    await page.waitForFunction(
      () => (document.querySelectorAll('.msg.assistant .body')[2]?.textContent?.length ?? 0) > 20,
    );
    await page.keyboard.press('Escape');
    expect(await waitTurnEnd(page, 'interrupted', 10_000)).toMatch(`Interrupted · ${STORIES_ID}`);
  });
});

describe('hostile replies never run', () => {
  const HOSTILE = [
    'Rendering still works: **bold** and `code`.',
    '',
    '<script>window.__pwned = "script"; alert("script")</script>',
    '',
    '<img src="/missing.png" onerror="window.__pwned = \'onerror\'; alert(\'onerror\')">',
    '<svg onload="window.__pwned = \'svg\'"><circle r="4"></circle></svg>',
    '<details open ontoggle="window.__pwned = \'toggle\'">details</details>',
    '<iframe srcdoc="<script>parent.__pwned = \'iframe\'</script>"></iframe>',
    '',
    "[markdown link](javascript:window.__pwned='md-link') and",
    '<a id="evil" href="javascript:window.__pwned=\'a-link\'">html link</a> and',
    '<a href=" JaVaScRiPt:window.__pwned=\'mixed\'">mixed case</a>',
  ].join('\n');

  it('strips <script>, on* handlers and javascript: links, with the page CSP bypassed', async () => {
    // bypassCSP: the server's CSP would block inline script by itself; here only the sanitiser protects.
    const { page, dialogs, errors } = await open(harness.server.url, { bypassCSP: true });
    await send(page, HOSTILE, 'canned:echo');
    await waitTurnEnd(page);
    await page.waitForTimeout(300); // time for an image's error or a toggle event to fire

    const body = page.locator('.msg.assistant .body').last();
    expect(await body.locator('strong').textContent()).toBe('bold');
    expect(await body.locator('script, iframe, svg, object, embed, style').count()).toBe(0);
    const risky = await body.evaluate((el) =>
      Array.from(el.querySelectorAll('*')).flatMap((n) =>
        Array.from(n.attributes)
          .filter((a) => /^on/i.test(a.name) || /^\s*javascript:/i.test(a.value))
          .map((a) => `${n.tagName} ${a.name}=${a.value}`),
      ),
    );
    expect(risky).toEqual([]);
    for (const name of ['markdown link', 'html link', 'mixed case']) {
      const link = body.getByText(name, { exact: true });
      expect(await link.getAttribute('href')).toBeNull();
      await link.click();
    }
    await page.waitForTimeout(200);
    expect(await page.evaluate(() => (window as unknown as { __pwned?: string }).__pwned)).toBeUndefined();
    expect(dialogs).toEqual([]);
    expect(errors).toEqual([]);
    // The user's own message shows the markup as text, never as HTML.
    expect(await page.locator('.msg.user .body').last().textContent()).toBe(HOSTILE);
  });
});

describe('rendering', () => {
  it('renders markdown with highlighted code (and saves a screenshot)', async () => {
    const { page } = await open();
    const md = [
      '### A heading',
      '',
      'Some *emphasis*, a [link](https://example.com) and a list:',
      '',
      '- one',
      '- two',
      '',
      '```js',
      'const answer = 42; // a comment',
      'function greet(name) {',
      '  return `hello ${name}`;',
      '}',
      '```',
    ].join('\n');
    await send(page, md, 'canned:echo');
    await waitTurnEnd(page);
    const body = page.locator('.msg.assistant .body').last();
    await body.locator('pre code.language-javascript .hljs-keyword').first().waitFor();
    expect(await body.locator('h3').textContent()).toBe('A heading');
    expect(await body.locator('li').count()).toBe(2);
    expect(await body.locator('a').getAttribute('rel')).toBe('noopener noreferrer nofollow');
    expect(await body.locator('.hljs-comment').textContent()).toBe('// a comment');
    await page.screenshot({ path: path.join(ARTIFACTS, 'ui-chat.png'), fullPage: true });
    await page.emulateMedia({ colorScheme: 'dark' });
    await page.screenshot({ path: path.join(ARTIFACTS, 'ui-chat-dark.png') });
  });
});
