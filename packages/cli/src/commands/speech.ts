/**
 * `parley transcribe FILE` prints what is said in a recording; `parley say "text" -o out.wav`
 * speaks text into a WAV file. The engines are the `[voice]` section's (docs/VOICE.md).
 */
import { spawn } from 'node:child_process';
import { readFile, writeFile } from 'node:fs/promises';
import {
  EXIT,
  SpeechError,
  UsageError,
  createSpeechEngines,
  decodeInputAudio,
  encodeWav,
  type Parley,
} from '@parley/core';
import type { CliArgs } from '../args.js';
import type { Output } from '../output.js';

async function readAll(stream: NodeJS.ReadableStream): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const c of stream) chunks.push(typeof c === 'string' ? Buffer.from(c) : (c as Buffer));
  return Buffer.concat(chunks);
}

const isTty = (s: unknown): boolean => (s as { isTTY?: boolean }).isTTY === true;

export async function runTranscribeCommand(
  parley: Parley,
  args: CliArgs,
  o: Output,
  stdin: NodeJS.ReadStream = process.stdin,
): Promise<number> {
  const [file, ...extra] = args.rest;
  if (file === undefined || extra.length > 0)
    throw new UsageError(
      'parley transcribe takes one FILE: a .wav, or raw 16 kHz 16-bit mono PCM (- reads it from stdin)',
    );
  let bytes: Buffer;
  if (file === '-') {
    if (isTty(stdin)) throw new UsageError('parley transcribe -: pipe the audio in (stdin is a terminal)');
    bytes = await readAll(stdin);
  } else {
    bytes = await readFile(file).catch((e: NodeJS.ErrnoException) => {
      throw new UsageError(
        `${file}: ${e.code === 'ENOENT' ? 'no such file' : e.code === 'EISDIR' ? 'is a folder' : e.message}`,
      );
    });
  }
  const name = file === '-' ? 'stdin' : file;
  let audio;
  try {
    audio = decodeInputAudio(bytes, name);
  } catch (e) {
    throw SpeechError.is(e) ? new UsageError(e.message, { cause: e }) : e;
  }
  if (audio.resampledFrom !== undefined && args.verbose)
    o.err.write(`parley: ${name} is ${audio.resampledFrom} Hz; resampled to 16000 Hz\n`);
  const engines = await createSpeechEngines(parley.config);
  try {
    const t = await engines.stt.transcribe(audio.pcm);
    if (args.json) {
      const seconds = Math.round((audio.pcm.length / 16_000) * 1000) / 1000;
      o.out.write(`${JSON.stringify({ text: t.text, engine: t.engine, ms: Math.round(t.ms), seconds })}\n`);
    } else {
      o.out.write(`${t.text}\n`);
      if (t.text === '') o.err.write(`parley: no speech recognised in ${name}\n`);
    }
    return EXIT.ok;
  } finally {
    await engines.dispose();
  }
}

export async function runSayCommand(
  parley: Parley,
  args: CliArgs,
  o: Output,
  stdin: NodeJS.ReadStream = process.stdin,
): Promise<number> {
  let text = args.rest.join(' ');
  if (text.trim() === '' && !isTty(stdin)) text = (await readAll(stdin)).toString('utf8');
  if (text.trim() === '')
    throw new UsageError(
      'nothing to say: give the text as an argument (parley say "hello" -o hello.wav) or pipe it in',
    );
  const max = parley.config.max_input_chars;
  if (text.length > max)
    throw new UsageError(
      `the text is ${text.length} characters, more than the limit of ${max} (max_input_chars)`,
    );
  const target = args.output;
  if (target === undefined && !isTty(o.out))
    throw new UsageError(
      'parley say writes a WAV file: give -o FILE.wav, or -o - to write it to stdout (stdout is not a terminal)',
    );
  if (target !== undefined && target.trim() === '')
    throw new UsageError('-o needs a file name, or - for stdout');

  const engines = await createSpeechEngines(parley.config);
  let wav: Buffer;
  try {
    const parts: Int16Array[] = [];
    for await (const chunk of engines.speak(once(text))) parts.push(chunk.pcm);
    const pcm = new Int16Array(parts.reduce((n, p) => n + p.length, 0));
    let at = 0;
    for (const p of parts) {
      pcm.set(p, at);
      at += p.length;
    }
    if (pcm.length === 0) throw new UsageError('nothing to say: the text has no speakable characters');
    wav = encodeWav(pcm, engines.tts.format.sampleRate);
  } finally {
    await engines.dispose();
  }
  if (target === '-') o.out.write(wav);
  else if (target !== undefined) {
    await writeFile(target, wav).catch((e: NodeJS.ErrnoException) => {
      throw new UsageError(
        `-o ${target}: ${e.code === 'ENOENT' ? 'no such folder' : e.code === 'EISDIR' ? 'is a folder' : e.message}`,
      );
    });
    if (args.verbose) o.err.write(`parley: wrote ${target} (${wav.length} bytes)\n`);
  } else await play(wav);
  return EXIT.ok;
}

async function* once(text: string): AsyncGenerator<string> {
  yield text;
}

/** Play a WAV with sox's `play` (on a terminal, without -o). */
function play(wav: Buffer): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn('play', ['-q', '-t', 'wav', '-'], { stdio: ['pipe', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    child.stdin.on('error', () => undefined);
    child.stdin.end(wav);
    child.once('error', (e: NodeJS.ErrnoException) =>
      reject(
        new UsageError(
          e.code === 'ENOENT'
            ? 'cannot play audio: sox is not installed (apt-get install sox); or write a file with -o out.wav'
            : `cannot play audio: ${e.message}; write a file with -o out.wav`,
        ),
      ),
    );
    child.once('close', (code) => {
      if (code === 0) resolve();
      else
        reject(
          new UsageError(
            `cannot play audio here (play: ${stderr.trim().split('\n').pop() ?? `exit code ${code}`}); write a file with -o out.wav`,
          ),
        );
    });
  });
}
