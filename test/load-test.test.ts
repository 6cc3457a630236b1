/**
 * `parley load-test` against a real `parley serve` (child processes, the `canned:` model):
 * short WebSocket and HTTP runs, the results JSON, the error codes of a run against nothing,
 * and the HTML report opened in real Chromium, its charts checked and a screenshot saved.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LoadTestResults } from '../packages/cli/src/commands/load-test/results.js';
import { cleanEnv, PARLEY_BIN, runParley, tempHome } from './helpers/cli.js';
import { ARTIFACTS, launchChromium } from './server/ui-page.js';

let serve: ChildProcess;
let url: string;
let home: { home: string; cleanup: () => void };
let dir: string;

beforeAll(async () => {
  home = tempHome();
  dir = mkdtempSync(path.join(os.tmpdir(), 'parley-load-'));
  serve = spawn(process.execPath, [PARLEY_BIN, 'serve', '--port', '0'], {
    env: cleanEnv({ PARLEY_HOME: home.home }),
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  url = await new Promise<string>((resolve, reject) => {
    let err = '';
    const timer = setTimeout(() => reject(new Error(`serve did not start: ${err}`)), 30_000);
    serve.stderr?.on('data', (d: Buffer) => {
      err += d.toString();
      const m = /listening on (http:\/\/\S+)/.exec(err);
      if (m) {
        clearTimeout(timer);
        resolve(m[1] as string);
      }
    });
  });
});

afterAll(async () => {
  if (serve.exitCode === null) {
    const exited = new Promise((r) => serve.once('exit', r));
    serve.kill('SIGTERM');
    await exited;
  }
  home.cleanup();
  rmSync(dir, { recursive: true, force: true });
});

const read = (file: string) => JSON.parse(readFileSync(file, 'utf8')) as LoadTestResults;

describe('parley load-test', () => {
  it('drives /ws with concurrent sessions and writes results.json and report.html', async () => {
    const output = path.join(dir, 'ws.json');
    const report = path.join(dir, 'ws.html');
    const ws = url.replace(/^http/, 'ws');
    const r = await runParley(
      [
        'load-test',
        '--url',
        ws,
        '--concurrency',
        '8',
        '--requests',
        '40',
        '-m',
        'canned',
        '--max-tokens',
        '20',
        '--output',
        output,
        '--report',
        report,
      ],
      { env: { PARLEY_HOME: home.home }, timeoutMs: 60_000 },
    );
    expect(r.stderr).toMatch(/load-test ws ×8/);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(
      /^40 requests in [\d.]+ s to ws:\/\/127\.0\.0\.1:\d+\/ws \(ws, concurrency 8, model canned\)$/m,
    );
    expect(r.stdout).toMatch(/^ok 40, errors 0 \(0\.00 %\)$/m);
    expect(r.stdout).toMatch(/^server {4}RSS [\d.]+ MiB at the start, peak [\d.]+ MiB/m);
    const res = read(output);
    expect(res).toMatchObject({
      format: 'parley-load-test',
      api: 'ws',
      requests: 40,
      ok: 40,
      errors: 0,
      errorRate: 0,
    });
    expect(res.tokens).toBe(40 * 20);
    for (const k of ['p50', 'p90', 'p95', 'p99'] as const) {
      expect(res.latencyMs[k]).toBeGreaterThan(0);
      expect(res.ttftMs[k]).toBeGreaterThan(0);
    }
    expect(res.ttftMs.p50 as number).toBeLessThanOrEqual(res.latencyMs.p50 as number);
    expect(res.serverRss?.peakBytes).toBeGreaterThan(20 * 1024 * 1024);
    expect(res.samples).toHaveLength(40);
    expect(res.connectMs?.n).toBe(8); // one session per worker, opened once
    // Every session is opened before the first request and kept open to the end.
    expect(res.serverSessionsPeak).toBe(8);
    expect(res.rampUpMs).toBeGreaterThan(0);
    expect(r.stdout).toMatch(/^sessions {2}\d+ open at the peak .*; all opened in [\d.]+ m?s \(one: p50/m);
    expect(res.timeline.reduce((a, b) => a + b.completed, 0)).toBe(40);
  });

  it('drives /v1/chat/completions for a duration', async () => {
    const output = path.join(dir, 'http.json');
    const r = await runParley(
      [
        'load-test',
        '--url',
        url,
        '--concurrency',
        '4',
        '--duration',
        '2s',
        '-m',
        'canned',
        '--max-tokens',
        '10',
        '--prompt',
        'hello',
        '--output',
        output,
      ],
      { env: { PARLEY_HOME: home.home }, timeoutMs: 60_000 },
    );
    expect(r.code).toBe(0);
    const res = read(output);
    expect(res.api).toBe('http');
    expect(res.durationMs).toBe(2000);
    expect(res.requests).toBeGreaterThan(4);
    expect(res.errors).toBe(0);
    expect(res.wallMs).toBeGreaterThanOrEqual(2000);
    expect(res.tokens).toBe(res.requests * 10);
  });

  it('counts refused requests by error code, and exits 1', async () => {
    const output = path.join(dir, 'bad.json');
    const r = await runParley(
      [
        'load-test',
        '--url',
        `${url}/`,
        '--concurrency',
        '2',
        '--requests',
        '6',
        '-m',
        'no-such-model',
        '--output',
        output,
      ],
      { env: { PARLEY_HOME: home.home } },
    );
    expect(r.code).toBe(1);
    const res = read(output);
    expect(res).toMatchObject({ requests: 6, errors: 6, errorRate: 1, errorCodes: { model_not_found: 6 } });
    expect(r.stdout).toMatch(/errors 6 \(100\.00 %\): model_not_found 6/);
  });

  it('refuses bad flags', async () => {
    const noUrl = await runParley(['load-test'], { env: { PARLEY_HOME: home.home } });
    expect(noUrl.code).toBe(2);
    expect(noUrl.stderr).toMatch(/needs --url/);
    const both = await runParley(['load-test', '--url', url, '--requests', '3', '--duration', '5s'], {
      env: { PARLEY_HOME: home.home },
    });
    expect(both.stderr).toMatch(/--requests and --duration: use one/);
    const stray = await runParley(['--concurrency', '3', 'hi'], { env: { PARLEY_HOME: home.home } });
    expect(stray.stderr).toMatch(/--concurrency goes with parley load-test/);
  });

  it('renders a self-contained report whose charts draw in Chromium (screenshot saved)', async () => {
    const report = path.join(dir, 'ws.html');
    const html = readFileSync(report, 'utf8');
    expect(html).not.toMatch(/<script|https?:\/\/(?!127\.0\.0\.1)/);
    const browser = await launchChromium();
    try {
      const page = await browser.newPage({ viewport: { width: 960, height: 1400 } });
      const errors: string[] = [];
      const requests: string[] = [];
      page.on('pageerror', (e) => errors.push(e.message));
      page.on('request', (q) => requests.push(q.url()));
      await page.goto(pathToFileURL(report).href);
      const counts = await page.evaluate(() => ({
        points: document.querySelectorAll('#latency circle.point').length,
        ttftBars: document.querySelectorAll('#ttft rect.bar').length,
        throughputBars: document.querySelectorAll('#throughput rect.bar').length,
        tokenLine: document.querySelectorAll('#throughput polyline.tokens').length,
        rssLine: document.querySelectorAll('#rss polyline').length,
        chartWidth: document.querySelector('#latency')?.getBoundingClientRect().width ?? 0,
        title: document.querySelector('h1')?.textContent ?? '',
      }));
      expect(counts.points).toBe(40);
      expect(counts.ttftBars).toBe(30);
      expect(counts.throughputBars).toBeGreaterThan(0);
      expect(counts.tokenLine).toBe(1);
      expect(counts.rssLine).toBe(1);
      expect(counts.chartWidth).toBeGreaterThan(500);
      expect(counts.title).toBe('parley load test: 40 requests, 0 errors');
      expect(errors).toEqual([]);
      expect(requests).toEqual([pathToFileURL(report).href]);
      await page.screenshot({ path: path.join(ARTIFACTS, 'load-test-report.png'), fullPage: true });
    } finally {
      await browser.close();
    }
  });
});
