// Small statistics and result helpers shared by the benchmarks.
import { mkdirSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

export const RESULTS_DIR = fileURLToPath(new URL('../results/', import.meta.url));

/** The q-quantile (0..1) of a list of numbers. */
export function quantile(values, q) {
  const s = [...values].sort((a, b) => a - b);
  if (s.length === 0) return NaN;
  const pos = (s.length - 1) * q;
  const lo = Math.floor(pos);
  const hi = Math.ceil(pos);
  return s[lo] + (s[hi] - s[lo]) * (pos - lo);
}

export const median = (v) => quantile(v, 0.5);

export function summary(values) {
  return {
    n: values.length,
    p50: round(quantile(values, 0.5)),
    p95: round(quantile(values, 0.95)),
    p99: round(quantile(values, 0.99)),
    min: round(Math.min(...values)),
    max: round(Math.max(...values)),
  };
}

export function round(n, digits = 4) {
  const f = 10 ** digits;
  return Math.round(n * f) / f;
}

/** Write bench/results/<name>.json and print it. */
export function writeResult(name, result) {
  mkdirSync(RESULTS_DIR, { recursive: true });
  const body = { name, date: new Date().toISOString(), node: process.version, ...result };
  writeFileSync(`${RESULTS_DIR}${name}.json`, `${JSON.stringify(body, null, 2)}\n`);
  console.log(JSON.stringify(body, null, 2));
  return body;
}

/** One progress line on stderr. */
export function progress(msg) {
  process.stderr.write(`  ${msg}\n`);
}
