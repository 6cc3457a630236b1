/// <reference lib="dom" />
/**
 * The browser UI's controls in real Chromium: keys, image attach, new chat and resume, and
 * opening the page with `?token=` on a server that needs one. Replies come from the local
 * engine (stories260K) or, where the test checks exactly what reached the model, from the
 * `canned:echo` benchmarking provider, which streams the user's message back.
 */
import { describe, expect, it } from 'vitest';
import { startTestServer } from './helpers.js';
import { lastReplyText, send, waitReady, waitTurnEnd, useUiHarness } from './ui-page.js';

const harness = useUiHarness();
const open = harness.open.bind(harness);

/** A real 1×1 PNG. */
const PNG = Buffer.from(
  'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==',
  'base64',
);

describe('keys', () => {
  it('Shift+Enter adds a new line, Enter sends', async () => {
    const { page } = await open();
    await page.selectOption('#model', 'canned:echo');
    await page.focus('#prompt');
    await page.keyboard.type('first line');
    await page.keyboard.press('Shift+Enter');
    await page.keyboard.type('second line');
    expect(await page.inputValue('#prompt')).toBe('first line\nsecond line');
    expect(await page.locator('.msg').count()).toBe(0);

    await page.keyboard.press('Enter');
    await waitTurnEnd(page);
    expect(await page.inputValue('#prompt')).toBe('');
    expect(await page.locator('.msg.user .body').textContent()).toBe('first line\nsecond line');
    expect(await lastReplyText(page)).toBe('first line\nsecond line');
  });
});

describe('images', () => {
  it('attaches a picked image and sends it with the text envelope', async () => {
    const { page } = await open();
    await page.setInputFiles('#file', { name: 'dot.png', mimeType: 'image/png', buffer: PNG });
    await page.waitForSelector('#attachments img[alt="attached image dot.png"]');
    expect(await page.getByRole('button', { name: 'Remove dot.png' }).count()).toBe(1);

    await send(page, 'What is in this picture?', 'canned:echo');
    await waitTurnEnd(page);
    // canned:echo describes each image it was handed: type and byte count, as decoded by the server.
    expect(await lastReplyText(page)).toContain(`[image image/png ${PNG.length} bytes]`);
    expect(await page.locator('.msg.user img').count()).toBe(1);
    expect(await page.locator('#attachments li').count()).toBe(0);
  });

  it('shows a model error in the reply when the model takes no images', async () => {
    const { page } = await open();
    // stories260K takes no images: the turn ends with the model's error, shown as an alert.
    await page.setInputFiles('#file', { name: 'dot.png', mimeType: 'image/png', buffer: PNG });
    await page.waitForSelector('#attachments img');
    await send(page, 'Describe it');
    await waitTurnEnd(page, 'error');
    expect(await page.locator('.msg.assistant [role="alert"]').textContent()).toContain('cannot take images');
    expect(await page.isEnabled('#send')).toBe(true);
  });
});

describe('sessions', () => {
  it('a reload resumes the conversation; New chat starts an empty one', async () => {
    const { page } = await open();
    await send(page, 'remember me', 'canned:echo');
    await waitTurnEnd(page);
    const session = await page.getAttribute('body', 'data-session');
    expect(session).toBeTruthy();

    await page.reload();
    await waitReady(page);
    expect(await page.getAttribute('body', 'data-session')).toBe(session);
    expect(await page.locator('.msg.user .body').textContent()).toBe('remember me');
    expect(await lastReplyText(page)).toBe('remember me');

    await page.click('#new-chat');
    await page.waitForFunction((old) => document.body.dataset.session !== old, session);
    expect(await page.locator('.msg').count()).toBe(0);
    expect(await page.isVisible('#empty')).toBe(true);
    expect(await page.evaluate(() => document.activeElement?.id)).toBe('prompt');
    await send(page, 'a fresh start', 'canned:echo');
    await waitTurnEnd(page);
    expect(await page.locator('.msg').count()).toBe(2);
  });
});

describe('token auth', () => {
  it('works when opened with ?token=, which then leaves the address bar', async () => {
    const token = 'ui-test-token-0123456789';
    const secured = await startTestServer({ token, sequences: 1 });
    try {
      const context = await harness.browser.newContext();
      const bare = await context.newPage();
      expect((await bare.goto(secured.url))?.status()).toBe(401);
      await context.close();

      const ui = await open(`${secured.url}/?token=${token}`);
      const { page } = ui;
      expect(page.url()).toBe(`${secured.url}/`);
      expect(await page.locator('#model option').count()).toBeGreaterThan(1);
      await send(page, 'behind a token', 'canned:echo');
      await waitTurnEnd(page);
      expect(await lastReplyText(page)).toBe('behind a token');

      // A reload (the token no longer in the URL) still works: the server set a cookie.
      await page.reload();
      await waitReady(page);
      expect(await lastReplyText(page)).toBe('behind a token');
      await ui.close();
    } finally {
      await secured.close();
    }
  });
});
