/**
 * Random rounds of hostile MCP servers (seeded; replay with PARLEY_HARDEN_SEED): each round
 * starts a well-behaved server and a random handful of hostile ones with a random deadline,
 * calls every tool it got with random input, and checks what must hold: every result typed,
 * the good server answering, no start past its deadline, and no server process left after
 * close(). One round in CI, many under `npm run harden`.
 */
import { afterAll, expect, it } from 'vitest';
import type { ToolErrorCode } from '@parley/core';
import { createToolSession } from '@parley/core';
import { hardenScale, seededRandom } from './scale.js';
import { alive, call, config, hostile, pidDir, yes } from './mcp-hostile.js';

const MODES = [
  'silent-init',
  'silent-list',
  'crash-init',
  'exit-now',
  'huge-line-start',
  'huge-line-list',
  'garbage',
  'split',
  'dup-tools',
  'bad-names',
  'many-tools',
  'bad-schemas',
  'hostile-text',
  'never-call',
  'crash-call',
  'huge-result',
  'huge-line-call',
  'shapes',
  'flood',
  'stubborn',
];
const SHAPES = [
  'not_array',
  'text_number',
  'error_empty',
  'image',
  'nothing',
  'null_result',
  'structured',
  'x',
];
const CODES: ToolErrorCode[] = ['timeout', 'unavailable', 'failed'];

const pids = pidDir();
afterAll(() => pids.cleanup());

it('random rounds of hostile servers: typed, bounded, cleaned up', async () => {
  const rounds = hardenScale(1, 40);
  const { random, seed } = seededRandom();
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(random() * xs.length)] as T;
  const count = { servers: 0, calls: 0, failedServers: 0, ok: 0, typed: {} as Record<string, number> };
  for (let round = 0; round < rounds; round++) {
    const timeout = 1500 + Math.floor(random() * 1500);
    const servers: Parameters<typeof config>[0] = {
      good: hostile('ok', pids.dir, { timeout_ms: 10_000 }),
    };
    const n = 2 + Math.floor(random() * 4);
    for (let i = 0; i < n; i++) servers[`h${i}`] = hostile(pick(MODES), pids.dir, { timeout_ms: timeout });
    const t0 = Date.now();
    const s = await createToolSession(config(servers), { enabled: ['all'], confirm: yes });
    // Starts in parallel: the slowest deadline (list after initialize, each under it) bounds it.
    expect(Date.now() - t0, `seed ${seed}`).toBeLessThan(20_000);
    count.servers += n;
    count.failedServers += s.mcp.filter((m) => m.status === 'failed').length;
    for (const m of s.mcp) if (m.status === 'failed') expect(m.error, `seed ${seed}`).toBeTruthy();
    const mcpTools = s.registry.list().filter((t) => t.name.includes('__') && !t.name.startsWith('good__'));
    for (const t of mcpTools.slice(0, 4)) {
      if (t.name.endsWith('__slow')) continue;
      const r = await call(s, t.name, { text: pick(SHAPES) });
      count.calls++;
      if (r.ok) count.ok++;
      else {
        expect(CODES, `${t.name} ${r.message} (seed ${seed})`).toContain(r.code);
        expect(r.message.startsWith(`${t.name}: `), `seed ${seed}`).toBe(true);
        count.typed[r.code] = (count.typed[r.code] ?? 0) + 1;
      }
    }
    expect(await call(s, 'good__echo', { text: 'ok' }), `seed ${seed}`).toMatchObject({ ok: true });
    const started = pids.pids();
    await s.close();
    expect(alive(started).map(pids.mode), `seed ${seed}`).toEqual([]);
  }
  const typed = Object.entries(count.typed).map(([c, k]) => `${k} ${c}`);
  console.log(
    `mcp-hostile: ${count.servers + count.calls} attacks (${count.servers} hostile servers, ${count.calls} calls) in ${rounds} rounds, seed ${seed}: ` +
      `${count.failedServers} servers failed with a reason, ${count.ok} calls answered, ` +
      `${typed.length ? typed.join(', ') : 'no'} typed failures; 0 untyped, 0 hangs, 0 processes left`,
  );
}, 1_200_000);
