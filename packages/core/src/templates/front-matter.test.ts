import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseTemplateSource } from './front-matter.js';
import { TemplateError } from './template-error.js';

function messageOf(source: string): string {
  try {
    parseTemplateSource(source, 't');
  } catch (e) {
    if (e instanceof TemplateError) return e.message;
    throw e;
  }
  throw new Error('expected a TemplateError');
}

describe('front matter', () => {
  it('reads description, tags, extends and variables, in either fence', () => {
    for (const fence of ['+++', '---']) {
      const p = parseTemplateSource(
        `${fence}\ndescription = "d"\ntags = ["a"]\nextends = "base"\n[variables.x]\ntype = "integer"\ndefault = 3\n[variables.y]\nrequired = true\n${fence}\nbody {{x}}`,
        't',
      );
      expect(p.body).toBe('body {{x}}');
      expect(p.meta).toMatchObject({ description: 'd', tags: ['a'], extends: 'base' });
      expect([...p.meta.variables]).toEqual([
        ['x', { type: 'integer', required: false, default: 3, description: undefined }],
        ['y', { type: 'string', required: true, description: undefined }],
      ]);
    }
  });

  it('takes a file without front matter as all body', () => {
    expect(parseTemplateSource('just {{text}}\n+++\n', 't')).toMatchObject({ body: 'just {{text}}\n+++\n' });
  });

  const hostile: [string, string, RegExp][] = [
    ['an unclosed fence', '+++\ndescription = "x"\n', /never closed/],
    ['invalid TOML', '+++\ndescription = = 1\n+++\n', /not valid TOML \(line 2\)/],
    ['an unknown key', '+++\nscript = "rm -rf /"\n+++\n', /front matter script: unknown key/],
    ['an unknown variable key', '+++\n[variables.x]\neval = true\n+++\n', /variables\.x\.eval: unknown key/],
    [
      'a variable named __proto__',
      '+++\n[variables.__proto__]\ntype = "string"\n+++\n',
      /variables\.__proto__: that name is reserved/,
    ],
    [
      '__proto__ in a default',
      '+++\n[variables.x]\ntype = "object"\ndefault = { __proto__ = { polluted = true } }\n+++\n',
      /variables\.x\.default\.__proto__: that name is reserved/,
    ],
    ['a variable named constructor', '+++\n[variables.constructor]\n+++\n', /reserved/],
    ['a variable named toString', '+++\n[variables.toString]\n+++\n', /reserved/],
    ['a variable name with a dot', '+++\n[variables."a.b"]\n+++\n', /variable names use letters/],
    [
      '__proto__ at the top',
      '+++\n__proto__ = { polluted = true }\n+++\n',
      /front matter __proto__: that name is reserved/,
    ],
    ['extends with a path', '+++\nextends = "../../etc/passwd"\n+++\n', /extends: template names use/],
    ['extends constructor', '+++\nextends = "constructor"\n+++\n', /extends: that template name is reserved/],
    ['an unknown type', '+++\n[variables.x]\ntype = "function"\n+++\n', /variables\.x\.type/],
    [
      'a default of the wrong type',
      '+++\n[variables.x]\ntype = "integer"\ndefault = "3"\n+++\n',
      /default of variable x is not an integer/,
    ],
    [
      'required with a default',
      '+++\n[variables.x]\nrequired = true\ndefault = "a"\n+++\n',
      /required and has a default/,
    ],
    ['tags that are not strings', '+++\ntags = [1, 2]\n+++\n', /tags\.0/],
    [
      'too many tags',
      `+++\ntags = [${Array.from({ length: 33 }, (_, i) => `"t${i}"`).join(',')}]\n+++\n`,
      /tags/,
    ],
    ['a huge description', `+++\ndescription = "${'x'.repeat(1001)}"\n+++\n`, /description/],
    [
      'too many variables',
      `+++\n${Array.from({ length: 101 }, (_, i) => `[variables.v${i}]`).join('\n')}\n+++\n`,
      /at most 100 variables/,
    ],
    ['variables that are not a table', '+++\nvariables = "x"\n+++\n', /variables/],
  ];
  for (const [what, source, re] of hostile) {
    it(`refuses ${what}, saying what`, () => {
      expect(messageOf(source)).toMatch(re);
      expect(messageOf(source)).toMatch(/^template t: /);
    });
  }

  it('never throws anything but a TemplateError on arbitrary front matter (property)', () => {
    fc.assert(
      fc.property(fc.string(), (inner) => {
        try {
          parseTemplateSource(`+++\n${inner}\n+++\nbody`, 't');
        } catch (e) {
          expect(e).toBeInstanceOf(TemplateError);
        }
      }),
    );
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });
});
