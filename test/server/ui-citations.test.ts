/// <reference lib="dom" />
/**
 * Answers from a document collection in the browser UI, in real Chromium: the Docs field
 * sends `docs` with the message, and the `citations` envelope shows as a Sources list under
 * the answer. With `canned:echo`, which streams the user's message back, the reply shows
 * what the model was given: the numbered passages and the question.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tempHome } from '../helpers/cli.js';
import { lastReplyText, send, useUiHarness, waitReady, waitTurnEnd } from './ui-page.js';

const harness = useUiHarness();
let cleanupDocs: () => void;

beforeAll(async () => {
  const docs = tempHome();
  cleanupDocs = docs.cleanup;
  mkdirSync(join(docs.home, 'notes'));
  writeFileSync(
    join(docs.home, 'notes', 'setup.md'),
    '# Setup\n\nInstall the zebrafish toolkit.\nRun zebrafish init to write zebra.toml.\n',
  );
  writeFileSync(join(docs.home, 'notes', 'cooking.md'), '# Cooking\n\nBoil the pasta for ten minutes.\n');
  await harness.server.parley.documents().add('manual', [join(docs.home, 'notes')]);
});
afterAll(() => cleanupDocs());

describe('document collections in the browser', () => {
  it('a message with Docs set shows the sources under the answer', async () => {
    const { page, errors } = await harness.open();
    await waitReady(page);
    expect(
      await page.locator('#collections option').evaluateAll((os) => os.map((o) => o.getAttribute('value'))),
    ).toEqual(['manual']);
    await page.fill('#docs', 'manual');
    await send(page, 'How do I write zebra.toml with zebrafish?', 'canned:echo');
    await waitTurnEnd(page);
    const sources = await page.locator('.msg.assistant section.sources li').allTextContents();
    expect(sources[0]).toMatch(/^\[1\] .*setup\.md:1-4$/);
    expect(await page.locator('.msg.assistant section.sources h3').textContent()).toBe('Sources');
    // The model got the passages; the message shown is what was typed.
    const reply = await lastReplyText(page);
    expect(reply).toContain('Run zebrafish init to write zebra.toml.');
    expect(reply).toContain('Question: How do I write zebra.toml with zebrafish?');
    expect(await page.locator('.msg.user .body').last().textContent()).toBe(
      'How do I write zebra.toml with zebrafish?',
    );
    expect(errors).toEqual([]);
  });

  it('an unknown collection is named in the error, and the page goes on', async () => {
    const { page } = await harness.open();
    await waitReady(page);
    await page.fill('#docs', 'nosuch');
    await send(page, 'Anything?', 'canned:echo');
    const status = await waitTurnEnd(page, 'error');
    expect(status).toMatch(/bad_request: docs: .*nosuch/);
    await page.fill('#docs', '');
    await send(page, 'Hello', 'canned:echo');
    await waitTurnEnd(page);
    expect(await page.locator('section.sources').count()).toBe(0);
  });
});
