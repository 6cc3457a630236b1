/**
 * Template front matter: TOML between two `+++` (or `---`) lines at the top of a `.hbs` file,
 * the same language as `config.toml`. Validated strictly: an unknown key, a bad variable name
 * or type, or a default that does not match its type is an error that names it.
 *
 * ```hbs
 * +++
 * description = "Summarise a text"
 * tags = ["writing"]
 * extends = "base"
 * [variables.text]
 * type = "string"
 * required = true
 * [variables.words]
 * type = "integer"
 * default = 50
 * +++
 * {{#fill "task"}}Summarise in {{words}} words: {{text}}{{/fill}}
 * ```
 */
import { parse as parseToml, TomlError } from 'smol-toml';
import * as z from 'zod';
import { TemplateError } from './template-error.js';

/** The types a variable can have. */
export const VARIABLE_TYPES = ['string', 'number', 'integer', 'boolean', 'array', 'object', 'any'] as const;
export type VariableType = (typeof VARIABLE_TYPES)[number];

/** Names a template or variable may never have: they reach into JavaScript's prototypes. */
export const FORBIDDEN_NAMES: ReadonlySet<string> = new Set([
  ...Object.getOwnPropertyNames(Object.prototype),
  'prototype',
  'constructor',
  '__proto__',
]);

/** Template names: a letter or digit, then letters, digits, `_` or `-` (64 at most). */
export const TEMPLATE_NAME = /^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$/;
const VARIABLE_NAME = /^[A-Za-z_][A-Za-z0-9_]{0,63}$/;

const safeName = (what: string, re: RegExp) =>
  z
    .string()
    .regex(re, `${what} names use letters, digits and _${what === 'template' ? ' or -' : ''}`)
    .refine((n) => !FORBIDDEN_NAMES.has(n), { message: `that ${what} name is reserved` });

const VariableSchema = z
  .object({
    type: z.enum(VARIABLE_TYPES).optional(),
    required: z.boolean().optional(),
    default: z.unknown().optional(),
    description: z.string().max(1000).optional(),
  })
  .strict();

const FrontMatterSchema = z
  .object({
    description: z.string().max(1000).optional(),
    tags: z.array(z.string().min(1).max(64)).max(32).optional(),
    extends: safeName('template', TEMPLATE_NAME).optional(),
    variables: z
      .record(safeName('variable', VARIABLE_NAME), VariableSchema)
      .refine((v) => Object.keys(v).length <= 100, { message: 'at most 100 variables' })
      .optional(),
  })
  .strict();

/** One declared variable. */
export interface VariableSpec {
  type: VariableType;
  required: boolean;
  /** Used when the variable is not given; absent when there is none. */
  default?: unknown;
  description?: string | undefined;
}

/** What the front matter declares. */
export interface TemplateMeta {
  description: string | undefined;
  tags: string[];
  extends: string | undefined;
  /** By name, in the order declared. */
  variables: Map<string, VariableSpec>;
}

/** A template file split into its declarations and its Handlebars body. */
export interface ParsedTemplate {
  meta: TemplateMeta;
  body: string;
}

const FENCE = /^(\+\+\+|---)[ \t]*\r?\n/;

/** Split and validate a template file. Throws `TemplateError` naming what is wrong. */
export function parseTemplateSource(source: string, name: string): ParsedTemplate {
  const open = FENCE.exec(source);
  if (!open) return { meta: emptyMeta(), body: source };
  const fence = open[1] as string;
  const rest = source.slice(open[0].length);
  const close = new RegExp(`^${fence.replace(/\+/g, '\\+')}[ \\t]*(?:\\r?\\n|$)`, 'm').exec(rest);
  if (!close)
    throw new TemplateError(`the front matter opened with ${fence} is never closed`, { template: name });
  let raw: unknown;
  try {
    raw = parseToml(rest.slice(0, close.index));
  } catch (e) {
    const line = e instanceof TomlError ? ` (line ${e.line + 1})` : '';
    const first = (e instanceof Error ? e.message : String(e)).split('\n')[0];
    throw new TemplateError(
      `front matter is not valid TOML${line}: ${first}`,
      { template: name },
      { cause: e },
    );
  }
  const reserved = reservedKey(raw, []);
  if (reserved)
    throw new TemplateError(`front matter ${reserved}: that name is reserved`, { template: name });
  const r = FrontMatterSchema.safeParse(raw);
  if (!r.success) {
    const issue = r.error.issues[0];
    let where = (issue?.path ?? []).filter((p) => typeof p !== 'symbol').join('.');
    let message = issue?.message ?? 'invalid front matter';
    if (issue?.code === 'unrecognized_keys') {
      where = [where, issue.keys[0]].filter(Boolean).join('.');
      message = 'unknown key';
    }
    // A bad record key: the key's own check says why.
    if (issue?.code === 'invalid_key') message = issue.issues[0]?.message ?? message;
    throw new TemplateError(`front matter ${where || '(root)'}: ${message}`, { template: name });
  }
  const variables = new Map<string, VariableSpec>();
  for (const [key, v] of Object.entries(r.data.variables ?? {})) {
    const spec: VariableSpec = {
      type: v.type ?? 'string',
      required: v.required ?? false,
      description: v.description,
    };
    if ('default' in v && v.default !== undefined) {
      if (spec.required) {
        throw new TemplateError(`variable ${key} is required and has a default: choose one`, {
          template: name,
          variable: key,
        });
      }
      if (!hasType(v.default, spec.type)) {
        throw new TemplateError(`the default of variable ${key} is not ${article(spec.type)}`, {
          template: name,
          variable: key,
        });
      }
      spec.default = v.default;
    }
    variables.set(key, spec);
  }
  const meta: TemplateMeta = {
    description: r.data.description,
    tags: r.data.tags ?? [],
    extends: r.data.extends,
    variables,
  };
  return { meta, body: rest.slice(close.index + close[0].length) };
}

/** The path of the first key anywhere in the front matter that reaches into prototypes. */
function reservedKey(v: unknown, at: string[]): string | undefined {
  if (typeof v !== 'object' || v === null || at.length > 16) return undefined;
  for (const k of Object.keys(v)) {
    if (FORBIDDEN_NAMES.has(k)) return [...at, k].join('.');
    const deeper = reservedKey((v as Record<string, unknown>)[k], [...at, k]);
    if (deeper) return deeper;
  }
  return undefined;
}

function emptyMeta(): TemplateMeta {
  return { description: undefined, tags: [], extends: undefined, variables: new Map() };
}

/** True when a value has the declared type. */
export function hasType(v: unknown, type: VariableType): boolean {
  switch (type) {
    case 'string':
      return typeof v === 'string';
    case 'number':
      return typeof v === 'number' && Number.isFinite(v);
    case 'integer':
      return Number.isInteger(v);
    case 'boolean':
      return typeof v === 'boolean';
    case 'array':
      return Array.isArray(v);
    case 'object':
      return typeof v === 'object' && v !== null && !Array.isArray(v);
    case 'any':
      return v !== undefined;
  }
}

/** "a string", "an integer", … */
export function article(type: VariableType): string {
  return type === 'integer' || type === 'array' || type === 'object' || type === 'any'
    ? `an ${type}`
    : `a ${type}`;
}
