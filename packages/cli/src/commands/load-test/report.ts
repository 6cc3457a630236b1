/**
 * `--report report.html`: one self-contained page (inline CSS and SVG, no script, nothing
 * fetched) that shows a load test's shape at a glance: the summary, latency over time, a TTFT
 * histogram, throughput per second and the server's memory.
 */
import type { LoadTestResults } from './results.js';

const W = 860;
const H = 260;
const M = { top: 16, right: 64, bottom: 36, left: 64 };
const PW = W - M.left - M.right;
const PH = H - M.top - M.bottom;

function esc(s: string): string {
  return s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** About `count` round tick values from 0 to at least `max`. */
export function ticks(max: number, count = 5): number[] {
  if (!(max > 0)) return [0, 1];
  const raw = max / count;
  const pow = 10 ** Math.floor(Math.log10(raw));
  const step = ([1, 2, 2.5, 5, 10].find((m) => m * pow >= raw) ?? 10) * pow;
  const out: number[] = [];
  for (let v = 0; v <= max + step * 0.999; v += step) out.push(Math.round(v * 1e6) / 1e6);
  return out;
}

function fmt(n: number): string {
  if (n >= 1e9) return `${(n / 1e9).toFixed(1)}G`;
  if (n >= 1e6) return `${(n / 1e6).toFixed(1)}M`;
  if (n >= 1e4) return `${(n / 1e3).toFixed(0)}k`;
  if (n >= 1e3) return `${(n / 1e3).toFixed(1)}k`;
  return Number.isInteger(n) ? String(n) : n.toFixed(n < 10 ? 2 : 1);
}

interface Axes {
  x: (v: number) => number;
  y: (v: number) => number;
  svg: string;
  yMax: number;
}

function axes(xMax: number, yMax: number, xLabel: string, yLabel: string): Axes {
  const xt = ticks(xMax);
  const yt = ticks(yMax);
  const xTop = xt[xt.length - 1] as number;
  const yTop = yt[yt.length - 1] as number;
  const x = (v: number): number => M.left + (v / xTop) * PW;
  const y = (v: number): number => M.top + PH - (v / yTop) * PH;
  const parts: string[] = [];
  for (const v of yt) {
    parts.push(`<line class="grid" x1="${M.left}" x2="${M.left + PW}" y1="${y(v)}" y2="${y(v)}"/>`);
    parts.push(`<text class="tick" x="${M.left - 6}" y="${y(v) + 4}" text-anchor="end">${fmt(v)}</text>`);
  }
  for (const v of xt) {
    parts.push(`<text class="tick" x="${x(v)}" y="${M.top + PH + 16}" text-anchor="middle">${fmt(v)}</text>`);
  }
  parts.push(`<line class="axis" x1="${M.left}" x2="${M.left + PW}" y1="${M.top + PH}" y2="${M.top + PH}"/>`);
  parts.push(`<line class="axis" x1="${M.left}" x2="${M.left}" y1="${M.top}" y2="${M.top + PH}"/>`);
  parts.push(
    `<text class="label" x="${M.left + PW / 2}" y="${H - 4}" text-anchor="middle">${esc(xLabel)}</text>`,
  );
  parts.push(
    `<text class="label" transform="translate(14 ${M.top + PH / 2}) rotate(-90)" text-anchor="middle">${esc(yLabel)}</text>`,
  );
  return { x, y, svg: parts.join(''), yMax: yTop };
}

function svg(id: string, title: string, body: string): string {
  return `<figure><figcaption>${esc(title)}</figcaption><svg id="${id}" viewBox="0 0 ${W} ${H}" role="img" aria-label="${esc(title)}">${body}</svg></figure>`;
}

function latencyChart(r: LoadTestResults): string {
  const step = Math.max(1, Math.ceil(r.samples.length / 4000));
  const pts = r.samples.filter((_, i) => i % step === 0);
  const xMax = Math.max(1, ...pts.map((s) => (s.t + s.latencyMs) / 1000));
  const yMax = Math.max(1, ...pts.map((s) => s.latencyMs));
  const a = axes(xMax, yMax, 'seconds since the start (when the request ended)', 'latency (ms)');
  const dots = pts
    .map(
      (s) =>
        `<circle class="point${s.code ? ' error' : ''}" cx="${a.x((s.t + s.latencyMs) / 1000).toFixed(1)}" cy="${a.y(s.latencyMs).toFixed(1)}" r="2"/>`,
    )
    .join('');
  const note = step > 1 ? ` (every ${step}th of ${r.samples.length} requests)` : '';
  return svg('latency', `Latency of each request over time${note}; errors in red`, a.svg + dots);
}

function ttftChart(r: LoadTestResults): string {
  const values = r.samples.flatMap((s) => (s.code === undefined && s.ttftMs !== null ? [s.ttftMs] : []));
  if (values.length === 0) return svg('ttft', 'Time to first token: no request got a first token', '');
  const top = Math.max(1, r.ttftMs.p99 ?? Math.max(...values)) * 1.05;
  const bins = 30;
  const counts = new Array<number>(bins).fill(0);
  for (const v of values) counts[Math.min(bins - 1, Math.floor((v / top) * bins))]! += 1;
  const a = axes(
    top,
    Math.max(...counts),
    'time to first token (ms; the last bar holds everything above p99)',
    'requests',
  );
  const bw = PW / bins;
  const bars = counts
    .map((c, i) => {
      const y = a.y(c);
      return `<rect class="bar" x="${(M.left + i * bw + 1).toFixed(1)}" y="${y.toFixed(1)}" width="${(bw - 2).toFixed(1)}" height="${(M.top + PH - y).toFixed(1)}"><title>${fmt((i * top) / bins)}–${fmt(((i + 1) * top) / bins)} ms: ${c}</title></rect>`;
    })
    .join('');
  return svg('ttft', `Time to first token, ${values.length} requests`, a.svg + bars);
}

function throughputChart(r: LoadTestResults): string {
  const tl = r.timeline;
  const a = axes(
    tl.length,
    Math.max(1, ...tl.map((b) => b.completed)),
    'second of the run',
    'requests finished',
  );
  const bw = PW / tl.length;
  const bars = tl
    .map((b) => {
      const x = (M.left + b.t * bw + 0.5).toFixed(1);
      const w = Math.max(0.5, bw - 1).toFixed(1);
      const ok = b.completed - b.errors;
      const yOk = a.y(ok);
      const yAll = a.y(b.completed);
      return (
        `<rect class="bar" x="${x}" y="${yOk.toFixed(1)}" width="${w}" height="${(M.top + PH - yOk).toFixed(1)}"><title>second ${b.t}: ${b.completed} requests, ${b.errors} errors, ${b.tokens} tokens</title></rect>` +
        (b.errors
          ? `<rect class="bar error" x="${x}" y="${yAll.toFixed(1)}" width="${w}" height="${(yOk - yAll).toFixed(1)}"/>`
          : '')
      );
    })
    .join('');
  const tMax = Math.max(1, ...tl.map((b) => b.tokens));
  const right = ticks(tMax);
  const rTop = right[right.length - 1] as number;
  const ty = (v: number): number => M.top + PH - (v / rTop) * PH;
  const line = tl
    .map((b) => `${(M.left + (b.t + 0.5) * bw).toFixed(1)},${ty(b.tokens).toFixed(1)}`)
    .join(' ');
  const rightTicks = right
    .map((v) => `<text class="tick tokens" x="${M.left + PW + 6}" y="${ty(v) + 4}">${fmt(v)}</text>`)
    .join('');
  const label = `<text class="label tokens" transform="translate(${W - 8} ${M.top + PH / 2}) rotate(90)" text-anchor="middle">tokens per second</text>`;
  return svg(
    'throughput',
    'Throughput per second: requests finished (bars, errors in red) and tokens (line)',
    a.svg + bars + `<polyline class="line tokens" points="${line}"/>` + rightTicks + label,
  );
}

function rssChart(r: LoadTestResults): string {
  if (r.rssSamples.length === 0)
    return '<p class="note">The server\'s memory could not be read from its /metrics.</p>';
  const mib = (b: number): number => b / 1024 / 1024;
  const xMax = Math.max(1, ...r.rssSamples.map((s) => s.t / 1000));
  const a = axes(
    xMax,
    Math.max(...r.rssSamples.map((s) => mib(s.bytes))),
    'seconds since the start',
    'server RSS (MiB)',
  );
  const pts = r.rssSamples
    .map((s) => `${a.x(s.t / 1000).toFixed(1)},${a.y(mib(s.bytes)).toFixed(1)}`)
    .join(' ');
  return svg(
    'rss',
    "The server's resident memory (from its /metrics)",
    `${a.svg}<polyline class="line" points="${pts}"/>`,
  );
}

function cell(label: string, value: string): string {
  return `<div class="card"><div class="k">${esc(label)}</div><div class="v">${esc(value)}</div></div>`;
}

const ms = (n: number | null): string =>
  n === null ? '–' : n >= 1000 ? `${(n / 1000).toFixed(2)} s` : `${n.toFixed(1)} ms`;
const mibText = (b: number): string => `${(b / 1024 / 1024).toFixed(1)} MiB`;

/** The whole page. */
export function renderReport(r: LoadTestResults): string {
  const what = r.requests === 0 ? 'no requests' : `${r.requests} requests`;
  const codes = Object.entries(r.errorCodes)
    .map(([c, n]) => `${c}: ${n}`)
    .join(', ');
  const cards = [
    cell('requests', `${r.requests} (${r.ok} ok)`),
    cell('errors', `${r.errors} (${(r.errorRate * 100).toFixed(2)} %)`),
    cell(
      'throughput',
      `${r.throughput.requestsPerSecond} req/s · ${fmt(r.throughput.tokensPerSecond)} tok/s`,
    ),
    cell(
      'latency p50 / p95 / p99',
      `${ms(r.latencyMs.p50)} / ${ms(r.latencyMs.p95)} / ${ms(r.latencyMs.p99)}`,
    ),
    cell('TTFT p50 / p95 / p99', `${ms(r.ttftMs.p50)} / ${ms(r.ttftMs.p95)} / ${ms(r.ttftMs.p99)}`),
    ...(r.connectMs
      ? [
          cell(
            'WS sessions open at the peak · opening one p50',
            `${r.serverSessionsPeak ?? '?'} · ${ms(r.connectMs.p50)}`,
          ),
        ]
      : []),
    cell(
      'server RSS start / peak / end',
      r.serverRss
        ? `${mibText(r.serverRss.startBytes)} / ${mibText(r.serverRss.peakBytes)} / ${mibText(r.serverRss.endBytes)}`
        : 'not readable',
    ),
  ].join('');
  const setup = `${r.api === 'ws' ? 'WebSocket' : 'HTTP (SSE)'} ${r.url}, model ${r.model ?? 'the server default'}, concurrency ${r.concurrency}, ${r.requests !== null && r.durationMs === null ? `${r.requests} requests` : `${((r.durationMs ?? 0) / 1000).toFixed(0)} s`}${r.maxTokens !== null ? `, max ${r.maxTokens} tokens` : ''}; started ${r.startedAt}, took ${(r.wallMs / 1000).toFixed(1)} s${r.rampUpMs ? ` (${(r.rampUpMs / 1000).toFixed(1)} s of it opening the sessions)` : ''}`;
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>parley load test: ${esc(what)}</title>
<style>
body { font: 14px/1.4 system-ui, sans-serif; margin: 24px auto; max-width: 900px; color: #1d2330; background: #fff; }
h1 { font-size: 20px; margin: 0 0 4px; } p.setup { color: #5a6270; margin: 0 0 16px; }
.cards { display: grid; grid-template-columns: repeat(3, 1fr); gap: 8px; margin-bottom: 16px; }
.card { border: 1px solid #dde1e8; border-radius: 6px; padding: 8px 10px; }
.k { color: #5a6270; font-size: 12px; } .v { font-size: 16px; font-weight: 600; }
figure { margin: 0 0 18px; } figcaption { font-weight: 600; margin-bottom: 4px; }
svg { width: 100%; height: auto; display: block; border: 1px solid #eef0f4; border-radius: 6px; }
.grid { stroke: #eef0f4; } .axis { stroke: #8a919e; }
.tick { font-size: 11px; fill: #5a6270; } .label { font-size: 12px; fill: #3b4250; }
.point { fill: #2f6fde; fill-opacity: 0.55; } .point.error { fill: #d93b3b; fill-opacity: 0.9; }
.bar { fill: #2f6fde; } .bar.error { fill: #d93b3b; }
.line { fill: none; stroke: #2f6fde; stroke-width: 2; } .line.tokens { stroke: #e08a1e; } .tick.tokens, .label.tokens { fill: #b86d10; }
.note, .errors { color: #5a6270; }
</style>
</head>
<body>
<h1>parley load test: ${esc(what)}, ${r.errors} errors</h1>
<p class="setup">${esc(setup)}</p>
<div class="cards">${cards}</div>
${codes ? `<p class="errors">Errors by code: ${esc(codes)}</p>` : ''}
${latencyChart(r)}
${ttftChart(r)}
${throughputChart(r)}
${rssChart(r)}
<p class="note">Made by <code>parley load-test</code>; the figures are in the results JSON written beside it.</p>
</body>
</html>
`;
}
