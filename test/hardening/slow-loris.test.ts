/**
 * Slow-loris and oversized heads against a real `parley serve` (a child process): many
 * connections trickle their headers a byte at a time, some send nothing at all, and some
 * send a head far over the limit. Meanwhile a normal client must still be answered (a
 * generous bound: within 10 s), every slow connection must be cut by the server once its
 * headers timeout has passed, every oversized head must get 431, and the server must live on.
 *
 * 200 slow connections in CI; `npm run harden` opens 1,000.
 */
import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tempHome } from '../helpers/cli.js';
import { startServe, type ServeProcess } from '../helpers/serve.js';
import { hardenScale } from './scale.js';

const SLOW = hardenScale(200, 1_000);
const IDLE = 20;
const BIG = 20;
// Long enough for every slow connection to be open before the first is cut.
const HEADERS_TIMEOUT_MS = hardenScale(2_000, 6_000);

let home: ReturnType<typeof tempHome>;
let serve: ServeProcess;
beforeAll(async () => {
  home = tempHome();
  serve = await startServe(home.home, {
    args: ['-m', 'canned'],
    config: `[server]\nheaders_timeout_ms = ${HEADERS_TIMEOUT_MS}\nrequest_timeout_ms = 4000\nmax_header_bytes = 8192\n`,
  });
});
afterAll(async () => {
  await serve?.stop();
  home.cleanup();
});

interface Probe {
  socket: net.Socket;
  /** What the server sent before it closed the connection. */
  answer: string;
  closedAt: number | undefined;
}

function open(port: number, first: string): Promise<Probe> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(port, '127.0.0.1');
    const p: Probe = { socket, answer: '', closedAt: undefined };
    socket.setEncoding('utf8');
    socket.on('data', (d: string) => (p.answer += d));
    socket.on('error', () => undefined);
    socket.on('close', () => (p.closedAt = performance.now()));
    socket.once('connect', () => {
      if (first !== '') socket.write(first);
      resolve(p);
    });
    socket.once('error', reject);
  });
}

async function until(check: () => boolean, ms: number): Promise<boolean> {
  const end = performance.now() + ms;
  while (!check()) {
    if (performance.now() > end) return false;
    await new Promise((r) => setTimeout(r, 50));
  }
  return true;
}

describe('slow-loris and oversized headers against parley serve', () => {
  it(`cuts ${SLOW} trickling and ${IDLE} silent connections, refuses ${BIG} oversized heads with 431, and serves a normal client meanwhile`, async () => {
    const port = Number(new URL(serve.url).port);
    const start = performance.now();
    const slow: Probe[] = [];
    for (let i = 0; i < SLOW; i += 100) {
      const batch = Array.from({ length: Math.min(100, SLOW - i) }, () =>
        open(port, `GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n`),
      );
      slow.push(...(await Promise.all(batch)));
    }
    const idle = await Promise.all(Array.from({ length: IDLE }, () => open(port, '')));
    // One byte every 100 ms on every slow connection, for as long as it stays open.
    const trickle = setInterval(() => {
      for (const p of slow) if (p.closedAt === undefined && !p.socket.destroyed) p.socket.write('x');
    }, 100);
    try {
      const big = await Promise.all(
        Array.from({ length: BIG }, () =>
          open(port, `GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Big: ${'a'.repeat(64 * 1024)}\r\n\r\n`),
        ),
      );

      // A normal client, while every slow connection hangs: answered, and soon.
      const t0 = performance.now();
      const health = await fetch(`${serve.url}/healthz`, { signal: AbortSignal.timeout(10_000) });
      expect(health.status).toBe(200);
      const completion = await fetch(`${serve.url}/v1/chat/completions`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ model: 'canned', messages: [{ role: 'user', content: 'hi' }], max_tokens: 5 }),
        signal: AbortSignal.timeout(10_000),
      });
      expect(completion.status).toBe(200);
      const servedMs = performance.now() - t0;
      // Served while the slow connections hang (most of them: under load the first may be cut already).
      const hanging = slow.filter((p) => p.closedAt === undefined).length;
      expect(hanging).toBeGreaterThan(SLOW / 2);

      // Oversized heads: 431 and closed.
      expect(await until(() => big.every((p) => p.closedAt !== undefined), 10_000)).toBe(true);
      for (const p of big) expect(p.answer).toMatch(/^HTTP\/1\.1 431 /);

      // The slow ones: cut by the server (408) soon after the headers timeout.
      const allCut = await until(
        () => [...slow, ...idle].every((p) => p.closedAt !== undefined),
        HEADERS_TIMEOUT_MS + 10_000,
      );
      const open_ = [...slow, ...idle].filter((p) => p.closedAt === undefined).length;
      expect(allCut, `${open_} slow connections still open`).toBe(true);
      // Closed without an answer, or with a 4xx: never a page served to a head that never ended.
      const answers = new Map<string, number>();
      for (const p of slow) {
        const status = p.answer === '' ? 'closed' : (/^HTTP\/1\.1 (\d+)/.exec(p.answer)?.[1] ?? p.answer);
        answers.set(status, (answers.get(status) ?? 0) + 1);
      }
      expect(
        [...answers.keys()].every((k) => k === 'closed' || /^4\d\d$/.test(k)),
        JSON.stringify([...answers]),
      ).toBe(true);
      const cutAfter = Math.max(...slow.map((p) => (p.closedAt ?? 0) - start));

      expect((await fetch(`${serve.url}/healthz`)).status).toBe(200);
      expect(serve.child.exitCode).toBeNull();
      console.log(
        `slow-loris: ${SLOW} trickling + ${IDLE} silent connections all cut (last after ${Math.round(cutAfter)} ms, headers timeout ${HEADERS_TIMEOUT_MS} ms; ${JSON.stringify(Object.fromEntries(answers))}); ` +
          `${BIG} oversized heads got 431; a normal client served in ${Math.round(servedMs)} ms while ${hanging} of them hung`,
      );
    } finally {
      clearInterval(trickle);
      for (const p of [...slow, ...idle]) p.socket.destroy();
    }
  }, 120_000);
});
