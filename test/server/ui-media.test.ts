/// <reference lib="dom" />
/**
 * The browser UI's camera and its answers to hostile input on the media paths, in real
 * Chromium (fake camera and microphone devices) against a real server. Where the test needs
 * the connection to misbehave, Playwright's WebSocket route sits between the page and the
 * real server: it forwards every frame and, where a test says so, adds or holds back one.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Browser, Page, WebSocketRoute } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
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
let devices: Browser;
let plain: Browser;
let dir: string;
const pages: UiPage[] = [];

beforeAll(async () => {
  dir = mkdtempSync(path.join(tmpdir(), 'parley-media-ui-'));
  // The fake microphone plays silence (16 kHz s16le mono WAV): no utterance starts a turn.
  const wav = path.join(dir, 'silence.wav');
  const pcm = Buffer.alloc(32000 * 2);
  const h = Buffer.alloc(44);
  h.write('RIFF', 0);
  h.writeUInt32LE(36 + pcm.length, 4);
  h.write('WAVEfmt ', 8);
  h.writeUInt32LE(16, 16);
  h.writeUInt16LE(1, 20);
  h.writeUInt16LE(1, 22);
  h.writeUInt32LE(16000, 24);
  h.writeUInt32LE(32000, 28);
  h.writeUInt16LE(2, 32);
  h.writeUInt16LE(16, 34);
  h.write('data', 36);
  h.writeUInt32LE(pcm.length, 40);
  writeFileSync(wav, Buffer.concat([h, pcm]));
  const fake = ['--use-fake-device-for-media-stream', `--use-file-for-fake-audio-capture=${wav}`];
  [t, devices, plain] = await Promise.all([
    startTestServer({ sequences: 1, config: { pipelines: { monitor_every: 2 } } }),
    launchChromium(['--use-fake-ui-for-media-stream', ...fake]),
    // No fake permission prompt: the page's request for the microphone is refused.
    launchChromium(fake),
  ]);
});
afterAll(async () => {
  await Promise.all(pages.map((p) => p.close()));
  await devices?.close();
  await plain?.close();
  await t?.close();
  rmSync(dir, { recursive: true, force: true });
});

async function open(browser = devices): Promise<UiPage> {
  const p = await openUi(browser, t.url);
  pages.push(p);
  return p;
}

/** Open the page with the route between it and the server; `hold` may keep a server frame from the page. */
async function openRouted(hold: (frame: string) => boolean = () => false) {
  const context = await devices.newContext();
  const page = await context.newPage();
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  const routes: { page: WebSocketRoute; server: WebSocketRoute }[] = [];
  await page.routeWebSocket(/\/ws$/, (ws) => {
    const server = ws.connectToServer();
    ws.onMessage((m) => server.send(m));
    server.onMessage((m) => {
      if (typeof m !== 'string' || !hold(m)) ws.send(m);
    });
    routes.push({ page: ws, server });
  });
  await page.goto(t.url);
  await waitReady(page);
  const p = { page, errors, close: () => context.close(), dialogs: [] };
  pages.push(p);
  return { ...p, routes };
}

const note = (page: Page): Promise<string> => page.textContent('#media-note').then((s) => s ?? '');

async function switchMode(page: Page, mode: string): Promise<void> {
  await page.selectOption('#mode', mode);
  await page.waitForSelector(`body[data-mode="${mode}"]`);
  await page.waitForSelector('#mode:not([disabled])');
}

async function micOn(page: Page): Promise<void> {
  await page.click('#mic');
  await page.waitForSelector('#media[data-mic="on"]');
  await page.waitForFunction(() => Number(document.getElementById('media')?.dataset.audioAcks ?? 0) > 5);
}

describe('the camera', () => {
  it('monitor mode sends JPEG video frames; visual mode attaches a snapshot to the message', async () => {
    const { page, errors } = await open();
    await switchMode(page, 'monitor');
    expect(await page.isDisabled('#send')).toBe(true); // monitor takes no text
    await page.click('#camera');
    await page.waitForSelector('#preview:not([hidden])');
    await page.waitForFunction(
      () => Number(document.getElementById('media')?.dataset.videoAcks ?? 0) >= 3,
      undefined,
      {
        timeout: 60_000,
      },
    );
    await switchMode(page, 'visual');
    const sent = Number(await page.getAttribute('#media', 'data-sent'));
    await page.click('#snapshot');
    await page.waitForSelector('#attachments img');
    await send(page, 'What do you see?', 'canned:echo');
    await waitTurnEnd(page);
    // The echo names the image as the server decoded it: a JPEG from the camera.
    expect(await lastReplyText(page)).toMatch(/\[image image\/jpeg \d+ bytes\]/);
    // No video frames once the mode takes none.
    await page.waitForTimeout(1000);
    expect(Number(await page.getAttribute('#media', 'data-sent'))).toBe(sent);
    await page.click('#camera');
    expect(await page.isHidden('#preview')).toBe(true);
    expect(errors).toEqual([]);
  });
});

describe('hostile input on the media paths', () => {
  it('a refused microphone: a clear message, the page goes on', async () => {
    const { page, errors } = await open(plain);
    await switchMode(page, 'voice');
    await page.click('#mic');
    await page.waitForSelector('#media-note[data-kind="error"]');
    expect(await note(page)).toMatch(/^Microphone access was denied: allow it for this site/);
    expect(await page.getAttribute('#media', 'data-mic')).toBe('off');
    await switchMode(page, 'text');
    await send(page, 'still here', 'canned:echo');
    await waitTurnEnd(page);
    expect(await lastReplyText(page)).toBe('still here');
    expect(errors).toEqual([]);
  });

  it("the server's error for audio frames stops the microphone with its message", async () => {
    // The server is put in text mode behind the page's back (its ack held back): the page
    // goes on sending audio, and the real server refuses each frame with no_pipeline.
    let holdAck = false;
    const { page, errors, routes } = await openRouted((m) => holdAck && m.includes('"switch_mode"'));
    await switchMode(page, 'voice');
    await micOn(page);
    holdAck = true;
    routes[0]!.server.send(JSON.stringify({ type: 'control', action: 'switch_mode', mode: 'text' }));
    await page.waitForSelector('#media[data-mic="off"]', { timeout: 30_000 });
    expect(await note(page)).toMatch(
      /^The server refused the audio: mode text takes no audio_chunk #\d+: switch_mode to voice or broadcast/,
    );
    holdAck = false;
    await switchMode(page, 'text');
    await send(page, 'alive', 'canned:echo');
    await waitTurnEnd(page);
    expect(await lastReplyText(page)).toBe('alive');
    expect(errors).toEqual([]);
  });

  it('binary frames the page cannot read are reported and dropped', async () => {
    // The real server never sends these; the route adds them to the page's socket.
    const { page, errors, routes } = await openRouted();
    const toPage = routes[0]!.page;
    const frame = (bytes: number[]): Buffer => Buffer.from(bytes);
    toPage.send(frame([1, 1, 0]));
    await page.waitForFunction(() =>
      /no header/.test(document.getElementById('media-note')?.textContent ?? ''),
    );
    toPage.send(frame([9, 1, 0, 0, 0, 0, 0, 1, 0, 0]));
    await page.waitForFunction(() =>
      /unknown kind 9/.test(document.getElementById('media-note')?.textContent ?? ''),
    );
    toPage.send(frame([1, 7, 0, 0, 0, 0, 0, 1, 0, 0]));
    await page.waitForFunction(() =>
      /version 7/.test(document.getElementById('media-note')?.textContent ?? ''),
    );
    toPage.send(frame([1, 1, 0, 0, 0, 0, 0, 2, 5]));
    await page.waitForFunction(() =>
      /even number/.test(document.getElementById('media-note')?.textContent ?? ''),
    );
    // Speech before any audio-format, and a format the page cannot play: dropped, not played.
    toPage.send(frame([1, 1, 0, 0, 0, 0, 0, 3, 1, 0, 2, 0]));
    toPage.send(JSON.stringify({ type: 'audio-format', format: { encoding: 'f32le', sampleRate: -1 } }));
    await page.waitForFunction(() =>
      /cannot be played/.test(document.getElementById('media-note')?.textContent ?? ''),
    );
    toPage.send(frame([1, 1, 0, 0, 0, 0, 0, 4, 1, 0, 2, 0]));
    toPage.send('not json {');
    await page.waitForFunction(() => document.getElementById('media')?.dataset.dropped === '2');
    expect(await page.getAttribute('#media', 'data-scheduled')).toBe('0');
    await send(page, 'fine', 'canned:echo');
    await waitTurnEnd(page);
    expect(await lastReplyText(page)).toBe('fine');
    expect(errors).toEqual([]);
  });

  it('a socket closed while the mic is on: the mic stops, a message says why, the page reconnects', async () => {
    const { page, errors, routes } = await openRouted();
    await switchMode(page, 'voice');
    await micOn(page);
    routes[0]!.page.close({ code: 1001, reason: 'server going away' });
    await page.waitForSelector('#media[data-mic="off"]');
    expect(await note(page)).toMatch(/^The connection was lost \(server going away\): the microphone is off/);
    // The page reconnects by itself (a new socket through the route) and resumes the session.
    await page.waitForSelector('#conn[data-state="ready"]', { timeout: 30_000 });
    expect(routes.length).toBe(2);
    expect(errors).toEqual([]);
  });
});
