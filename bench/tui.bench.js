// The terminal UI: render time of one streamed delta with 10 and with 1,000 messages in the
// history. Goal: the ratio stays under 1.5 (the cost of a delta must not grow with history).
//
// One delta, measured: the controller takes a text-delta event, React re-renders the app,
// Ink lays it out and renders it (debug mode, as `parley chat` runs it), and the screen
// writer diffs the frame and writes the changed lines. The terminal is a stand-in stream of
// 120 x 40 that counts bytes. The two histories are measured in alternating rounds in the
// same process, so load on the machine hits both alike.
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { EventEmitter } from 'node:events';
import { createParley } from '../packages/core/dist/index.js';
import { median, progress, quantile, round, summary, writeResult } from './lib/stats.js';

// As `parley chat` runs them: Ink outside CI mode, React's production build.
delete process.env.CI;
process.env.NODE_ENV ??= 'production';
const { render } = await import('ink');
const { createElement } = await import('react');
const { App } = await import('../packages/cli/dist/tui/components.js');
const { ChatController } = await import('../packages/cli/dist/tui/controller.js');
const { ChatSession } = await import('../packages/cli/dist/tui/session.js');
const { createMarkdownEngine } = await import('../packages/cli/dist/tui/markdown.js');
const { ScreenWriter } = await import('../packages/cli/dist/tui/screen.js');

const ROUNDS = Number(process.env.BENCH_RUNS ?? 7);
const COLUMNS = 120;
const ROWS = 40;

/** A finished message of the history: markdown with a heading, a list and code. */
const message = (i) =>
  i % 2 === 0
    ? `Question ${i}: how do I read a file line by line in Node.js?`
    : [
        `## Answer ${i}`,
        '',
        'Use **readline** over a stream, and iterate with `for await`:',
        '',
        '```js',
        "import { createInterface } from 'node:readline';",
        `for await (const line of createInterface({ input })) console.log(line); // ${i}`,
        '```',
        '',
        '- it keeps memory flat;',
        '- errors reject the loop.',
      ].join('\n');

/** The streamed answer: words of a markdown text with paragraphs, a list and a code block. */
const STREAMED = [
  'Here is a longer answer, streamed a word at a time, the way a model sends it.',
  '',
  'First, some prose that goes on for a while so that it wraps across several lines of the',
  'screen, with `inline code`, **bold** and *italic* words in it.',
  '',
  '1. a numbered list',
  '2. with a second item',
  '',
  '```ts',
  'export function add(a: number, b: number): number {',
  '  return a + b;',
  '}',
  '```',
  '',
  'And a closing paragraph after the code block, long enough to wrap once or twice more on a',
  'screen of this width, which is where it ends.',
].join('\n');
const DELTAS = STREAMED.match(/\s*\S+\s*/g);

class FakeTerminal extends EventEmitter {
  columns = COLUMNS;
  rows = ROWS;
  isTTY = true;
  bytes = 0;
  write(s) {
    this.bytes += Buffer.byteLength(s);
    return true;
  }
}

class FakeStdin extends EventEmitter {
  isTTY = true;
  setRawMode() {}
  setEncoding() {}
  resume() {}
  pause() {}
  ref() {}
  unref() {}
  read() {
    return null;
  }
}

const home = mkdtempSync(path.join(os.tmpdir(), 'parley-bench-tui-'));
const parley = createParley({
  env: { PARLEY_HOME: home },
  config: { model: 'canned:lorem', store: { log: false } },
});
const md = createMarkdownEngine();

/** A chat on screen with `n` finished messages, each rendered once. */
function setup(n) {
  const session = new ChatSession(parley, parley.conversation({ log: false }));
  const c = new ChatController({ session, columns: COLUMNS, rows: ROWS, noColor: false });
  c.setMarkdown(md);
  for (let i = 0; i < n; i++) c.transcript.add(i % 2 ? 'assistant' : 'user', message(i));
  const ctx = { width: COLUMNS, theme: c.theme, md };
  for (const e of c.transcript.entries) e.view(ctx); // rendered once, and kept
  const term = new FakeTerminal();
  const screen = new ScreenWriter(term);
  const ink = render(createElement(App, { controller: c, size: { columns: COLUMNS, rows: ROWS } }), {
    stdout: screen,
    stdin: new FakeStdin(),
    debug: true,
    exitOnCtrlC: false,
    patchConsole: false,
  });
  return { c, screen, term, ink };
}

const frameBytes = [];

/** Resolves when the screen writer has drawn the next frame. */
function nextFrame(screen) {
  return new Promise((resolve) => {
    const draw = screen.frame;
    screen.frame = function (text) {
      frameBytes.push(Buffer.byteLength(text));
      screen.frame = draw;
      draw.call(screen, text);
      resolve(performance.now());
    };
  });
}

/** Stream the answer; the time of each delta, from the event to the bytes written. */
async function streamOnce(s) {
  const { c, screen } = s;
  c.transcript.add('user', 'Tell me more.');
  const entry = c.transcript.add('assistant', '', true);
  c.transcript.reveal();
  const times = [];
  let bytes = 0;
  for (const text of DELTAS) {
    const b0 = s.term.bytes;
    const drawn = nextFrame(screen);
    const t0 = performance.now();
    c.onEvent({ type: 'text-delta', text }, entry);
    c.flush();
    // React commits in a microtask; Ink renders the frame as it commits.
    const t = (await drawn) - t0;
    times.push(t);
    bytes += s.term.bytes - b0;
  }
  entry.finish();
  return { times, bytesPerDelta: bytes / DELTAS.length };
}

const sizes = [10, 1000];
const setups = Object.fromEntries(sizes.map((n) => [n, setup(n)]));
await new Promise((r) => setTimeout(r, 100)); // React's effects: the app subscribes to the controller
const samples = Object.fromEntries(sizes.map((n) => [n, []]));
const bytes = Object.fromEntries(sizes.map((n) => [n, []]));
await streamOnce(setups[10]); // warm up JIT and caches
await streamOnce(setups[1000]);
for (let r = 0; r < ROUNDS; r++) {
  for (const n of r % 2 ? [...sizes].reverse() : sizes) {
    const { times, bytesPerDelta } = await streamOnce(setups[n]);
    samples[n].push(...times);
    bytes[n].push(bytesPerDelta);
  }
  progress(`round ${r + 1}/${ROUNDS}`);
}
for (const s of Object.values(setups)) s.ink.unmount();
await parley.dispose();
rmSync(home, { recursive: true, force: true });

const ratio = median(samples[1000]) / median(samples[10]);
const result = writeResult('tui', {
  command: 'node bench/tui.bench.js',
  goal: 'render time of one streamed delta, 1,000 vs 10 messages in the history: ratio < 1.5',
  terminal: `${COLUMNS}x${ROWS}`,
  deltas_per_round: DELTAS.length,
  rounds: ROUNDS,
  delta_ms_history_10: summary(samples[10]),
  delta_ms_history_1000: summary(samples[1000]),
  p95_ratio: round(quantile(samples[1000], 0.95) / quantile(samples[10], 0.95), 3),
  ratio_1000_over_10: round(ratio, 3),
  bytes_written_per_delta: {
    history_10: round(median(bytes[10]), 1),
    history_1000: round(median(bytes[1000]), 1),
  },
  // What Ink hands the screen writer: the whole frame, which a full redraw would write.
  whole_frame_bytes: round(median(frameBytes), 1),
  ok: ratio < 1.5,
});
if (!result.ok) process.exitCode = 1;
