// Template rendering, each figure against a baseline measured in the same run:
// - a typical template (extends a layout, 5 variables, an each over 10 items, helpers), loaded
//   once and rendered many times, vs a hand-written function that builds the same text by
//   string concatenation (checked identical);
// - the same through `library.render(name, vars)` (which checks the file is unchanged);
// - loading (parse, sandbox check, compile) a template cold.
// Goals (issue 4): render < 50 ms (floor), typical render < 0.05 ms.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { TemplateLibrary } from '../packages/core/dist/index.js';
import { median, progress, round, summary, writeResult } from './lib/stats.js';

const RUNS = Number(process.env.BENCH_RUNS ?? 200);
const dir = mkdtempSync(path.join(os.tmpdir(), 'parley-bench-templates-'));

writeFileSync(
  path.join(dir, 'layout.hbs'),
  `+++
description = "A layout: system, task, output"
[variables.persona]
default = "a careful assistant"
+++
You are {{persona}}.
## Task
{{#block "task"}}(no task){{/block}}
## Output
{{#block "output"}}Plain text.{{/block}}
`,
);
writeFileSync(
  path.join(dir, 'review.hbs'),
  `+++
description = "Review a change"
extends = "layout"
[variables.title]
required = true
[variables.language]
default = "TypeScript"
[variables.files]
type = "array"
required = true
[variables.strict]
type = "boolean"
default = false
+++
{{#fill "task"}}Review "{{title}}", written in {{language}}{{#if strict}} (be strict){{/if}}.
Files:
{{#each files}}{{@index}}. {{this.path}} (+{{this.added}} -{{this.removed}})
{{/each}}{{/fill}}{{#fill "output"}}A list of {{upper "issues"}}, most serious first; tags: {{default language "none"}}.{{/fill}}
`,
);

const vars = {
  title: 'Cache answers on disk',
  files: Array.from({ length: 10 }, (_, i) => ({ path: `src/cache/file-${i}.ts`, added: i * 3, removed: i })),
  strict: true,
};

/** The same text, built by hand: the baseline. */
function concat(v) {
  let files = '';
  for (let i = 0; i < v.files.length; i++) {
    const f = v.files[i];
    files += i + '. ' + f.path + ' (+' + f.added + ' -' + f.removed + ')\n';
  }
  const language = v.language ?? 'TypeScript';
  return (
    'You are ' +
    (v.persona ?? 'a careful assistant') +
    '.\n## Task\n' +
    'Review "' +
    v.title +
    '", written in ' +
    language +
    (v.strict ? ' (be strict)' : '') +
    '.\nFiles:\n' +
    files +
    '\n## Output\nA list of ' +
    'issues'.toUpperCase() +
    ', most serious first; tags: ' +
    (language || 'none') +
    '.\n'
  );
}

const lib = new TemplateLibrary({ dir });
const template = await lib.load('review');
const rendered = template.render(vars);
if (rendered !== concat(vars)) {
  throw new Error(
    `the baseline differs from the template:\n${JSON.stringify(rendered)}\n${JSON.stringify(concat(vars))}`,
  );
}

function perOp(fn, batch) {
  const out = [];
  for (let r = 0; r < RUNS; r++) {
    const t0 = performance.now();
    for (let i = 0; i < batch; i++) fn();
    out.push((performance.now() - t0) / batch);
  }
  return out;
}
let sink = 0;
progress('render vs concatenation');
for (let i = 0; i < 2000; i++) sink += template.render(vars).length + concat(vars).length; // warm up
const base = perOp(() => (sink += concat(vars).length), 1000);
const render = perOp(() => (sink += template.render(vars).length), 200);

progress('library.render (with the unchanged-file check)');
const viaLibrary = [];
for (let r = 0; r < RUNS; r++) {
  const t0 = performance.now();
  for (let i = 0; i < 20; i++) sink += (await lib.render('review', vars)).length;
  viaLibrary.push((performance.now() - t0) / 20);
}

progress('cold loads');
const cold = [];
for (let r = 0; r < Math.min(RUNS, 50); r++) {
  const fresh = new TemplateLibrary({ dir });
  await fresh.load('layout'); // Handlebars itself is loaded once, outside the timing
  const t0 = performance.now();
  await fresh.load('review');
  cold.push(performance.now() - t0);
}
rmSync(dir, { recursive: true, force: true });

writeResult('templates', {
  command: 'node bench/templates.bench.js',
  goals: 'typical render < 0.05 ms (floor 50 ms)',
  output_chars: rendered.length,
  concat_baseline_ms: summary(base),
  template_render_ms: summary(render),
  render_over_concat_ratio: round(median(render) / median(base), 2),
  library_render_with_file_check_ms: summary(viaLibrary),
  cold_load_compile_ms: summary(cold),
  sink: sink > 0,
});
