/// <reference lib="dom" />
/**
 * Files attached in the browser UI, in real Chromium: through the picker and by a drop on
 * the composer. The turn is checked where it lands: the stored user message (what the local
 * model was given) and, with `canned:echo`, which streams the user's message back, the text
 * the model received.
 */
import { describe, expect, it } from 'vitest';
import { lastReplyText, send, setMaxTokens, waitTurnEnd, useUiHarness } from './ui-page.js';

const harness = useUiHarness();

type Part = { type: string; text?: string; attachment?: { path: string } };

/** The first message of the stored conversation titled `title` (what was typed). */
async function storedUserParts(title: string): Promise<Part[]> {
  const store = harness.server.parley.store();
  const found = (await store.conversations.list({ limit: 50 })).find((c) => c.title === title);
  expect(found, `a conversation titled ${title}`).toBeDefined();
  const [user] = await store.messages.list(found?.id as string);
  return (user?.parts ?? []) as Part[];
}

describe('attachments in the browser', () => {
  it('a file picked goes with the message to the local model, and the message shows it', async () => {
    const { page, errors } = await harness.open();
    await page.setInputFiles('#file', {
      name: 'notes.md',
      mimeType: 'text/markdown',
      buffer: Buffer.from('# Notes\n\nThe cat is Whiskers.\n'),
    });
    await page.waitForSelector('#attachments li.file');
    expect(await page.textContent('#attachments li.file span')).toBe('notes.md · 30 bytes');
    await setMaxTokens(page, 8);
    expect(await page.getByRole('button', { name: 'Remove notes.md' }).count()).toBe(1);

    await send(page, 'What is the cat called?');
    await waitTurnEnd(page);
    expect(await page.locator('.msg.user .files li').allTextContents()).toEqual(['notes.md']);
    expect(await page.locator('#attachments li').count()).toBe(0);
    const parts = await storedUserParts('What is the cat called?');
    expect(parts.map((p) => p.attachment?.path ?? p.text)).toEqual(['notes.md', 'What is the cat called?']);
    expect(parts[0]?.text).toBe(
      '<file path="notes.md" kind="markdown">\n# Notes\n\nThe cat is Whiskers.\n</file>\n\n',
    );
    expect(errors).toEqual([]);
  });

  it('a file dropped on the composer reaches the model whole', async () => {
    const { page, errors } = await harness.open();
    await page.evaluate(() => {
      const dt = new DataTransfer();
      dt.items.add(new File(['alpha,beta\n1,2\n'], 'table.csv', { type: 'text/csv' }));
      const composer = document.getElementById('composer') as HTMLElement;
      composer.dispatchEvent(
        new DragEvent('dragover', { dataTransfer: dt, bubbles: true, cancelable: true }),
      );
      composer.dispatchEvent(new DragEvent('drop', { dataTransfer: dt, bubbles: true, cancelable: true }));
    });
    await page.waitForSelector('#attachments li.file');
    expect(await page.getAttribute('#composer', 'data-drop')).toBeNull();
    await send(page, 'Sum the row', 'canned:echo');
    await waitTurnEnd(page);
    expect(await lastReplyText(page)).toContain('alpha,beta');
    const parts = await storedUserParts('Sum the row');
    expect(parts[0]?.text).toBe('<file path="table.csv" kind="csv">\nalpha,beta\n1,2\n</file>\n\n');
    expect(errors).toEqual([]);
  });

  it('a file the server refuses is named in the error, and the page goes on', async () => {
    const { page } = await harness.open();
    await page.setInputFiles('#file', {
      name: 'report.docx',
      mimeType: 'application/zip',
      buffer: Buffer.from('PK\u0003\u0004'),
    });
    await page.waitForSelector('#attachments li.file');
    await send(page, 'Summarise it', 'canned:echo');
    const status = await waitTurnEnd(page, 'error');
    expect(status).toMatch(/unsupported: attachments\[0\]: report\.docx: it is a Word document/);
    expect(await page.isEnabled('#send')).toBe(true);
    await send(page, 'still there?', 'canned:echo');
    await waitTurnEnd(page);
    expect(await lastReplyText(page)).toBe('still there?');
  });
});
