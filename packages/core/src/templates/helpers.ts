/**
 * The helpers a template can call. None touches the file system, the environment or the
 * network; `each` and `lookup` replace Handlebars' own with capped, own-property-only ones;
 * `block` and `fill` implement `extends`. Every helper works on the state of the render in
 * progress (iterations, depth, output so far), which the caller sets up.
 */
import type Handlebars from 'handlebars';
import { FORBIDDEN_NAMES } from './front-matter.js';
import type { TemplateLimits } from './sandbox.js';
import { TemplateError } from './template-error.js';
import { toText as text } from './text-output.js';

type HelperOptions = Handlebars.HelperOptions & { data?: Record<string, unknown> };
type Env = typeof Handlebars;

/** The state of one render. */
export interface RenderState {
  template: string;
  limits: TemplateLimits;
  iterations: number;
  eachDepth: number;
  partialDepth: number;
  /** Set while the children of an `extends` chain run: `fill` records into `fills`. */
  filling: boolean;
  fills: Map<string, (context: unknown) => string>;
  /** Fills being rendered: a block of the same name inside one renders its own content. */
  activeFills: Set<string>;
}

/** The names of every helper {@link registerHelpers} adds (for `knownHelpers`). */
export const HELPER_NAMES = [
  'json',
  'upper',
  'lower',
  'default',
  'join',
  'eq',
  'date',
  'each',
  'lookup',
  'block',
  'fill',
  'if',
  'unless',
  'with',
] as const;

/** Count one iteration (or partial call) against the budget. */
export function tick(st: RenderState): void {
  if (++st.iterations > st.limits.maxIterations) {
    throw new TemplateError(`more than ${st.limits.maxIterations} loop iterations and partial calls`, {
      template: st.template,
    });
  }
}

/** Refuse output past the size limit. */
export function capped(st: RenderState, out: string): string {
  if (out.length > st.limits.maxOutputChars) {
    throw new TemplateError(`output longer than ${st.limits.maxOutputChars} characters`, {
      template: st.template,
    });
  }
  return out;
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) return false;
  const proto = Object.getPrototypeOf(v) as unknown;
  return proto === Object.prototype || proto === null;
}

const pad = (n: number, w = 2) => String(n).padStart(w, '0');

/** Format a date in UTC: `iso` (default), `date`, `time`, or a pattern of YYYY MM DD HH mm ss. */
export function formatDate(d: Date, format: string): string {
  if (format === 'iso') return d.toISOString();
  const pattern = format === 'date' ? 'YYYY-MM-DD' : format === 'time' ? 'HH:mm:ss' : format;
  const parts: Record<string, string> = {
    YYYY: pad(d.getUTCFullYear(), 4),
    MM: pad(d.getUTCMonth() + 1),
    DD: pad(d.getUTCDate()),
    HH: pad(d.getUTCHours()),
    mm: pad(d.getUTCMinutes()),
    ss: pad(d.getUTCSeconds()),
  };
  return pattern.replace(/YYYY|MM|DD|HH|mm|ss/g, (t) => parts[t] as string);
}

/** Register the helpers on an isolated Handlebars environment. */
export function registerHelpers(hb: Env, state: () => RenderState, now: () => Date): void {
  hb.unregisterHelper('log');
  hb.unregisterHelper('lookup');
  hb.unregisterHelper('each');
  const reg = (name: string, fn: (...args: unknown[]) => unknown) =>
    hb.registerHelper(name, fn as Handlebars.HelperDelegate);

  reg('json', (...args) => {
    const [value, indent] = args.slice(0, -1);
    const n = typeof indent === 'number' ? Math.max(0, Math.min(8, Math.floor(indent))) : 0;
    return capped(state(), value === undefined ? '' : (JSON.stringify(value, null, n) ?? ''));
  });
  reg('upper', (v) => text(v).toUpperCase());
  reg('lower', (v) => text(v).toLowerCase());
  reg('default', (...args) => {
    const [value, fallback] = args.slice(0, -1);
    return value === undefined || value === null || value === '' ? fallback : value;
  });
  reg('join', (...args) => {
    const [list, sep] = args.slice(0, -1);
    if (!Array.isArray(list)) return text(list);
    return capped(state(), list.map(text).join(typeof sep === 'string' ? sep : ', '));
  });
  reg('eq', (...args) => {
    const [a, b] = args.slice(0, -1);
    return a === b;
  });
  reg('date', (...args) => {
    const [value, format] = args.slice(0, -1);
    const d = value === undefined || value === null ? now() : new Date(value as string | number);
    if (Number.isNaN(d.getTime()))
      throw new TemplateError(`date: not a date: ${text(value)}`, { template: state().template });
    return formatDate(d, typeof format === 'string' ? format : 'iso');
  });

  reg('lookup', (obj, key) => {
    if (typeof key !== 'string' && typeof key !== 'number') return undefined;
    if (FORBIDDEN_NAMES.has(String(key))) {
      throw new TemplateError(`lookup of ${String(key)} is off limits`, { template: state().template });
    }
    if (typeof obj !== 'object' || obj === null || !Object.prototype.hasOwnProperty.call(obj, key))
      return undefined;
    return (obj as Record<string | number, unknown>)[key];
  });

  reg('each', function (this: unknown, context: unknown, options: unknown) {
    const st = state();
    const o = options as HelperOptions | undefined;
    if (!o || typeof o.fn !== 'function')
      throw new TemplateError('each needs a block: {{#each list}}…{{/each}}', { template: st.template });
    const items: [string | number, unknown][] = Array.isArray(context)
      ? context.map((v, i) => [i, v])
      : isPlainObject(context)
        ? Object.keys(context).map((k) => [k, context[k]])
        : [];
    if (items.length > st.limits.maxEachItems) {
      throw new TemplateError(`each over ${items.length} items (at most ${st.limits.maxEachItems})`, {
        template: st.template,
      });
    }
    if (items.length === 0) return o.inverse(this);
    if (st.eachDepth >= st.limits.maxEachDepth) {
      throw new TemplateError(`each nested deeper than ${st.limits.maxEachDepth}`, { template: st.template });
    }
    st.eachDepth++;
    try {
      let out = '';
      const data = o.data ? (hb.createFrame(o.data) as Record<string, unknown>) : undefined;
      items.forEach(([key, value], i) => {
        tick(st);
        if (data) Object.assign(data, { key, index: i, first: i === 0, last: i === items.length - 1 });
        out = capped(st, out + o.fn(value, { data, blockParams: [value, key] }));
      });
      return out;
    } finally {
      st.eachDepth--;
    }
  });

  reg('block', function (this: unknown, name: unknown, options: unknown) {
    const st = state();
    const o = options as HelperOptions;
    if (typeof name !== 'string')
      throw new TemplateError('block needs a name: {{#block "name"}}…{{/block}}', { template: st.template });
    tick(st);
    const fill = st.activeFills.has(name) ? undefined : st.fills.get(name);
    if (!fill) return capped(st, o.fn(this));
    st.activeFills.add(name);
    try {
      return capped(st, fill(this));
    } finally {
      st.activeFills.delete(name);
    }
  });

  reg('fill', function (name: unknown, options: unknown) {
    const st = state();
    const o = options as HelperOptions;
    if (typeof name !== 'string')
      throw new TemplateError('fill needs a name: {{#fill "name"}}…{{/fill}}', { template: st.template });
    if (!st.filling)
      throw new TemplateError(`fill "${name}" outside a template that extends another`, {
        template: st.template,
      });
    // The most derived template renders first, so the first fill of a name wins.
    if (!st.fills.has(name)) st.fills.set(name, (ctx) => o.fn(ctx));
    return '';
  });
}
