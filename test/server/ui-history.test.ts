/// <reference lib="dom" />
/**
 * The browser UI's list of saved conversations in real Chromium: a conversation saved
 * through the HTTP API shows up under "Conversations", and choosing it opens it with its
 * history (restored from the store); a turn sent from the page joins the list.
 */
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startTestServer, type TestServer } from './helpers.js';
import {
  launchChromium,
  lastReplyText,
  openUi,
  send,
  waitReady,
  waitTurnEnd,
  type UiPage,
} from './ui-page.js';

let t: TestServer;
let browser: Browser;
let ui: UiPage | undefined;

beforeAll(async () => {
  [t, browser] = await Promise.all([startTestServer({ sequences: 1 }), launchChromium()]);
});
afterAll(async () => {
  await ui?.close();
  await browser?.close();
  await t?.close();
});

it('lists a stored conversation and opens it', async () => {
  const r = await fetch(`${t.url}/v1/chat/completions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({
      model: 'canned:echo',
      messages: [{ role: 'user', content: 'a stored <b>question</b> about tides' }],
    }),
  });
  expect(r.status).toBe(200);

  ui = await openUi(browser, t.url);
  const { page } = ui;
  await page.getByText('Conversations', { exact: true }).click();
  const nav = page.getByRole('navigation', { name: 'Saved conversations' });
  const item = nav.getByRole('button', { name: /a stored <b>question<\/b> about tides/ });
  await item.waitFor();
  expect(await nav.locator('b').count()).toBe(0); // a title is text, never markup

  await item.click();
  await page.waitForSelector('.msg.user');
  await waitReady(page);
  expect(await page.locator('.msg.user .body').textContent()).toBe('a stored <b>question</b> about tides');
  // The reply is markdown (sanitised HTML), so the echoed <b> renders as bold text.
  expect(await lastReplyText(page)).toContain('question about tides');

  // Going on from the page adds to the same conversation, and a new chat appears in the list.
  await page.click('#new-chat');
  await send(page, 'fresh from the page', 'canned:echo');
  await waitTurnEnd(page);
  await nav.getByRole('button', { name: /fresh from the page/ }).waitFor();
  expect(await nav.getByRole('button').count()).toBe(2);
  expect(ui.errors).toEqual([]);
});
