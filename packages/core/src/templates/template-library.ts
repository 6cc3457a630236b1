/**
 * The templates in `<config dir>/templates`: `NAME.hbs` files with front matter. Loaded,
 * checked by the sandbox and compiled once (again only when the file changes), rendered
 * strictly. Handlebars itself is loaded on first use, so parley starts no slower for it.
 *
 * @example
 * ```ts
 * const lib = new TemplateLibrary({ dir: parley.paths.templates });
 * const prompt = await lib.render('summary', { text: 'A long text…', words: 30 });
 * ```
 */
import { mkdir, readdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type Handlebars from 'handlebars';
import { parseTemplateSource, TEMPLATE_NAME, FORBIDDEN_NAMES, type VariableSpec } from './front-matter.js';
import { capped, registerHelpers, tick, type RenderState } from './helpers.js';
import { DEFAULT_TEMPLATE_LIMITS, type TemplateLimits } from './sandbox.js';
import { compileTemplate, Template, type LoadedTemplate } from './template.js';
import { useTextOutput } from './text-output.js';
import { TemplateError } from './template-error.js';

type Env = typeof Handlebars;

/** Options of {@link TemplateLibrary}. */
export interface TemplateLibraryOptions {
  /** The templates directory (`parley.paths.templates`). */
  dir: string;
  /** Overrides of {@link DEFAULT_TEMPLATE_LIMITS}. */
  limits?: Partial<TemplateLimits>;
  /** The clock of the `date` helper (tests). */
  now?: () => Date;
}

/** A template as `list` shows it; `error` says why one cannot be used. */
export interface TemplateSummary {
  name: string;
  description: string | undefined;
  tags: string[];
  extends: string | undefined;
  variables: ({ name: string } & VariableSpec)[];
  error?: string;
}

/** The templates of one directory. */
export class TemplateLibrary {
  readonly dir: string;
  readonly limits: TemplateLimits;
  private readonly now: () => Date;
  private hb: Promise<Env> | undefined;
  private readonly cache = new Map<string, LoadedTemplate>();
  private state: RenderState | undefined;

  constructor(options: TemplateLibraryOptions) {
    this.dir = path.resolve(options.dir);
    this.limits = { ...DEFAULT_TEMPLATE_LIMITS, ...options.limits };
    this.now = options.now ?? (() => new Date());
  }

  /** The file of a template; throws for a name that is not a template name. */
  file(name: string): string {
    if (!TEMPLATE_NAME.test(name) || FORBIDDEN_NAMES.has(name)) {
      throw new TemplateError(`"${name}" is not a template name (letters, digits, _ and -, at most 64)`);
    }
    return path.join(this.dir, `${name}.hbs`);
  }

  /** Every template, by name; one that does not load is listed with its error. */
  async list(): Promise<TemplateSummary[]> {
    let names: string[];
    try {
      names = (await readdir(this.dir)).filter((f) => f.endsWith('.hbs')).map((f) => f.slice(0, -4));
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw e;
    }
    const out: TemplateSummary[] = [];
    for (const name of names.filter((n) => TEMPLATE_NAME.test(n)).sort()) {
      try {
        out.push(summaryOf(await this.load(name)));
      } catch (e) {
        const blank: TemplateSummary = {
          name,
          description: undefined,
          tags: [],
          extends: undefined,
          variables: [],
        };
        out.push({ ...blank, error: e instanceof Error ? e.message : String(e) });
      }
    }
    return out;
  }

  /** The text of a template file. */
  async source(name: string): Promise<string> {
    try {
      return await readFile(this.file(name), 'utf8');
    } catch (e) {
      throw this.notFound(name, e);
    }
  }

  /** Load a template with its parents and partials, checked and compiled. */
  async load(name: string): Promise<Template> {
    const chain: LoadedTemplate[] = [];
    let next: string | undefined = name;
    while (next !== undefined) {
      if (chain.some((t) => t.name === next)) {
        throw new TemplateError(`extends loops: ${[...chain.map((t) => t.name), next].join(' → ')}`, {
          template: name,
        });
      }
      if (chain.length > this.limits.maxExtendsDepth) {
        throw new TemplateError(`more than ${this.limits.maxExtendsDepth} parents (extends)`, {
          template: name,
        });
      }
      const t: LoadedTemplate = await this.loadOne(next, chain[chain.length - 1]?.name);
      chain.push(t);
      next = t.meta.extends;
    }
    const partials = new Map<string, LoadedTemplate>();
    const todo = chain.flatMap((t) => [...t.partials]);
    while (todo.length > 0) {
      const p = todo.pop() as string;
      if (partials.has(p)) continue;
      const t = await this.loadOne(p, name);
      partials.set(p, t);
      todo.push(...t.partials);
    }
    const template = new Template(name, chain, this.partialFunctions(partials), this.limits, (st, fn) =>
      this.withState(st, fn),
    );
    // Strict: every variable a template reads in its own context must be declared.
    for (const t of chain) {
      for (const [v, line] of t.reads) {
        if (!template.variables.has(v)) {
          throw new TemplateError(`reads ${v} (line ${line}), which is not a declared variable`, {
            template: t.name,
            variable: v,
          });
        }
      }
    }
    return template;
  }

  /** Render a template with variables (a JSON object). */
  async render(name: string, vars?: unknown): Promise<string> {
    return (await this.load(name)).render(vars);
  }

  /**
   * Save a template after checking it loads (front matter, sandbox, parent and partials).
   * Refuses to replace one unless `overwrite` is set. Resolves to the file written.
   */
  async create(name: string, source: string, opts: { overwrite?: boolean } = {}): Promise<string> {
    const file = this.file(name);
    if (Buffer.byteLength(source) > this.limits.maxSourceBytes) {
      throw new TemplateError(`larger than ${this.limits.maxSourceBytes} bytes`, { template: name });
    }
    const exists = await stat(file).then(
      () => true,
      () => false,
    );
    if (exists && !opts.overwrite)
      throw new TemplateError('exists already (remove it first)', { template: name });
    await mkdir(this.dir, { recursive: true });
    const tmp = `${file}.${process.pid}.tmp`;
    await writeFile(tmp, source, { mode: 0o644 });
    const previous = this.cache.get(name);
    try {
      await rename(tmp, file);
      this.cache.delete(name);
      await this.load(name);
    } catch (e) {
      // Put things back as they were: a template that does not load is not saved.
      await rm(tmp, { force: true });
      if (previous && exists) await writeFile(file, previous.source);
      else await rm(file, { force: true });
      this.cache.delete(name);
      throw e;
    }
    return file;
  }

  /** Delete a template. */
  async remove(name: string): Promise<void> {
    try {
      await rm(this.file(name));
    } catch (e) {
      throw this.notFound(name, e);
    }
    this.cache.delete(name);
  }

  private notFound(name: string, e: unknown): unknown {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') {
      return new TemplateError(`no template named ${name} in ${this.dir}`, { template: name });
    }
    return e;
  }

  private env(): Promise<Env> {
    this.hb ??= import('handlebars').then(({ default: hbs }) => {
      const hb = hbs.create();
      useTextOutput(hb);
      registerHelpers(hb, () => this.current(), this.now);
      return hb;
    });
    return this.hb;
  }

  private current(): RenderState {
    if (!this.state) throw new TemplateError('a helper ran outside a render');
    return this.state;
  }

  /** Run one render with `st` as the state the helpers see. */
  private withState<T>(st: RenderState, fn: () => T): T {
    const outer = this.state;
    this.state = st;
    try {
      return fn();
    } finally {
      this.state = outer;
    }
  }

  private async loadOne(name: string, from: string | undefined): Promise<LoadedTemplate> {
    const file = this.file(name);
    let st;
    try {
      st = await stat(file);
    } catch (e) {
      if (from !== undefined && (e as NodeJS.ErrnoException).code === 'ENOENT') {
        throw new TemplateError(`uses ${name}, and there is no template named ${name}`, { template: from });
      }
      throw this.notFound(name, e);
    }
    const hit = this.cache.get(name);
    if (hit && hit.mtimeMs === st.mtimeMs && hit.size === st.size) return hit;
    if (st.size > this.limits.maxSourceBytes) {
      throw new TemplateError(`larger than ${this.limits.maxSourceBytes} bytes`, { template: name });
    }
    const source = await readFile(file, 'utf8');
    const { meta, body } = parseTemplateSource(source, name);
    const hb = await this.env();
    const compiled = compileTemplate(hb, body, name, this.limits);
    const t: LoadedTemplate = { name, source, mtimeMs: st.mtimeMs, size: st.size, meta, ...compiled };
    this.cache.set(name, t);
    return t;
  }

  private partialFunctions(partials: Map<string, LoadedTemplate>): Record<string, unknown> {
    const out = Object.create(null) as Record<string, unknown>;
    for (const [name, t] of partials) {
      out[name] = (context: unknown, options: Record<string, unknown>) => {
        const st = this.current();
        tick(st);
        if (st.partialDepth >= st.limits.maxPartialDepth) {
          throw new TemplateError(`partials nested deeper than ${st.limits.maxPartialDepth}`, {
            template: st.template,
          });
        }
        st.partialDepth++;
        try {
          return capped(st, t.compiled(context, options));
        } finally {
          st.partialDepth--;
        }
      };
    }
    return out;
  }
}

function summaryOf(t: Template): TemplateSummary {
  const leaf = t.chain[0] as LoadedTemplate;
  return {
    name: t.name,
    description: leaf.meta.description,
    tags: leaf.meta.tags,
    extends: leaf.meta.extends,
    variables: [...t.variables].map(([name, spec]) => ({ name, ...spec })),
  };
}
