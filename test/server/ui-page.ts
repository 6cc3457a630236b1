/// <reference lib="dom" />
/**
 * Driving the browser UI in real Chromium (Debian's, at /usr/bin/chromium) with
 * playwright-core: launch it, open the page, and the few actions the UI tests repeat.
 */
import { existsSync, mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type BrowserContextOptions, type Dialog, type Page } from 'playwright-core';
import { afterAll, beforeAll } from 'vitest';
import { startTestServer, type TestServer } from './helpers.js';

export const CHROMIUM = '/usr/bin/chromium';

/** Where screenshots and measurements go (gitignored). */
export const ARTIFACTS = fileURLToPath(new URL('../artifacts/', import.meta.url));

/** Launch headless Chromium with the flags this machine's closed network needs, plus `extraArgs`. */
export async function launchChromium(extraArgs: string[] = []): Promise<Browser> {
  if (!existsSync(CHROMIUM)) {
    throw new Error(
      `${CHROMIUM} is missing: install Debian's chromium (apt-get install -y chromium; .ci/run does)`,
    );
  }
  mkdirSync(ARTIFACTS, { recursive: true });
  return chromium.launch({
    executablePath: CHROMIUM,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
      ...extraArgs,
    ],
  });
}

/** An open page and what it reported: uncaught errors and dialogs (alert, confirm, prompt). */
export interface UiPage {
  page: Page;
  errors: string[];
  dialogs: string[];
  close(): Promise<void>;
}

/** Open `url` in a fresh context and wait until the UI has its session and its model list. */
export async function openUi(
  browser: Browser,
  url: string,
  options: BrowserContextOptions = {},
): Promise<UiPage> {
  const context = await browser.newContext({ viewport: { width: 1000, height: 760 }, ...options });
  const page = await context.newPage();
  const errors: string[] = [];
  const dialogs: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  page.on('dialog', (d: Dialog) => {
    dialogs.push(`${d.type()}: ${d.message()}`);
    void d.dismiss();
  });
  await page.goto(url);
  await waitReady(page);
  return { page, errors, dialogs, close: () => context.close() };
}

/** Wait until the socket said `ready` and the model picker is filled. */
export async function waitReady(page: Page): Promise<void> {
  await page.waitForSelector('#conn[data-state="ready"]');
  await page.waitForSelector('#model:not([disabled]) option[value]:not([value=""])', { state: 'attached' });
}

/** Pick a model, type a prompt and press Enter. */
export async function send(page: Page, text: string, model?: string): Promise<void> {
  if (model !== undefined) await page.selectOption('#model', model);
  await page.fill('#prompt', text);
  await page.press('#prompt', 'Enter');
}

/** Wait for the status line to show the end of a turn: `done`, `interrupted` or `error`. */
export async function waitTurnEnd(page: Page, kind = 'done', timeout = 30_000): Promise<string> {
  await page.waitForSelector(`#status[data-kind="${kind}"]`, { timeout });
  return (await page.textContent('#status')) ?? '';
}

/** Set the session's max tokens through the Settings panel and wait for the server's ack. */
export async function setMaxTokens(page: Page, n: number): Promise<void> {
  await page.click('#settings summary');
  await page.fill('#max-tokens', String(n));
  await page.click('#settings-form button[type="submit"]');
  await page.waitForFunction(() =>
    document.getElementById('settings-note')?.textContent?.startsWith('Applied'),
  );
  await page.click('#settings summary');
}

/** The text of the newest assistant reply, without the newline markdown ends a block with. */
export function lastReplyText(page: Page): Promise<string> {
  return page.evaluate(() => {
    const bodies = document.querySelectorAll('.msg.assistant .body');
    return (bodies[bodies.length - 1]?.textContent ?? '').replace(/\n$/, '');
  });
}

/**
 * Record, inside the page, the newest reply's text length at every DOM change of the
 * conversation (no polling round trips): `window.__lengths` as `[ms, length]` pairs.
 */
export function recordReplyGrowth(page: Page): Promise<void> {
  return page.evaluate(() => {
    const w = window as unknown as { __lengths: [number, number][] };
    w.__lengths = [];
    const log = document.getElementById('log') as HTMLElement;
    new MutationObserver(() => {
      const bodies = log.querySelectorAll('.msg.assistant .body');
      const len = bodies[bodies.length - 1]?.textContent?.length ?? 0;
      const last = w.__lengths[w.__lengths.length - 1];
      if (!last || last[1] !== len) w.__lengths.push([performance.now(), len]);
    }).observe(log, { subtree: true, childList: true, characterData: true });
  });
}

export function replyGrowth(page: Page): Promise<[number, number][]> {
  return page.evaluate(() => (window as unknown as { __lengths: [number, number][] }).__lengths);
}

/** WCAG contrast ratio of two `rgb(r, g, b)` colours. */
export function contrast(a: string, b: string): number {
  const lum = (c: string): number => {
    const [r, g, bl] = (c.match(/\d+(\.\d+)?/g) ?? []).slice(0, 3).map((v) => {
      const s = Number(v) / 255;
      return s <= 0.03928 ? s / 12.92 : ((s + 0.055) / 1.055) ** 2.4;
    });
    return 0.2126 * (r ?? 0) + 0.7152 * (g ?? 0) + 0.0722 * (bl ?? 0);
  };
  const [hi, lo] = [lum(a), lum(b)].sort((x, y) => y - x) as [number, number];
  return (hi + 0.05) / (lo + 0.05);
}

/** A server and a browser shared by one test file, and pages closed when it ends. */
export interface UiHarness {
  /** The running test server (valid inside tests). */
  readonly server: TestServer;
  /** The shared Chromium (valid inside tests). */
  readonly browser: Browser;
  /** Open the UI (default: the server's URL) in a fresh context. */
  open(url?: string, options?: BrowserContextOptions): Promise<UiPage>;
}

/**
 * Start a test server (one local sequence) and Chromium before the file's tests, and close
 * every page, the browser and the server after them.
 */
export function useUiHarness(): UiHarness {
  let server: TestServer | undefined;
  let browser: Browser | undefined;
  const pages: UiPage[] = [];
  beforeAll(async () => {
    [server, browser] = await Promise.all([startTestServer({ sequences: 1 }), launchChromium()]);
  });
  afterAll(async () => {
    await Promise.all(pages.map((p) => p.close()));
    await browser?.close();
    await server?.close();
  });
  return {
    get server(): TestServer {
      if (!server) throw new Error('the UI harness is not started yet');
      return server;
    },
    get browser(): Browser {
      if (!browser) throw new Error('the UI harness is not started yet');
      return browser;
    },
    async open(url?: string, options: BrowserContextOptions = {}): Promise<UiPage> {
      if (!server || !browser) throw new Error('the UI harness is not started yet');
      const p = await openUi(browser, url ?? server.url, options);
      pages.push(p);
      return p;
    },
  };
}
