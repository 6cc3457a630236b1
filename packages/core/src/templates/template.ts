/** One loaded template (with its parents and partials), ready to render again and again. */
import type Handlebars from 'handlebars';
import type { TemplateMeta, VariableSpec } from './front-matter.js';
import { capped, HELPER_NAMES, type RenderState } from './helpers.js';
import { checkTemplateAst, compileOptions, RUNTIME_OPTIONS, type TemplateLimits } from './sandbox.js';
import { TemplateError } from './template-error.js';
import { bindVariables } from './variables.js';

/** A template file, parsed, checked and compiled. */
export interface LoadedTemplate {
  name: string;
  source: string;
  mtimeMs: number;
  size: number;
  meta: TemplateMeta;
  compiled: HandlebarsTemplateDelegate;
  /** The partials its body includes. */
  partials: Set<string>;
  /** Variables its body reads in its own context, with a line (the loader checks them). */
  reads: Map<string, number>;
}

/** Runs a render with the state the helpers see. */
export type WithState = <T>(st: RenderState, fn: () => T) => T;

/**
 * A template ready to render: `render(vars)` checks the variables, runs the `extends` chain
 * (children first, recording their fills; the root renders the text) and returns the text.
 */
export class Template {
  /** Every variable of the chain: a child's declaration wins over its parent's. */
  readonly variables: Map<string, VariableSpec>;

  constructor(
    readonly name: string,
    /** The template first, then its parent, its parent's parent… */
    readonly chain: readonly LoadedTemplate[],
    private readonly partials: Record<string, unknown>,
    private readonly limits: TemplateLimits,
    private readonly withState: WithState,
  ) {
    this.variables = new Map();
    for (const t of [...chain].reverse()) for (const [k, v] of t.meta.variables) this.variables.set(k, v);
  }

  /** Render with `vars` (a JSON object). Throws `TemplateError` naming what went wrong. */
  render(vars?: unknown): string {
    const context = bindVariables(this.variables, vars, this.name, this.limits);
    const st: RenderState = {
      template: this.name,
      limits: this.limits,
      iterations: 0,
      eachDepth: 0,
      partialDepth: 0,
      filling: false,
      fills: new Map(),
      activeFills: new Set(),
    };
    const opts = { partials: this.partials, ...RUNTIME_OPTIONS } as Parameters<HandlebarsTemplateDelegate>[1];
    return this.withState(st, () => {
      try {
        const root = this.chain[this.chain.length - 1] as LoadedTemplate;
        for (const child of this.chain.slice(0, -1)) {
          st.filling = true;
          st.template = child.name;
          child.compiled(context, opts);
        }
        st.filling = false;
        st.template = root.name;
        return capped(st, root.compiled(context, opts));
      } catch (e) {
        if (e instanceof TemplateError) throw e;
        const msg =
          e instanceof RangeError ? 'recursion too deep' : ((e as Error).message.split('\n')[0] ?? '');
        // Handlebars' strict mode, inside each or with: `"name" not defined in [object Object] - 3:7`.
        const missing =
          /^"([^"]+)" not defined in .* - (\d+):\d+$/.exec(msg) ??
          /^Cannot use 'in' operator to search for '([^']+)'/.exec(msg);
        if (missing) {
          const [, field, line] = missing;
          throw new TemplateError(
            `${field} is not defined here${line ? ` (line ${line})` : ''} (inside each or with, reach a variable with ../${field} or @root.${field})`,
            { template: st.template, variable: field },
          );
        }
        throw new TemplateError(msg, { template: st.template }, { cause: e });
      }
    });
  }
}

/** Parse, check (the sandbox) and compile a template body. */
export function compileTemplate(
  hb: typeof Handlebars,
  body: string,
  name: string,
  limits: TemplateLimits,
): Pick<LoadedTemplate, 'compiled' | 'partials' | 'reads'> {
  const opts = compileOptions(HELPER_NAMES);
  try {
    const ast = hb.parse(body);
    const facts = checkTemplateAst(ast, name, limits);
    hb.precompile(ast, opts); // compile errors (unknown helpers) now, not at the first render
    return { compiled: hb.compile(ast, opts), partials: facts.partials, reads: facts.reads };
  } catch (e) {
    if (e instanceof TemplateError) throw e;
    const msg = e instanceof RangeError ? 'too deeply nested to compile' : (e as Error).message;
    throw new TemplateError(msg, { template: name }, { cause: e });
  }
}
