/**
 * `parley transcribe` and `parley say` as a user runs them: the built CLI, real pocketsphinx
 * and espeak-ng, a temp PARLEY_HOME with a config.toml for the [voice] section.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeWav, encodeWav } from '../packages/core/src/speech/wav.js';
import { cleanEnv, PARLEY_BIN, runParley, tempHome } from './helpers/cli.js';

const DATA = '/usr/share/pocketsphinx/test/data';
const GO = path.join(DATA, 'goforward.raw');
let home: string;
let cleanup: () => void;
let grammarHome: string;

beforeAll(() => {
  ({ home, cleanup } = tempHome());
  // A second home whose config limits pocketsphinx to the "go forward" grammar.
  grammarHome = path.join(home, 'grammar');
  mkdirSync(path.join(grammarHome, 'config'), { recursive: true });
  writeFileSync(
    path.join(grammarHome, 'config', 'config.toml'),
    `[voice]\ngrammar = "${path.join(DATA, 'goforward.gram')}"\n`,
  );
});
afterAll(() => cleanup());

const run = (args: string[], env: Record<string, string> = {}, stdin?: string) =>
  runParley(args, { env: { PARLEY_HOME: home, ...env }, ...(stdin === undefined ? {} : { stdin }) });

describe('parley transcribe', () => {
  it('prints what a real recording says', async () => {
    const r = await run(['transcribe', GO]);
    expect(r.stderr).toBe('');
    expect(r.stdout).toBe('go forward ten meters\n');
    expect(r.code).toBe(0);
  });

  it('--json adds the engine, its time and the length', async () => {
    const r = await run(['transcribe', GO, '--json']);
    const j = JSON.parse(r.stdout) as { text: string; engine: string; ms: number; seconds: number };
    expect(j).toMatchObject({ text: 'go forward ten meters', engine: 'pocketsphinx' });
    expect(j.seconds).toBeCloseTo(2.786, 2);
    expect(j.ms).toBeGreaterThan(0);
  });

  it('resamples a WAV of another rate (here 8 kHz)', async () => {
    const raw = readFileSync(GO);
    const pcm = new Int16Array(raw.buffer, raw.byteOffset, raw.length / 2).filter((_, i) => i % 2 === 0);
    const file = path.join(home, 'go-8k.wav');
    writeFileSync(file, encodeWav(pcm, 8000));
    const r = await run(['transcribe', file, '--verbose'], { PARLEY_HOME: grammarHome });
    expect(r.stdout).toBe('go forward ten meters\n');
    expect(r.stderr).toContain('is 8000 Hz; resampled to 16000 Hz');
  });

  it('refuses hostile files with a clear message and exit code 2', async () => {
    const odd = path.join(home, 'odd.raw');
    writeFileSync(odd, Buffer.alloc(1001));
    const mp3 = path.join(home, 'song.mp3');
    writeFileSync(mp3, Buffer.from('ID3\u0004\u0000\u0000 more bytes'));
    const empty = path.join(home, 'empty.wav');
    writeFileSync(empty, '');
    const cases: [string[], RegExp][] = [
      [['transcribe'], /takes one FILE/],
      [['transcribe', 'a.wav', 'b.wav'], /takes one FILE/],
      [['transcribe', path.join(home, 'nope.wav')], /nope.wav: no such file/],
      [['transcribe', home], /is a folder/],
      [['transcribe', odd], /odd.raw is not a WAV file.*1001 bytes/],
      [['transcribe', mp3], /looks like MP3.*sox IN -r 16000/],
      [['transcribe', empty], /empty.wav is empty/],
    ];
    for (const [args, message] of cases) {
      const r = await run(args);
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.stderr).toMatch(message);
      expect(r.stdout).toBe('');
    }
  });

  it('reads stdin with -', async () => {
    const r = spawnSync(process.execPath, [PARLEY_BIN, 'transcribe', '-'], {
      input: readFileSync(GO),
      env: cleanEnv({ PARLEY_HOME: home }),
      encoding: 'utf8',
    });
    expect(r.stdout).toBe('go forward ten meters\n');
  });

  it('names a bad [voice] key in the config', async () => {
    const bad = path.join(home, 'bad');
    mkdirSync(path.join(bad, 'config'), { recursive: true });
    writeFileSync(path.join(bad, 'config', 'config.toml'), '[voice]\nstt = "dragon"\n');
    const r = await run(['transcribe', GO], { PARLEY_HOME: bad });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('voice.stt');
  });
});

describe('parley say', () => {
  it('writes a WAV that pocketsphinx hears as the same words', async () => {
    const out = path.join(home, 'go.wav');
    const r = await run(['say', 'go forward ten meters', '-o', out]);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe('');
    const wav = decodeWav(readFileSync(out));
    expect(wav.format.sampleRate).toBe(22_050);
    expect(wav.pcm.length / 22_050).toBeGreaterThan(0.8);
    const back = await run(['transcribe', out], { PARLEY_HOME: grammarHome });
    expect(back.stdout).toBe('go forward ten meters\n');
  });

  it('-o - writes the WAV to stdout; piped text is spoken', async () => {
    const r = spawnSync(process.execPath, [PARLEY_BIN, 'say', '-o', '-'], {
      input: 'Hello from a pipe.',
      env: cleanEnv({ PARLEY_HOME: home }),
    });
    expect(r.status).toBe(0);
    expect(r.stdout.subarray(0, 4).toString()).toBe('RIFF');
    expect(decodeWav(r.stdout).pcm.length).toBeGreaterThan(22_050 / 2);
  });

  it('refuses to write audio to a pipe without -o, and other bad input, clearly', async () => {
    const cases: [string[], RegExp][] = [
      [['say', 'hello'], /give -o FILE.wav, or -o - to write it to stdout/],
      [['say', '-o', path.join(home, 'x.wav')], /nothing to say/],
      [['say', '\u0007\u0001', '-o', path.join(home, 'x.wav')], /no speakable characters/],
      [['say', 'hi', '-o', path.join(home, 'no', 'such', 'dir', 'x.wav')], /no such folder/],
      [['say', 'hi', '-o', home], /is a folder/],
      [['say', 'hi', '-o', ''], /-o needs a file name/],
      [
        ['hello', '-o', 'x.wav'],
        /--output goes with parley load-test \(-o also with parley image and parley say\)/,
      ],
    ];
    for (const [args, message] of cases) {
      const r = await run(args, {}, '');
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.stderr).toMatch(message);
      expect(r.stdout).toBe('');
    }
  });

  it('speaks text longer than one TTS call takes, sentence by sentence', async () => {
    const small = path.join(home, 'small');
    mkdirSync(path.join(small, 'config'), { recursive: true });
    writeFileSync(path.join(small, 'config', 'config.toml'), '[voice]\nmax_tts_chars = 100\n');
    const out = path.join(home, 'long.wav');
    const text = 'This is a sentence. '.repeat(15); // 300 characters
    const r = await run(['say', text, '-o', out], { PARLEY_HOME: small });
    expect(r.stderr).toBe('');
    expect(decodeWav(readFileSync(out)).pcm.length / 22_050).toBeGreaterThan(10);
  });

  it('on a terminal without -o it plays the audio, or says why it cannot', () => {
    // `script` gives parley a real terminal; PATH holds espeak-ng but no `play`.
    const bin = path.join(home, 'bin');
    mkdirSync(bin, { recursive: true });
    symlinkSync('/usr/bin/espeak-ng', path.join(bin, 'espeak-ng'));
    const r = spawnSync(
      '/usr/bin/script',
      ['-qec', `"${process.execPath}" "${PARLEY_BIN}" say hello`, '/dev/null'],
      {
        env: cleanEnv({ PARLEY_HOME: home, PATH: bin, SHELL: '/bin/sh', NO_COLOR: '1' }),
        encoding: 'utf8',
        timeout: 60_000,
      },
    );
    expect(r.stdout).toContain(
      'cannot play audio: sox is not installed (apt-get install sox); or write a file with -o out.wav',
    );
  });
});
