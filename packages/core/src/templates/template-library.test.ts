import { mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { TemplateError } from './template-error.js';
import { TemplateLibrary } from './template-library.js';

let dir: string;
let lib: TemplateLibrary;
beforeEach(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'parley-templates-'));
  lib = new TemplateLibrary({ dir, now: () => new Date('2025-03-04T05:06:07Z') });
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const put = (name: string, source: string) => writeFileSync(path.join(dir, `${name}.hbs`), source);

async function errorOf(p: Promise<unknown>): Promise<TemplateError> {
  try {
    await p;
  } catch (e) {
    if (e instanceof TemplateError) return e;
    throw e;
  }
  throw new Error('expected a TemplateError');
}

const SUMMARY = `+++
description = "Summarise a text"
tags = ["writing", "short"]
[variables.text]
type = "string"
required = true
[variables.words]
type = "integer"
default = 50
[variables.audience]
type = "string"
+++
Summarise in {{words}} words{{#if audience}} for {{audience}}{{/if}}:
{{text}}`;

describe('strict variables', () => {
  it('renders with given values and defaults; an optional variable without default is empty', async () => {
    put('summary', SUMMARY);
    expect(await lib.render('summary', { text: 'Tea is good.' })).toBe(
      'Summarise in 50 words:\nTea is good.',
    );
    expect(await lib.render('summary', { text: 'T', words: 9, audience: 'kids' })).toBe(
      'Summarise in 9 words for kids:\nT',
    );
  });

  it('names a missing required variable', async () => {
    put('summary', SUMMARY);
    const e = await errorOf(lib.render('summary', { words: 3 }));
    expect(e.message).toBe('template summary: missing required variable text');
    expect([e.template, e.variable, e.code]).toEqual(['summary', 'text', 'usage']);
  });

  it('names a variable of the wrong type, and the types', async () => {
    put('summary', SUMMARY);
    const e = await errorOf(lib.render('summary', { text: 'x', words: 2.5 }));
    expect(e.message).toBe('template summary: variable words must be an integer, not a number');
    expect(e.variable).toBe('words');
    expect((await errorOf(lib.render('summary', { text: ['x'] }))).message).toContain(
      'text must be a string, not an array',
    );
  });

  it('names an unknown variable (a typo never passes silently)', async () => {
    put('summary', SUMMARY);
    const e = await errorOf(lib.render('summary', { txet: 'x' }));
    expect(e.message).toContain('unknown variable txet (declared: text, words, audience)');
  });

  it('refuses variables that are not a JSON object', async () => {
    put('summary', SUMMARY);
    for (const v of [[1], 'text', 3])
      expect((await errorOf(lib.render('summary', v))).message).toContain('must be a JSON object');
  });

  it('names a variable the body reads but nobody declared, even in a helper call', async () => {
    put('loose', 'Hello {{name}}');
    const e = await errorOf(lib.render('loose', {}));
    expect(e.message).toBe('template loose: reads name (line 1), which is not a declared variable');
    expect(e.variable).toBe('name');
    put('typo', '+++\n[variables.audience]\n+++\n{{#if audiance}}x{{/if}}');
    expect((await errorOf(lib.render('typo', {}))).message).toContain('reads audiance (line 1)');
    put('inside', '+++\n[variables.list]\ntype = "array"\n+++\n{{#each list}}{{nope}}{{/each}}');
    expect((await errorOf(lib.render('inside', { list: [{ a: 1 }] }))).message).toContain(
      'nope is not defined here (line 1) (inside each or with, reach a variable with ../nope or @root.nope)',
    );
  });
});

describe('extends: blocks and fills', () => {
  const BASE = `+++
[variables.name]
default = "friend"
+++
<system>{{#block "system"}}You are helpful.{{/block}}</system>
<task>{{#block "task"}}(no task){{/block}}</task>`;

  it("fills a parent's blocks, keeps the defaults of the rest, and merges the variables", async () => {
    put('base', BASE);
    put(
      'child',
      `+++\nextends = "base"\n[variables.topic]\nrequired = true\n+++\n{{#fill "task"}}Tell {{name}} about {{topic}}.{{/fill}}`,
    );
    expect(await lib.render('child', { topic: 'tea' })).toBe(
      '<system>You are helpful.</system>\n<task>Tell friend about tea.</task>',
    );
    expect([...(await lib.load('child')).variables.keys()]).toEqual(['name', 'topic']);
  });

  it('lets the most derived template win, over several levels', async () => {
    put('base', BASE);
    put(
      'mid',
      '+++\nextends = "base"\n+++\n{{#fill "system"}}Mid system.{{/fill}}{{#fill "task"}}Mid task.{{/fill}}',
    );
    put('leaf', '+++\nextends = "mid"\n+++\n{{#fill "task"}}Leaf task for {{upper name}}.{{/fill}}');
    expect(await lib.render('leaf', {})).toBe(
      '<system>Mid system.</system>\n<task>Leaf task for FRIEND.</task>',
    );
  });

  it("renders a block's own content when a fill of that name is inside it", async () => {
    put('base', BASE);
    put(
      'wrap',
      '+++\nextends = "base"\n+++\n{{#fill "system"}}[{{#block "system"}}inner{{/block}}]{{/fill}}',
    );
    expect(await lib.render('wrap', {})).toContain('<system>[inner]</system>');
  });

  it('names a missing parent, a loop, and a chain too long', async () => {
    put('orphan', '+++\nextends = "nobody"\n+++\nx');
    expect((await errorOf(lib.render('orphan', {}))).message).toBe(
      'template orphan: uses nobody, and there is no template named nobody',
    );
    put('a', '+++\nextends = "b"\n+++\n');
    put('b', '+++\nextends = "a"\n+++\n');
    expect((await errorOf(lib.render('a', {}))).message).toContain('extends loops: a → b → a');
    for (let i = 0; i < 12; i++) put(`t${i}`, i === 11 ? 'root' : `+++\nextends = "t${i + 1}"\n+++\n`);
    expect((await errorOf(lib.render('t0', {}))).message).toContain('more than 8 parents');
  });

  it('refuses a fill in a template that extends nothing', async () => {
    put('lonely', '{{#fill "x"}}y{{/fill}}');
    expect((await errorOf(lib.render('lonely', {}))).message).toContain(
      'fill "x" outside a template that extends another',
    );
  });

  it('includes other templates as partials', async () => {
    put('greeting', 'Hello {{name}}');
    put('letter', '+++\n[variables.name]\n+++\n{{> greeting}}, how are you?');
    expect(await lib.render('letter', { name: 'Ada' })).toBe('Hello Ada, how are you?');
    put('broken', '{{> nowhere}}');
    expect((await errorOf(lib.render('broken', {}))).message).toContain(
      'uses nowhere, and there is no template named nowhere',
    );
  });
});

describe('built-in helpers', () => {
  it('json, upper, lower, default, join, eq and date', async () => {
    put(
      'h',
      `+++
[variables.o]
type = "object"
[variables.list]
type = "array"
[variables.s]
type = "string"
default = "MiXeD"
[variables.empty]
type = "string"
default = ""
+++
{{json o}}|{{json o 2}}|{{upper s}}|{{lower s}}|{{default empty "fallback"}}|{{default s "no"}}|{{join list}}|{{join list " / "}}|{{#if (eq s "MiXeD")}}same{{else}}different{{/if}}|{{date}}|{{date "2024-12-31T23:59:58Z" "date"}}|{{date 0 "YYYY/MM/DD HH:mm:ss"}}|{{date null "time"}}`,
    );
    const out = await lib.render('h', { o: { a: [1, 'x'] }, list: ['a', 2, true, { k: 1 }] });
    expect(out.split('|')).toEqual([
      '{"a":[1,"x"]}',
      '{\n  "a": [\n    1,\n    "x"\n  ]\n}',
      'MIXED',
      'mixed',
      'fallback',
      'MiXeD',
      'a, 2, true, {"k":1}',
      'a / 2 / true / {"k":1}',
      'same',
      '2025-03-04T05:06:07.000Z',
      '2024-12-31',
      '1970/01/01 00:00:00',
      '05:06:07',
    ]);
  });

  it('renders numbers side by side as text (no HTML escaping, no adding up)', async () => {
    put(
      'n',
      '+++\n[variables.a]\ntype = "any"\n[variables.b]\ntype = "any"\n+++\n{{a}}{{b}}|{{{a}}}{{{b}}}|{{& a}}{{b}}',
    );
    expect(await lib.render('n', { a: 1, b: 2 })).toBe('12|12|12');
    expect(await lib.render('n', { a: '<b>&"\'', b: true })).toBe('<b>&"\'true|<b>&"\'true|<b>&"\'true');
    expect(await lib.render('n', { a: { k: [1] }, b: null })).toBe('{"k":[1]}|{"k":[1]}|{"k":[1]}');
  });

  it('each gives @index, @key, @first, @last and block params, and else for an empty list', async () => {
    put(
      'e',
      '+++\n[variables.o]\ntype = "any"\n+++\n{{#each o as |v k|}}{{@index}}{{@key}}{{k}}={{v}}{{#if @first}}F{{/if}}{{#if @last}}L{{/if}};{{else}}none{{/each}}',
    );
    expect(await lib.render('e', { o: { a: 1, b: 2 } })).toBe('0aa=1F;1bb=2L;');
    expect(await lib.render('e', { o: ['x'] })).toBe('000=xFL;');
    expect(await lib.render('e', { o: [] })).toBe('none');
    expect(await lib.render('e', { o: 'not a list' })).toBe('none');
  });

  it('date names a value that is not a date', async () => {
    put('d', '{{date "yesterday-ish"}}');
    expect((await errorOf(lib.render('d', {}))).message).toContain('date: not a date: yesterday-ish');
  });
});

describe('the library', () => {
  it('compiles once and again only when the file changes', async () => {
    put('x', 'one');
    const a = await lib.load('x');
    const b = await lib.load('x');
    expect(b.chain[0]).toBe(a.chain[0]);
    expect(a.render()).toBe('one');
    put('x', 'two, longer');
    utimesSync(path.join(dir, 'x.hbs'), new Date(), new Date(Date.now() + 5000));
    const c = await lib.load('x');
    expect(c.chain[0]).not.toBe(a.chain[0]);
    expect(c.render()).toBe('two, longer');
  });

  it('creates only templates that load, refuses to overwrite, lists and removes', async () => {
    await lib.create('summary', SUMMARY);
    expect(await lib.source('summary')).toBe(SUMMARY);
    expect((await errorOf(lib.create('summary', 'new'))).message).toContain('exists already');
    await lib.create('summary', SUMMARY.replace('50', '60'), { overwrite: true });
    expect(await lib.render('summary', { text: 't' })).toContain('60 words');
    expect((await errorOf(lib.create('bad', '{{#each}}'))).message).toContain('template bad');
    expect((await errorOf(lib.create('evil', '{{constructor}}'))).message).toContain('off limits');
    put('broken', '+++\nnope = 1\n+++\n');
    const list = await lib.list();
    expect(list.map((t) => t.name)).toEqual(['broken', 'summary']);
    expect(list[0]?.error).toContain('front matter nope: unknown key');
    expect(list[1]).toMatchObject({
      description: 'Summarise a text',
      tags: ['writing', 'short'],
      extends: undefined,
    });
    expect(list[1]?.variables.map((v) => [v.name, v.type, v.required, v.default])).toEqual([
      ['text', 'string', true, undefined],
      ['words', 'integer', false, 60],
      ['audience', 'string', false, undefined],
    ]);
    await lib.remove('summary');
    expect((await errorOf(lib.render('summary', {}))).message).toContain('no template named summary');
    expect((await errorOf(lib.remove('summary'))).message).toContain('no template named summary');
  });

  it('lists nothing when the directory does not exist yet', async () => {
    expect(await new TemplateLibrary({ dir: path.join(dir, 'none') }).list()).toEqual([]);
  });
});
