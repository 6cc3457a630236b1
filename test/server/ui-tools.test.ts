/// <reference lib="dom" />
/**
 * Tool confirmation in the browser UI, in real Chromium: the server's `control_signal` opens
 * the browser's confirm dialog, and the answer goes back as `confirm_action`. And a model's
 * reasoning, shown in a folded block above the answer.
 *
 * The model is a local wire server speaking the OpenAI chat-completions format: a tiny local
 * model cannot call tools, and no cloud API can be reached from a test.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  sseReply,
  startWireServer,
  type WireServer,
  openAIChunk,
  openAITextReply,
  openAIToolCallReply,
} from '../helpers/wire-server.js';
import { startTestServer, type TestServer } from './helpers.js';
import { launchChromium, send, waitReady, waitTurnEnd } from './ui-page.js';

const writeCall = (file: string) =>
  openAIToolCallReply('write_file', { path: file, content: 'from the browser' }, `call_${file}`);
const textReply = (text: string) => openAITextReply(text);

describe('tool confirmation and reasoning in the browser', () => {
  let wire: WireServer;
  let srv: TestServer;
  let browser: Browser;
  let workspace: string;
  beforeAll(async () => {
    wire = await startWireServer();
    workspace = mkdtempSync(path.join(tmpdir(), 'parley-ui-tools-'));
    [srv, browser] = await Promise.all([
      startTestServer({
        config: {
          model: 'openai-compatible:m',
          base_url: `${wire.url}/v1`,
          max_retries: 0,
          tools: { enabled: ['write_file'], workspace },
        },
      }),
      launchChromium(),
    ]);
  });
  afterAll(async () => {
    await browser?.close();
    await srv?.close();
    await wire?.close();
    rmSync(workspace, { recursive: true, force: true });
  });

  async function turn(file: string, answer: boolean): Promise<string[]> {
    const context = await browser.newContext();
    try {
      const page = await context.newPage();
      const dialogs: string[] = [];
      page.on('dialog', (d) => {
        dialogs.push(d.message());
        void (answer ? d.accept() : d.dismiss());
      });
      await page.goto(srv.url);
      await waitReady(page);
      wire.reset();
      wire.reply(writeCall(file), textReply('finished'));
      await send(page, 'write a file');
      await waitTurnEnd(page);
      const notes = await page.locator('.msg.assistant').last().textContent();
      return [...dialogs, notes ?? ''];
    } finally {
      await context.close();
    }
  }

  it('OK in the dialog runs the tool', async () => {
    const [dialog, reply] = await turn('ok.txt', true);
    expect(dialog).toBe('allow this tool call?\n\nwrite_file {"path":"ok.txt","content":"from the browser"}');
    expect(reply).toContain('Allowed: write_file');
    expect(readFileSync(path.join(workspace, 'ok.txt'), 'utf8')).toBe('from the browser');
  });

  it('Cancel refuses it', async () => {
    const [, reply] = await turn('cancel.txt', false);
    expect(reply).toContain('Refused: write_file');
    expect(reply).toContain('Tool result: write_file (failed)');
    expect(existsSync(path.join(workspace, 'cancel.txt'))).toBe(false);
  });

  it('shows reasoning in a folded block above the answer, opened by a click', async () => {
    const context = await browser.newContext();
    try {
      const page = await context.newPage();
      await page.goto(srv.url);
      await waitReady(page);
      wire.reset();
      // A local reasoning model writes its thinking in a leading <think> block.
      wire.reply(
        sseReply([
          openAIChunk({ role: 'assistant', content: '<think>Weighing tea ' }),
          openAIChunk({ content: 'against coffee.</think>' }),
          openAIChunk({ content: 'Tea.' }),
          openAIChunk({}, 'stop'),
          'data: [DONE]\n\n',
        ]),
      );
      await send(page, 'tea or coffee?');
      await waitTurnEnd(page);
      const msg = page.locator('.msg.assistant').last();
      const details = msg.locator('details');
      expect(await details.count()).toBe(1);
      expect(await details.evaluate((d) => (d as HTMLDetailsElement).open)).toBe(false);
      expect(await details.locator('summary').textContent()).toBe('Reasoning');
      expect(await details.locator('div').isVisible()).toBe(false);
      expect((await msg.locator('.body').textContent())?.trim()).toBe('Tea.');
      // The block comes before the answer.
      const order = await msg.evaluate((a) =>
        Array.from(a.children).map((c) => c.tagName.toLowerCase() + (c.className ? `.${c.className}` : '')),
      );
      expect(order.indexOf('details')).toBeLessThan(order.findIndex((c) => c.startsWith('div.body')));
      await details.locator('summary').click();
      expect(await details.evaluate((d) => (d as HTMLDetailsElement).open)).toBe(true);
      expect(await details.locator('div').textContent()).toBe('Weighing tea against coffee.');
      expect(await details.locator('div').isVisible()).toBe(true);
      // Set apart from the answer: the muted colour, not the answer's.
      const colour = (sel: string) => msg.locator(sel).evaluate((e) => getComputedStyle(e).color);
      expect(await colour('details div')).not.toBe(await colour('.body'));
    } finally {
      await context.close();
    }
  });
});
