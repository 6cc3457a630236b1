/**
 * Audio for the speech conformance suites: real human recordings from Debian's
 * `pocketsphinx-testdata`, plus made-up signals (silence, noise, full-scale clipping).
 */
import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { pcmFromBytes, decodeWav } from '../wav.js';

export const TEST_DATA = '/usr/share/pocketsphinx/test/data';
/** `goforward.raw`: a man saying "go forward ten meters" (16 kHz s16le). */
export const GO_FORWARD_TEXT = 'go forward ten meters';
const RATE = 16_000;

export function goForward(): Int16Array {
  return pcmFromBytes(readFileSync(path.join(TEST_DATA, 'goforward.raw')));
}

/** The LibriVox clips (16 kHz WAV) with their reference transcripts. */
export function librivoxClips(): { id: string; pcm: Int16Array; reference: string }[] {
  const dir = path.join(TEST_DATA, 'librivox');
  const refs = new Map<string, string>();
  for (const line of readFileSync(path.join(dir, 'transcription'), 'utf8').split('\n')) {
    const m = /^<s>\s*(.*?)\s*<\/s>\s*\((.+)\)\s*$/.exec(line.trim());
    if (m?.[1] !== undefined && m[2] !== undefined) refs.set(m[2], m[1]);
  }
  return readdirSync(dir)
    .filter((f) => f.endsWith('.wav'))
    .sort()
    .map((f) => {
      const id = f.replace(/\.wav$/, '');
      return { id, pcm: decodeWav(readFileSync(path.join(dir, f)), f).pcm, reference: refs.get(id) ?? '' };
    });
}

export function silence(ms: number): Int16Array {
  return new Int16Array(Math.round((ms * RATE) / 1000));
}

/** Quiet white noise (about -60 dBFS), from a fixed seed. */
export function quietNoise(ms: number, amplitude = 30): Int16Array {
  const out = new Int16Array(Math.round((ms * RATE) / 1000));
  let x = 12345;
  for (let i = 0; i < out.length; i++) {
    x = (x * 1103515245 + 12345) & 0x7fffffff;
    out[i] = Math.round(((x / 0x7fffffff) * 2 - 1) * amplitude);
  }
  return out;
}

/** A full-scale 200 Hz square wave: every sample at -32768 or 32767 (clipping). */
export function clipping(ms: number): Int16Array {
  const out = new Int16Array(Math.round((ms * RATE) / 1000));
  for (let i = 0; i < out.length; i++) out[i] = Math.floor(i / 40) % 2 === 0 ? 32767 : -32768;
  return out;
}

export function concat(...parts: Int16Array[]): Int16Array {
  const out = new Int16Array(parts.reduce((n, p) => n + p.length, 0));
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

/** Our own child processes whose command name is `name` (from /proc). */
export function childProcesses(name: string): number[] {
  const found: number[] = [];
  for (const pid of readdirSync('/proc').filter((d) => /^\d+$/.test(d))) {
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      const comm = stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      const ppid = Number(fields[1]);
      const state = fields[0];
      if (ppid === process.pid && state !== 'Z' && name.startsWith(comm)) found.push(Number(pid));
    } catch {
      // The process ended while we looked.
    }
  }
  return found;
}
