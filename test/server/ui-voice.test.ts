/// <reference lib="dom" />
/**
 * Voice in the browser UI, in real Chromium with its fake microphone playing a real
 * recording (pocketsphinx's "go forward ten meters"), against a real server: the energy VAD,
 * pocketsphinx, the local model (stories260K, one thread) and espeak-ng.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GOFORWARD } from '../pipeline/voice-client.js';
import { startTestServer, type TestServer } from './helpers.js';
import { launchChromium, openUi, type UiPage } from './ui-page.js';

/** A WAV file (16 kHz s16le mono) of the recording with silence before and after. */
export function recordingWav(file: string, beforeMs: number, afterMs: number): void {
  const pcm = Buffer.concat([
    Buffer.alloc(beforeMs * 32),
    readFileSync(GOFORWARD),
    Buffer.alloc(afterMs * 32),
  ]);
  const h = Buffer.alloc(44);
  h.write('RIFF', 0);
  h.writeUInt32LE(36 + pcm.length, 4);
  h.write('WAVEfmt ', 8);
  h.writeUInt32LE(16, 16);
  h.writeUInt16LE(1, 20); // PCM
  h.writeUInt16LE(1, 22); // mono
  h.writeUInt32LE(16000, 24);
  h.writeUInt32LE(32000, 28);
  h.writeUInt16LE(2, 32);
  h.writeUInt16LE(16, 34);
  h.write('data', 36);
  h.writeUInt32LE(pcm.length, 40);
  writeFileSync(file, Buffer.concat([h, pcm]));
}

let t: TestServer;
let browser: Browser;
let dir: string;
const pages: UiPage[] = [];

beforeAll(async () => {
  dir = mkdtempSync(path.join(tmpdir(), 'parley-voice-ui-'));
  const wav = path.join(dir, 'goforward.wav');
  recordingWav(wav, 1000, 1000);
  [t, browser] = await Promise.all([
    startTestServer({
      sequences: 1,
      config: {
        // A reasoning model that cannot load: deep dive cannot start.
        pipelines: { voice_max_tokens: 60, reasoning_model: path.join(dir, 'missing.gguf') },
      },
    }),
    launchChromium([
      '--use-fake-ui-for-media-stream',
      '--use-fake-device-for-media-stream',
      // %noloop: the file plays once, then silence.
      `--use-file-for-fake-audio-capture=${wav}%noloop`,
      '--autoplay-policy=no-user-gesture-required',
    ]),
  ]);
});
afterAll(async () => {
  await Promise.all(pages.map((p) => p.close()));
  await browser?.close();
  await t?.close();
  rmSync(dir, { recursive: true, force: true });
});

async function open(): Promise<UiPage> {
  const p = await openUi(browser, t.url);
  pages.push(p);
  return p;
}

/** The page's playback counters (data attributes of the media bar). */
type Counters = Record<
  | 'chunks'
  | 'scheduled'
  | 'stopped'
  | 'dropped'
  | 'playing'
  | 'sent'
  | 'audioAcks'
  | 'videoAcks'
  | 'underruns',
  number
>;

async function counters(page: Page): Promise<Counters> {
  return page.evaluate(() => {
    const d = (document.getElementById('media') as HTMLElement).dataset;
    return Object.fromEntries(
      [
        'chunks',
        'scheduled',
        'stopped',
        'dropped',
        'playing',
        'sent',
        'audioAcks',
        'videoAcks',
        'underruns',
      ].map((k) => [k, Number(d[k] ?? 0)]),
    ) as Counters;
  });
}

async function switchMode(page: Page, mode: string): Promise<void> {
  await page.selectOption('#mode', mode);
  await page.waitForSelector(`body[data-mode="${mode}"]`);
  await page.waitForSelector('#mode:not([disabled])');
}

describe('voice in the browser', () => {
  it(
    'the mic sends the recording, the transcript shows as the user message, and the answer is spoken',
    { timeout: 300_000 },
    async () => {
      const { page, errors } = await open();
      await switchMode(page, 'voice');
      expect(await page.textContent('#media-note')).toMatch(/voice · in: stream\/audio.* out: transcript/);
      await page.click('#mic');
      await page.waitForSelector('#media[data-mic="on"]');
      const spoken = await page.waitForSelector('.msg.user.spoken .body', { timeout: 180_000 });
      // One utterance is enough.
      await page.click('#mic');
      expect(await page.getAttribute('#media', 'data-mic')).toBe('off');
      expect(await spoken.textContent()).toMatch(/forward/);
      // The answer is spoken: TTS chunks reach the page and are scheduled for playback.
      await page.waitForFunction(
        () => Number((document.getElementById('media') as HTMLElement).dataset.scheduled) >= 2,
        undefined,
        { timeout: 180_000 },
      );
      const c = await counters(page);
      expect(c.sent).toBeGreaterThan(50); // 20 ms frames: over a second of audio went up
      expect(c.audioAcks).toBeGreaterThan(50);
      expect(c.chunks).toBeGreaterThanOrEqual(c.scheduled);
      expect(c.scheduled).toBeGreaterThanOrEqual(2);
      // The whole answer: every chunk that came was scheduled, none dropped; then all have played.
      await page.waitForSelector('#status[data-kind="done"]', { timeout: 180_000 });
      await page.waitForSelector('#media[data-playing="0"]', { timeout: 30_000 });
      const end = await counters(page);
      expect(end.scheduled).toBe(end.chunks);
      expect(end.dropped).toBe(0);
      console.log(`browser voice: ${JSON.stringify({ first: c, end })}`);
      expect(errors).toEqual([]);
    },
  );

  it(
    'a mode the server cannot start shows its error; Interrupt stops the speech at once',
    { timeout: 300_000 },
    async () => {
      const { page, errors } = await open();
      await page.selectOption('#mode', 'deep-dive');
      const alert = await page.waitForSelector('#mode-error:not(:empty)', { timeout: 60_000 });
      expect(await alert.textContent()).toMatch(/^Mode not available: mode deep-dive cannot start: /);
      expect(await alert.getAttribute('role')).toBe('alert');
      expect(await page.inputValue('#mode')).toBe('text');

      // A typed message in voice mode is answered aloud.
      await switchMode(page, 'voice');
      expect(await page.textContent('#mode-error')).toBe('');
      await page.fill('#prompt', 'Once upon a time');
      await page.press('#prompt', 'Enter');
      await page.waitForFunction(
        () => Number((document.getElementById('media') as HTMLElement).dataset.scheduled) >= 2,
        undefined,
        { timeout: 180_000 },
      );
      await page.click('#interrupt');
      // Every scheduled source is stopped at once; the turn ends as interrupted.
      const after = await counters(page);
      expect(after.playing).toBe(0);
      expect(after.stopped).toBeGreaterThanOrEqual(1);
      await page.waitForSelector('#status[data-kind="interrupted"]', { timeout: 30_000 });
      await page.waitForSelector('.msg.assistant[data-state="interrupted"]');
      // No chunk is played after the interrupt, even one already on its way.
      await page.waitForTimeout(1500);
      const later = await counters(page);
      expect(later.scheduled).toBe(after.scheduled);
      expect(later.playing).toBe(0);
      expect(errors).toEqual([]);
    },
  );
});

describe('the audio helpers, in the browser', () => {
  it('resamples to 16 kHz keeping the pitch, and frames audio with the 8-byte header', async () => {
    const { page } = await open();
    // A string, so the test runner does not rewrite the page's import().
    await page.evaluate(
      "Promise.all([import('/pcm.js'), import('/frames.js')]).then(([p, f]) => { window.__pcm = p; window.__frames = f; })",
    );
    const r = await page.evaluate(() => {
      type Parsed = { kind: string; seq: number; payload: Uint8Array; error: string };
      const w = window as unknown as {
        __pcm: {
          Resampler: new (rate: number) => { process(x: Float32Array): Float32Array };
          floatToS16(x: Float32Array): Int16Array;
          rms(x: Int16Array): number;
        };
        __frames: {
          encodeFrame(k: string, s: number, p: Uint8Array): ArrayBuffer;
          parseFrame(b: ArrayBuffer): Parsed;
        };
      };
      const pcm = w.__pcm;
      const frames = w.__frames;
      const tone = (rate: number, seconds: number): Float32Array =>
        Float32Array.from(
          { length: rate * seconds },
          (_, i) => 0.5 * Math.sin((2 * Math.PI * 440 * i) / rate),
        );
      const crossings = (s: Int16Array): number => {
        let n = 0;
        for (let i = 1; i < s.length; i++) if (s[i - 1]! < 0 !== s[i]! < 0) n++;
        return n;
      };
      const out: Record<string, number> = {};
      for (const rate of [48000, 44100, 8000]) {
        // In blocks of 128 samples, as the AudioWorklet hands them over.
        const res = new pcm.Resampler(rate);
        const input = tone(rate, 1);
        const parts: number[] = [];
        for (let i = 0; i < input.length; i += 128) parts.push(...res.process(input.subarray(i, i + 128)));
        const s16 = pcm.floatToS16(Float32Array.from(parts));
        out[`len${rate}`] = s16.length;
        out[`hz${rate}`] = crossings(s16) / 2;
        out[`rms${rate}`] = pcm.rms(s16);
      }
      const f = new Uint8Array(frames.encodeFrame('audio_chunk', 0x01020304, new Uint8Array([7, 8])));
      const parsed = frames.parseFrame(f.buffer);
      return {
        out,
        header: [...f],
        parsed: { kind: parsed.kind, seq: parsed.seq, payload: [...parsed.payload] },
        short: frames.parseFrame(new Uint8Array(3).buffer).error,
        kind: frames.parseFrame(new Uint8Array([9, 1, 0, 0, 0, 0, 0, 1]).buffer).error,
        odd: frames.parseFrame(new Uint8Array([1, 1, 0, 0, 0, 0, 0, 1, 5]).buffer).error,
      };
    });
    for (const rate of [48000, 44100, 8000]) {
      expect(Math.abs(r.out[`len${rate}`]! - 16000)).toBeLessThanOrEqual(2);
      expect(Math.abs(r.out[`hz${rate}`]! - 440)).toBeLessThanOrEqual(2);
      expect(r.out[`rms${rate}`]).toBeGreaterThan(0.3); // 0.5 / √2, a little less after the box filter
    }
    expect(r.header).toEqual([1, 1, 0, 0, 1, 2, 3, 4, 7, 8]);
    expect(r.parsed).toEqual({ kind: 'audio_chunk', seq: 0x01020304, payload: [7, 8] });
    expect(r.short).toMatch(/3 bytes has no header/);
    expect(r.kind).toMatch(/unknown kind 9/);
    expect(r.odd).toMatch(/1 bytes \(PCM s16le needs an even number\)/);
  });
});
