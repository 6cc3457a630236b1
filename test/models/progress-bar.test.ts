import { describe, expect, it } from 'vitest';
import { createProgressBar, formatBytes, formatDuration } from '../../packages/cli/src/progress-bar.js';

function fakeStream(isTTY: boolean, columns?: number) {
  const writes: string[] = [];
  return { writes, stream: { isTTY, columns, write: (s: string) => writes.push(s) } };
}

function clock() {
  let t = 0;
  return { now: () => t, advance: (ms: number) => (t += ms) };
}

describe('createProgressBar on a pipe (not a TTY)', () => {
  it('writes one line at the start and one at the end', () => {
    const { writes, stream } = fakeStream(false);
    const bar = createProgressBar(stream, { label: 'model.gguf' });
    bar.update(0, 2_000_000);
    bar.update(1_000_000, 2_000_000);
    bar.update(2_000_000, 2_000_000);
    bar.done('saved model.gguf');
    bar.done('ignored');
    bar.update(5, 10);
    expect(writes.join('')).toBe('model.gguf (2.0 MB)\nsaved model.gguf\n');
  });

  it('says when it resumes and when the size is unknown', () => {
    const a = fakeStream(false);
    createProgressBar(a.stream).update(500_000, 1_000_000);
    expect(a.writes.join('')).toBe('downloading (1.0 MB, resuming at 500.0 kB)\n');
    const b = fakeStream(false);
    createProgressBar(b.stream).update(0, undefined);
    expect(b.writes.join('')).toBe('downloading (size unknown)\n');
  });
});

describe('createProgressBar on a TTY', () => {
  it('redraws with \\r at most every 100 ms, with percent, speed and ETA', () => {
    const { writes, stream } = fakeStream(true);
    const c = clock();
    const bar = createProgressBar(stream, { label: 'm.gguf', now: c.now });
    bar.update(0, 10_000_000);
    expect(writes).toEqual(['\rm.gguf [--------------------] 0% 0 B/10.0 MB -- B/s ETA --:--']);
    c.advance(50);
    bar.update(500_000, 10_000_000); // too soon: not drawn
    expect(writes).toHaveLength(1);
    c.advance(950);
    bar.update(2_500_000, 10_000_000); // 2.5 MB in 1 s
    expect(writes[1]).toBe('\rm.gguf [#####---------------] 25% 2.5 MB/10.0 MB 2.5 MB/s ETA 0:03');
    c.advance(10);
    bar.update(10_000_000, 10_000_000); // completion is always drawn
    expect(writes[2]).toMatch(/^\rm\.gguf \[#{20}\] 100% 10\.0 MB\/10\.0 MB .* ETA 0:00$/);
    bar.done('done');
    // The final message overwrites the bar, padded to clear it, then ends the line.
    expect(writes[3]).toBe(`\rdone${' '.repeat((writes[2]?.length ?? 0) - 1 - 'done'.length)}`);
    expect(writes[4]).toBe('\n');
    expect(writes).toHaveLength(5);
  });

  it('shows bytes and speed without a bar when the total is unknown, and fits the width', () => {
    const { writes, stream } = fakeStream(true, 20);
    const c = clock();
    const bar = createProgressBar(stream, { now: c.now });
    c.advance(1000);
    bar.update(0, undefined);
    c.advance(2000);
    bar.update(3_000_000, undefined);
    expect(writes[1]).toBe('\rdownloading 3.0 MB ');
    const wide = fakeStream(true);
    const c2 = clock();
    const bar2 = createProgressBar(wide.stream, { now: c2.now });
    bar2.update(0, undefined);
    c2.advance(2000);
    bar2.update(3_000_000, undefined);
    expect(wide.writes[1]).toBe('\rdownloading 3.0 MB 1.5 MB/s');
  });
});

describe('formatting', () => {
  it('formats bytes and durations', () => {
    expect(formatBytes(999)).toBe('999 B');
    expect(formatBytes(1_120_000_000)).toBe('1.1 GB');
    expect(formatDuration(65)).toBe('1:05');
    expect(formatDuration(3725)).toBe('1:02:05');
    expect(formatDuration(undefined)).toBe('--:--');
  });
});
