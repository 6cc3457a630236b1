/**
 * Hostile programs against `run_code` and `shell`: each one tries to get out of the sandbox
 * the way a prompt-injected model would. It reads the user's files, parley's own environment
 * through /proc, writes outside its folder, starts processes by the back doors of Python and
 * Node, leaves processes behind (`setsid`, `nohup`), reaches a server on loopback, and floods
 * its output. Everything runs for real: real Python, real Node, real `/bin/sh`, a real
 * loopback HTTP server and a real process carrying a canary secret in its environment.
 *
 * Where this machine cannot make namespaces (`isolation()` is `none`), the checks that need
 * them are marked as such and skipped, and the test says so; docs/tools.md says what that
 * leaves open.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { LookupAddress } from 'node:dns';
import type { AddressInfo, LookupFunction } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ConfigLayer, ParleyConfig, ToolResult, ToolSession } from '@parley/core';
import { createToolSession, DEFAULTS } from '@parley/core';
import { isolation, limitedArgv } from '../../packages/core/src/tools/run-limited.js';

const yes = async (): Promise<boolean> => true;
const NS = isolation() === 'namespaces';
const CANARY = `parley-canary-${process.pid}-${Date.now()}`;

let s: ToolSession;
let outside: string;
let workspace: string;
let server: Server;
let hits = 0;
let port = 0;
let holder: ChildProcess;

beforeAll(async () => {
  outside = mkdtempSync(path.join(tmpdir(), 'parley-user-'));
  workspace = mkdtempSync(path.join(tmpdir(), 'parley-ws-'));
  writeFileSync(path.join(outside, 'diary.txt'), `${CANARY} private diary\n`);
  server = createServer((_req, res) => {
    hits++;
    res.end(CANARY);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  port = (server.address() as AddressInfo).port;
  // A process of the same user that holds a secret in its environment, as parley does.
  holder = spawn('sleep', ['120'], { env: { ...process.env, PARLEY_TEST_CANARY: CANARY }, stdio: 'ignore' });
  const tools: ConfigLayer['tools'] = {
    workspace,
    limits: { run_timeout_ms: 4000, run_memory_mb: 256, run_output_bytes: 8192 },
  };
  s = await createToolSession({ ...DEFAULTS, tools } as ParleyConfig, { enabled: ['all'], confirm: yes });
  console.log(`sandbox-escape: isolation ${isolation()}, uid ${process.getuid?.() ?? '?'}`);
});

afterAll(async () => {
  holder?.kill('SIGKILL');
  server?.close();
  await s?.close();
  rmSync(outside, { recursive: true, force: true });
  rmSync(workspace, { recursive: true, force: true });
});

let n = 0;
const call = (name: string, args: unknown): Promise<ToolResult> =>
  s.registry.call(name, `e${++n}`, args, { confirm: yes, signal: new AbortController().signal });
const text = (r: ToolResult) => (r.ok ? r.forModel : `${r.code}: ${r.message}`);
const py = async (code: string) => text(await call('run_code', { language: 'python', code }));
const js = async (code: string) => text(await call('run_code', { language: 'javascript', code }));
const sh = async (command: string) => text(await call('shell', { command }));

describe('run_code in Python stays in its folder', () => {
  it('cannot read the user files, /etc or parley environment in /proc', async () => {
    const diary = path.join(outside, 'diary.txt');
    for (const target of [
      diary,
      '/etc/hostname',
      `/proc/${process.pid}/environ`,
      '/proc/1/environ',
      '/proc/self/../1/cmdline',
    ]) {
      const r = await py(`print(open(${JSON.stringify(target)}, 'rb').read()[:80])`);
      expect(r, target).toContain('PermissionError');
      expect(r, target).not.toContain(CANARY);
    }
    // `..` out of the folder, a link made inside, os.open and io.open_code: all the same door.
    expect(await py(`print(open('../' * 12 + ${JSON.stringify(diary.slice(1))}).read())`)).toContain(
      'is outside the sandbox folder',
    );
    expect(
      await py(`import os\nos.symlink(${JSON.stringify(outside)}, 'l')\nprint(os.listdir('l'))`),
    ).toContain('PermissionError');
    expect(
      await py(`import os\nprint(os.read(os.open(${JSON.stringify(diary)}, os.O_RDONLY), 99))`),
    ).toContain('PermissionError');
    expect(await py(`import io\nprint(io.open_code(${JSON.stringify(diary)}).read())`)).toContain(
      'PermissionError',
    );
    expect(await py(`import os\nprint(os.listdir(${JSON.stringify(outside)}))`)).toContain('PermissionError');
  });

  it('cannot write, remove or rename outside its folder, and can inside', async () => {
    const diary = path.join(outside, 'diary.txt');
    expect(await py(`open(${JSON.stringify(path.join(outside, 'x'))}, 'w').write('x')`)).toContain(
      'PermissionError',
    );
    expect(await py(`import os\nos.remove(${JSON.stringify(diary)})`)).toContain('PermissionError');
    expect(await py(`import os\nos.rename(${JSON.stringify(diary)}, 'mine.txt')`)).toContain(
      'PermissionError',
    );
    expect(await py(`import os\nos.chdir('/')\nprint(open('etc/hostname').read())`)).toContain(
      'PermissionError',
    );
    expect(readFileSync(diary, 'utf8')).toBe(`${CANARY} private diary\n`);
    // Inside its folder a program works as usual, and Python's own library still loads.
    expect(
      await py(
        "import json, os, tempfile\nopen('a.txt', 'w').write('ok')\nos.rename('a.txt', 'b.txt')\nprint(json.dumps(sorted(os.listdir('.'))), open('b.txt').read())",
      ),
    ).toContain('"b.txt"');
  });

  it('cannot start a process by the back doors', async () => {
    for (const code of [
      "import _posixsubprocess\n_posixsubprocess.fork_exec(['/bin/id'], [b'/bin/id'], True, (), None, None, -1, -1, -1, -1, -1, -1, -1, -1, False, False, None, None, None, -1, None, False)",
      "import multiprocessing as m\np = m.Process(target=print, args=('child',))\np.start(); p.join()",
      "import os\nos.posix_spawn('/bin/id', ['id'], {})",
      "import ctypes\nctypes.CDLL(None).system(b'id')",
      "import pty\npty.spawn('/bin/id')",
      'import os\nos.kill(1, 9)',
    ]) {
      const r = await py(code);
      expect(r, code).toMatch(/not allowed in the sandbox/);
      expect(r, code).not.toMatch(/uid=\d+/);
    }
  });
});

describe('run_code in JavaScript stays in its folder', () => {
  it("refuses Node's back doors: bindings, links, Buffer paths, workers, WASI, the inspector, addons", async () => {
    const diary = JSON.stringify(path.join(outside, 'diary.txt'));
    for (const code of [
      "process.binding('spawn_sync').spawn({ file: '/bin/id', args: ['id'], stdio: [] })",
      `process.binding('fs').open(${diary}, 0, 0, undefined, { path: ${diary} })`,
      `import fs from 'node:fs'; fs.symlinkSync(${JSON.stringify(outside)}, 'l'); console.log(fs.readFileSync('l/diary.txt', 'utf8'))`,
      `import fs from 'node:fs'; console.log(fs.readFileSync(Buffer.from(process.cwd() + '/../../..' + ${diary}), 'utf8'))`,
      `import fs from 'node:fs'; console.log(fs.readFileSync('/proc/' + process.ppid + '/environ', 'utf8'))`,
      "import { Worker } from 'node:worker_threads'; new Worker('1', { eval: true })",
      "import { WASI } from 'node:wasi'; new WASI({ version: 'preview1', preopens: { '/': '/' } })",
      "import inspector from 'node:inspector'; inspector.open(0)",
      "process.dlopen({ exports: {} }, '/usr/lib/x86_64-linux-gnu/libc.so.6')",
    ]) {
      const r = await js(code);
      expect(r, code).toMatch(/ERR_ACCESS_DENIED|ERR_DLOPEN_DISABLED/);
      expect(r, code).not.toContain(CANARY);
    }
  });
});

describe('the network', () => {
  it.skipIf(!NS)('run_code and shell cannot reach a server on loopback (no network at all)', async () => {
    const before = hits;
    const url = `http://127.0.0.1:${port}/`;
    const j = await js(
      `try { const r = await fetch(${JSON.stringify(url)}); console.log('GOT', await r.text()) } catch (e) { console.log('refused', e.cause?.code ?? e.message) }`,
    );
    expect(j).toContain('refused');
    const p = await py(
      `import urllib.request\ntry:\n    print('GOT', urllib.request.urlopen(${JSON.stringify(url)}, timeout=2).read())\nexcept Exception as e:\n    print('refused', type(e).__name__)`,
    );
    expect(p).toContain('refused');
    const h = await sh(
      `node -e "fetch('${url}').then(r => r.text()).then(t => console.log('GOT', t), e => console.log('refused', e.cause?.code))"`,
    );
    expect(h).toContain('refused');
    expect(hits).toBe(before);
    for (const r of [j, p, h]) expect(r).not.toContain(CANARY);
  });

  it('tells the model whether it has the network', () => {
    const d = s.registry.get('run_code')?.description ?? '';
    if (NS) expect(d).toContain('without network access');
    else expect(d).not.toContain('network');
  });
});

describe('fetch_url and DNS rebinding', () => {
  it('checks the very address it connects to: a name that flips to loopback never reaches it', async () => {
    // A hostile DNS server: the first answer is public, the next is loopback, and so on;
    // or both at once. The check runs inside the connection's own lookup, so there is no
    // second lookup to win.
    let asked = 0;
    const lookup = ((_host: string, _opts: unknown, cb: (e: null, a: LookupAddress[]) => void) => {
      asked++;
      const flip = asked % 3;
      const list: LookupAddress[] =
        flip === 0
          ? [
              { address: '93.184.216.34', family: 4 },
              { address: '127.0.0.1', family: 4 },
            ]
          : [{ address: flip === 1 ? '93.184.216.34' : '127.0.0.1', family: 4 }];
      cb(null, list);
    }) as unknown as LookupFunction;
    const f = await createToolSession(
      { ...DEFAULTS, tools: { limits: { fetch_timeout_ms: 1500 } } } as ParleyConfig,
      { enabled: ['fetch_url'], confirm: yes, lookup },
    );
    try {
      const before = hits;
      const results = await Promise.all(
        Array.from({ length: 9 }, (_, i) =>
          f.registry.call(
            'fetch_url',
            `r${i}`,
            { url: `http://rebind.example:${port}/` },
            { confirm: yes, signal: new AbortController().signal },
          ),
        ),
      );
      expect(asked).toBeGreaterThanOrEqual(9);
      for (const r of results) {
        expect(r.ok).toBe(false);
        expect(text(r)).not.toContain(CANARY);
      }
      expect(results.filter((r) => !r.ok && r.code === 'blocked').length).toBeGreaterThanOrEqual(6);
      expect(hits).toBe(before);
    } finally {
      await f.close();
    }
  });
});

describe('shell leaves nothing behind', () => {
  it.skipIf(!NS)('a process that leaves the group (setsid, nohup) dies with the command', async () => {
    const marker = path.join(workspace, 'escaped');
    const r = await sh(
      `setsid sh -c 'sleep 2; echo out > ${marker}' & nohup sh -c 'sleep 2; echo out >> ${marker}' >/dev/null 2>&1 & echo left`,
    );
    expect(r).toContain('stdout:\nleft');
    await new Promise((res) => setTimeout(res, 3000));
    expect(existsSync(marker)).toBe(false);
    // And none of them is still running anywhere on the machine.
    const survivors = readdirSync('/proc')
      .filter((p) => /^\d+$/.test(p))
      .filter((p) => {
        try {
          return readFileSync(`/proc/${p}/cmdline`, 'utf8').includes(marker);
        } catch {
          return false;
        }
      });
    expect(survivors).toEqual([]);
  });

  it.skipIf(!NS)("cannot see other processes' environments in /proc", async () => {
    const r = await sh(
      "cat /proc/[0-9]*/environ 2>/dev/null | tr '\\0' '\\n' | grep -c PARLEY_TEST_CANARY; ls /proc | grep -c '^[0-9]'",
    );
    expect(r).not.toContain(CANARY);
    const [found, procs] = (r.split('stdout:\n')[1] ?? '').trim().split('\n').map(Number);
    expect(found).toBe(0);
    // Only the command's own few processes are there.
    expect(procs).toBeLessThan(10);
    // The canary is real: outside the namespace, /proc shows it.
    expect(readFileSync(`/proc/${holder.pid}/environ`, 'utf8')).toContain(CANARY);
  });

  it.skipIf(!NS || !existsSync('/usr/bin/setpriv'))(
    'a fork flood is capped at run_processes for an ordinary user',
    () => {
      // Root is exempt from the process cap, so this runs the sandbox's own command line as
      // an ordinary user (nobody) when the test itself runs as root.
      const argv = limitedArgv(
        ['/bin/sh', '-c', 'i=0; while [ $i -lt 200 ]; do sleep 5 & i=$((i+1)); done; echo forked all 200'],
        { timeoutMs: 5000, memoryMb: 256, outputBytes: 4096, processes: 32 },
      );
      const asUser =
        process.getuid?.() === 0
          ? ['setpriv', '--reuid=65534', '--regid=65534', '--clear-groups', ...argv]
          : argv;
      const t0 = Date.now();
      const r = spawnSync(asUser[0] as string, asUser.slice(1), {
        cwd: '/',
        encoding: 'utf8',
        timeout: 20_000,
      });
      // dash stops at the first fork it cannot make ("Cannot fork"); bash says it retries.
      expect(r.stdout + r.stderr).toMatch(/Cannot fork|Resource temporarily unavailable|fork: retry/i);
      expect(r.stdout).not.toContain('forked all 200');
      expect(Date.now() - t0).toBeLessThan(20_000);
    },
  );
});

describe('floods', () => {
  it('a flood on stderr without a newline, and one huge line, are cut and killed', async () => {
    const a = await py("import sys\nwhile True: sys.stderr.write('e' * 100000)");
    expect(a).toContain('printed more than 8192 bytes');
    expect(a.length).toBeLessThan(8192 + 400);
    const b = await js("process.stdout.write('x'.repeat(5_000_000))");
    expect(b).toContain('printed more than 8192 bytes');
    expect(b.length).toBeLessThan(8192 + 400);
  });
});
