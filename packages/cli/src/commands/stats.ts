/** `parley stats [--since 24h] [--json] [--export FILE.json]`: per-model figures from the store. */
import { writeFile } from 'node:fs/promises';
import { EXIT, UsageError, type ModelStats, type Parley } from '@parley/core';
import { parseSince, requestStats } from '@parley/core/observability';
import type { CliArgs } from '../args.js';
import { table, type Output } from '../output.js';

const USAGE = 'use parley stats [--since 24h] [--json] [--export FILE.json]';

function ms(n: number | null): string {
  if (n === null) return '-';
  return n >= 1000 ? `${(n / 1000).toFixed(2)} s` : `${n < 10 ? n.toFixed(1) : Math.round(n)} ms`;
}

function num(n: number | null): string {
  return n === null ? '-' : n < 10 ? n.toFixed(1) : String(Math.round(n));
}

function pct(r: number, requests: number): string {
  return requests === 0 ? '-' : `${(r * 100).toFixed(1)} %`;
}

function row(s: ModelStats): string[] {
  return [
    s.model === '*' ? 'total' : s.model,
    String(s.requests),
    pct(s.errorRate, s.requests),
    pct(s.cacheHitRatio, s.requests),
    ms(s.ttftMs.p50),
    ms(s.ttftMs.p95),
    ms(s.ttftMs.p99),
    num(s.tokensPerSecond.p50),
    num(s.tokensPerSecond.p95),
    num(s.tokensPerSecond.p99),
  ];
}

export async function runStatsCommand(parley: Parley, args: CliArgs, o: Output): Promise<number> {
  if (args.rest.length > 0) throw new UsageError(`unexpected ${args.rest.join(' ')}: ${USAGE}`);
  if (args.export === '') throw new UsageError(`--export needs a file name: ${USAGE}`);
  const since = args.since === undefined ? undefined : parseSince(args.since);
  const report = await requestStats(parley.store(), { since });
  const json = `${JSON.stringify(report, null, args.export ? 2 : undefined)}\n`;
  if (args.export) {
    await writeFile(args.export, json);
    o.err.write(`wrote ${report.total.requests} requests' stats to ${args.export}\n`);
  }
  if (args.json) {
    o.out.write(args.export ? `${JSON.stringify(report)}\n` : json);
    return EXIT.ok;
  }
  if (args.export) return EXIT.ok;
  const window = report.since ? `since ${report.since}` : 'all time';
  if (report.total.requests === 0) {
    o.err.write(`no requests recorded (${window}); turns are recorded while history is on (store.log)\n`);
    return EXIT.ok;
  }
  const head = ['model', 'requests', 'errors', 'cached', 'ttft p50', 'p95', 'p99', 'tok/s p50', 'p95', 'p99'];
  const rows = [head, ...report.models.map(row)];
  if (report.models.length > 1) rows.push(row(report.total));
  o.out.write(`${table(rows)}\n`);
  const codes = Object.entries(report.total.errorCodes)
    .map(([c, n]) => `${c} ${n}`)
    .join(', ');
  o.err.write(`${window}${codes ? `; errors: ${codes}` : ''}; ttft and tok/s leave out cached answers\n`);
  return EXIT.ok;
}
