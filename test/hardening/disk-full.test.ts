/**
 * Disk full: PARLEY_HOME on a tiny tmpfs that is then filled to the last byte. A turn still
 * answers and says clearly that it was not saved; an import fails with a clear error; and once
 * space is back, the database passes `integrity_check` with every earlier conversation intact.
 *
 * Mounting a tmpfs needs root (CI runs as root); where it is refused, the test says so and
 * skips rather than pretend.
 */
import { execFileSync } from 'node:child_process';
import { closeSync, mkdirSync, mkdtempSync, openSync, rmSync, writeSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runParley } from '../helpers/cli.js';

const mountPoint = mkdtempSync(path.join(os.tmpdir(), 'parley-tinyfs-'));
let mounted = false;
try {
  execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=4m', 'tmpfs', mountPoint], { stdio: 'ignore' });
  mounted = true;
} catch {
  console.warn(`disk-full test skipped: cannot mount a tmpfs at ${mountPoint} (needs root)`);
}

const home = path.join(mountPoint, 'home');
const filler = path.join(mountPoint, 'filler');
const env = { PARLEY_HOME: home };

/** Write to the filler until the file system refuses: the disk is then full to the last byte. */
function fillDisk(): number {
  const fd = openSync(filler, 'a');
  let written = 0;
  try {
    for (const size of [64 * 1024, 4096, 512, 1]) {
      const buf = Buffer.alloc(size, 0x61);
      for (;;) {
        try {
          written += writeSync(fd, buf);
        } catch {
          break;
        }
      }
    }
  } finally {
    closeSync(fd);
  }
  return written;
}

beforeAll(() => {
  if (mounted) mkdirSync(home, { recursive: true });
});
afterAll(() => {
  if (mounted) execFileSync('umount', [mountPoint]);
  rmSync(mountPoint, { recursive: true, force: true });
});

describe.skipIf(!mounted)('a full disk', () => {
  it('answers without saving, says so, refuses an import clearly, and loses nothing saved before', async () => {
    for (const words of ['first words kept', 'second words kept']) {
      const r = await runParley(['-m', 'canned:echo', words], { env });
      expect(r.code).toBe(0);
    }
    const before = await runParley(['history', 'list', '--json'], { env });
    const saved = JSON.parse(before.stdout) as { id: string; title: string }[];
    expect(saved.map((c) => c.title).sort()).toEqual(['first words kept', 'second words kept']);
    const exported = await runParley(['history', 'export', saved[0]?.id ?? ''], { env });
    expect(exported.code).toBe(0);

    expect(fillDisk()).toBeGreaterThan(0);

    // A long answer needs pages the disk no longer has.
    const long = 'x'.repeat(200_000);
    const turn = await runParley(['-m', 'canned:echo', '--no-cache'], { env, stdin: long });
    expect(turn.stdout.trim()).toBe(long); // the answer is not lost
    expect(turn.stderr).toMatch(/history: .*disk .*is full.*not being saved/i);
    expect(turn.code).toBe(0);

    const imported = await runParley(['import', '-'], {
      env,
      stdin: exported.stdout.replace(saved[0]?.id ?? '', '01HARDENINGIMPORTDISKFULL0'),
    });
    expect(imported.code).not.toBe(0);
    expect(imported.stderr).toMatch(/parley: error: .*disk .*is full/i);
    expect(imported.stderr).not.toMatch(/\n\s+at /); // a message, not a stack trace

    rmSync(filler);
    const db = new Database(path.join(home, 'data', 'parley.db'), { readonly: true });
    expect(db.pragma('integrity_check', { simple: true })).toBe('ok');
    db.close();
    const after = await runParley(['history', 'list', '--json'], { env });
    const titles = (JSON.parse(after.stdout) as { title: string }[]).map((c) => c.title);
    expect(titles).toEqual(expect.arrayContaining(['first words kept', 'second words kept']));
    const again = await runParley(['history', 'export', saved[0]?.id ?? ''], { env });
    expect(again.stdout).toBe(exported.stdout);
    // And parley works again once there is room.
    expect((await runParley(['-m', 'canned:echo', 'room again'], { env })).code).toBe(0);
  }, 120_000);
});
