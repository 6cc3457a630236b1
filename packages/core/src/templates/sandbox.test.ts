import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { TemplateError } from './template-error.js';
import { TemplateLibrary } from './template-library.js';

// Every way out of the sandbox we could think of. Each must end in a TemplateError (or render
// harmlessly), leave Object.prototype alone, and run nothing.
let dir: string;
let lib: TemplateLibrary;
beforeEach(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'parley-sandbox-'));
  lib = new TemplateLibrary({ dir });
});
afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
  // Nothing leaked into the prototypes of plain objects.
  expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  expect(Object.prototype.hasOwnProperty.call(Object.prototype, 'polluted')).toBe(false);
});

const put = (name: string, source: string) => writeFileSync(path.join(dir, `${name}.hbs`), source);
const ANY = (...names: string[]) =>
  `+++\n${names.map((n) => `[variables.${n}]\ntype = "any"`).join('\n')}\n+++\n`;

async function refused(p: Promise<unknown>): Promise<string> {
  try {
    await p;
  } catch (e) {
    if (e instanceof TemplateError) return e.message;
    throw e;
  }
  throw new Error('expected a TemplateError');
}

describe('prototype access', () => {
  const attempts = [
    '{{constructor}}',
    '{{this.constructor}}',
    '{{o.constructor.name}}',
    '{{this.[constructor]}}',
    '{{@root.constructor}}',
    '{{__proto__}}',
    '{{o.__proto__.polluted}}',
    '{{o.__defineGetter__}}',
    '{{toString}}',
    '{{o.hasOwnProperty}}',
    '{{valueOf}}',
    '{{lookup this "constructor"}}',
    '{{lookup o "__proto__"}}',
    '{{#with (lookup this "__proto__")}}{{polluted}}{{/with}}',
    '{{#each o.constructor}}{{/each}}',
    '{{json o.prototype}}',
    '{{lookup (lookup this "o") "constructor"}}',
  ];
  for (const src of attempts) {
    it(`refuses ${src} when the template loads`, async () => {
      put('evil', ANY('o') + src);
      expect(await refused(lib.render('evil', { o: { a: 1 } }))).toMatch(/off limits/);
    });
  }

  it('refuses the published Handlebars RCE payload, and runs nothing', async () => {
    const marker = path.join(dir, 'pwned');
    put(
      'rce',
      `{{#with "s" as |string|}}{{#with "e"}}{{#with split as |conslist|}}{{this.pop}}
{{this.push (lookup string.sub "constructor")}}{{this.pop}}{{#with string.split as |codelist|}}{{this.pop}}
{{this.push "return process.mainModule.require('fs').writeFileSync('${marker}', 'x');"}}{{this.pop}}
{{#each conslist}}{{#with (string.sub.apply 0 codelist)}}{{this}}{{/with}}{{/each}}{{/with}}{{/with}}{{/with}}{{/with}}`,
    );
    expect(await refused(lib.render('rce', {}))).toMatch(/off limits|not defined|unknown helper/);
    expect(existsSync(marker)).toBe(false);
  });

  it('refuses the same payload with "constructor" smuggled in through a variable', async () => {
    put('rce2', ANY('key') + '{{#with "s" as |string|}}{{lookup string.sub @root.key}}{{/with}}');
    expect(await refused(lib.render('rce2', { key: 'constructor' }))).toContain(
      'lookup of constructor is off limits',
    );
    put('rce3', ANY('o', 'key') + '{{lookup o key}}');
    for (const key of ['__proto__', 'toString', 'constructor', '__lookupGetter__']) {
      expect(await refused(lib.render('rce3', { o: {}, key }))).toContain(`lookup of ${key} is off limits`);
    }
    // Own properties are fine; inherited ones are not there.
    expect(await lib.render('rce3', { o: { a: 'own' }, key: 'a' })).toBe('own');
    expect(await lib.render('rce3', { o: { a: 'own' }, key: 'length' })).toBe('');
  });

  it('keeps __proto__ in the variables as plain data, never as a prototype', async () => {
    put('data', ANY('cfg') + '{{json cfg}}|{{#each cfg}}{{@key}};{{/each}}');
    const vars = JSON.parse('{"cfg": {"__proto__": {"polluted": true}, "a": 1}}') as unknown;
    expect(await lib.render('data', vars)).toBe('{"__proto__":{"polluted":true},"a":1}|__proto__;a;');
    const top = JSON.parse('{"__proto__": {"polluted": true}}') as unknown;
    expect(await refused(lib.render('data', top))).toContain('unknown variable __proto__');
    expect(await refused(lib.render('data', { constructor: 1 }))).toContain('unknown variable constructor');
  });

  it('sees no process, environment, require or globals', async () => {
    for (const [name, src] of [
      ['env', '{{process.env.HOME}}'],
      ['req', '{{require}}'],
      ['glob', '{{globalThis}}'],
      ['root', '{{@root.process}}'],
    ] as const) {
      put(name, src);
      expect(await refused(lib.render(name, {}))).toMatch(
        /which is not a declared variable|process is not defined here/,
      );
    }
  });
});

describe('helpers and syntax that are not allowed', () => {
  const cases: [string, RegExp][] = [
    ['{{log "to the console"}}', /unknown helper log/],
    ['{{#*inline "r"}}{{> r}}{{/inline}}{{> r}}', /decorators/],
    ['{{* decorator}}', /decorators/],
    ['{{> (lookup . "x")}}', /dynamic partials/],
    ['{{> constructor}}', /not a template name|off limits/],
    ['{{> ../../etc/passwd}}', /not a template name/],
    ['{{#blockHelperMissing}}x{{/blockHelperMissing}}', /unknown block helper/],
    ['{{#o}}section{{/o}}', /unknown block helper o/],
    ['{{{{raw}}}}{{x}}{{{{/raw}}}}', /unknown block helper raw/],
    ['{{helperMissing 1}}', /unknown helper helperMissing/],
    ['{{unknownHelper 1 2}}', /unknown helper unknownHelper/],
    ['{{#each}}', /template bad/],
  ];
  for (const [src, re] of cases) {
    it(`refuses ${src}`, async () => {
      put('bad', ANY('o') + src);
      expect(await refused(lib.render('bad', { o: {} }))).toMatch(re);
    });
  }

  it('refuses blocks nested too deep (and does not overflow the stack on deeper ones)', async () => {
    put('deep', ANY('a') + '{{#if a}}'.repeat(70) + 'x' + '{{/if}}'.repeat(70));
    expect(await refused(lib.render('deep', { a: true }))).toContain('blocks nested deeper than 64');
    put('deeper', ANY('a') + '{{#if a}}'.repeat(20_000) + '{{/if}}'.repeat(20_000));
    expect(await refused(lib.render('deeper', { a: true }))).toMatch(/template deeper/);
  });
});

describe('limits: a hostile template cannot hang or exhaust memory', () => {
  it('caps the items of one each', async () => {
    put('many', ANY('list') + '{{#each list}}.{{/each}}');
    const list = Array.from({ length: 10_001 }, (_, i) => i);
    expect(await refused(lib.render('many', { list }))).toContain('each over 10001 items (at most 10000)');
    expect(await lib.render('many', { list: list.slice(1) })).toHaveLength(10_000);
  });

  it('caps iterations over nested loops, all together', async () => {
    put(
      'nested',
      ANY('l') +
        '{{#each l}}{{#each @root.l}}{{#each @root.l}}{{#each @root.l}}x{{/each}}{{/each}}{{/each}}{{/each}}',
    );
    const l = Array.from({ length: 20 }, (_, i) => i); // 20^4 = 160,000 iterations
    expect(await refused(lib.render('nested', { l }))).toContain('more than 100000 loop iterations');
  });

  it('caps the depth of each inside each', async () => {
    put('d', ANY('l') + '{{#each l}}' + '{{#each this}}'.repeat(8) + 'x' + '{{/each}}'.repeat(9));
    let l: unknown = [1];
    for (let i = 0; i < 9; i++) l = [l];
    expect(await refused(lib.render('d', { l }))).toContain('each nested deeper than 8');
  });

  it('stops recursion through partials, direct or mutual', async () => {
    put('self', '{{> self}}');
    expect(await refused(lib.render('self', {}))).toContain('partials nested deeper than 8');
    put('ping', 'ping {{> pong}}');
    put('pong', 'pong {{> ping}}');
    expect(await refused(lib.render('ping', {}))).toContain('partials nested deeper than 8');
    // Fan-out: each level includes the next twice (2^8 calls), bounded by depth and iterations.
    for (let i = 0; i < 12; i++) put(`f${i}`, `{{> f${i + 1}}}{{> f${i + 1}}}`);
    put('f12', 'leaf');
    expect(await refused(lib.render('f0', {}))).toContain('partials nested deeper than 8');
  });

  it('caps the rendered size', async () => {
    put('big', ANY('s', 'l') + '{{#each l}}{{@root.s}}{{/each}}');
    const s = 'x'.repeat(200_000);
    expect(await refused(lib.render('big', { s, l: [1, 2, 3, 4, 5, 6] }))).toContain(
      'output longer than 1000000 characters',
    );
    put('json', ANY('l') + '{{#each l}}{{json @root}}{{/each}}');
    expect(
      await refused(lib.render('json', { l: Array.from({ length: 2000 }, () => 'y'.repeat(400)) })),
    ).toContain('output longer than');
  });

  it('caps the variables: size and depth', async () => {
    put('v', ANY('x') + '{{json x}}');
    expect(await refused(lib.render('v', { x: 'z'.repeat(1024 * 1024 + 1) }))).toContain(
      'variables are larger than',
    );
    let deep: unknown = 1;
    for (let i = 0; i < 40; i++) deep = [deep];
    expect(await refused(lib.render('v', { x: deep }))).toContain('nested deeper than 32');
  });

  it('refuses a template file larger than the limit', async () => {
    put('huge', 'x'.repeat(256 * 1024 + 1));
    expect(await refused(lib.render('huge', {}))).toContain('larger than 262144 bytes');
  });
});
