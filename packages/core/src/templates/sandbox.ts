/**
 * The template sandbox, before anything runs: the parsed template is walked once and
 * refused when it reaches for a prototype (`constructor`, `__proto__`, … as a path segment or
 * as a string a helper could look up), uses a decorator (inline partials can recurse without
 * bound), a dynamic partial, an unknown block helper, or nests too deep. At render time the
 * helpers (`helpers.ts`) cap iterations, depth and output.
 */
import type Handlebars from 'handlebars';
import { FORBIDDEN_NAMES, TEMPLATE_NAME } from './front-matter.js';
import { HELPER_NAMES } from './helpers.js';
import { TemplateError } from './template-error.js';
import type { VariableLimits } from './variables.js';

/** Every limit of the template engine. */
export interface TemplateLimits extends VariableLimits {
  /** Largest template file, in bytes. */
  maxSourceBytes: number;
  /** Longest rendered text, in characters. */
  maxOutputChars: number;
  /** `each` iterations and partial calls in one render, all together. */
  maxIterations: number;
  /** Items one `each` may loop over. */
  maxEachItems: number;
  /** `each` inside `each`, at most this deep. */
  maxEachDepth: number;
  /** Partials inside partials, at most this deep. */
  maxPartialDepth: number;
  /** Parents above a template (`extends`), at most this many. */
  maxExtendsDepth: number;
  /** Blocks inside blocks in the source, at most this deep. */
  maxNesting: number;
}

/** The default limits: generous for prompts, small enough that nothing hangs. */
export const DEFAULT_TEMPLATE_LIMITS: TemplateLimits = {
  maxSourceBytes: 256 * 1024,
  maxOutputChars: 1_000_000,
  maxIterations: 100_000,
  maxEachItems: 10_000,
  maxEachDepth: 8,
  maxPartialDepth: 8,
  maxExtendsDepth: 8,
  maxNesting: 64,
  maxVarsBytes: 1024 * 1024,
  maxVarsDepth: 32,
};

/** The block helpers a template may use. */
export const BLOCK_HELPERS: ReadonlySet<string> = new Set(['if', 'unless', 'each', 'with', 'block', 'fill']);

type Node = hbs.AST.Node & Record<string, unknown>;

/** What the walk found that the loader checks further. */
export interface SourceFacts {
  /** Names of the partials the template includes. */
  partials: Set<string>;
  /** Variables read in the template's own context (outside `each` and `with`), with a line. */
  reads: Map<string, number>;
}

interface Item {
  n: Node;
  /** Blocks around it. */
  depth: number;
  /** True while the context is still the template's variables. */
  root: boolean;
  /** True for the name a mustache or subexpression calls. */
  callee?: boolean;
}

/**
 * Walk a parsed template; throws `TemplateError` on anything the sandbox refuses. Marks every
 * mustache escaped (see `text-output.ts`), so compile this AST, not the source.
 */
export function checkTemplateAst(
  ast: hbs.AST.Program,
  template: string,
  limits: TemplateLimits,
): SourceFacts {
  const facts: SourceFacts = { partials: new Set(), reads: new Map() };
  const fail = (msg: string, n: Node): never => {
    throw new TemplateError(`${msg}${lineOf(n) ? ` (line ${lineOf(n)})` : ''}`, { template });
  };
  const stack: Item[] = [{ n: ast as unknown as Node, depth: 0, root: true }];
  while (stack.length > 0) {
    const { n, depth, root, callee } = stack.pop() as Item;
    if (depth > limits.maxNesting) fail(`blocks nested deeper than ${limits.maxNesting}`, n);
    const push = (child: unknown, at: Partial<Item> = {}): void => {
      if (child && typeof child === 'object') stack.push({ n: child as Node, depth, root, ...at });
    };
    const pushCall = (): void => {
      for (const x of (n.params as Node[] | undefined) ?? []) push(x);
      push(n.hash);
    };
    switch (n.type) {
      case 'Program':
        for (const s of n.body as Node[]) push(s);
        break;
      case 'Decorator':
      case 'DecoratorBlock':
        fail('decorators ({{* …}}, inline partials) are not allowed', n);
        break;
      case 'BlockStatement': {
        const p = n.path as Node;
        const parts = p.parts as string[] | undefined;
        const name = p.type === 'PathExpression' && !p.data && parts?.length === 1 ? parts[0] : undefined;
        if (!name || !BLOCK_HELPERS.has(name)) {
          fail(
            `unknown block helper ${String(p.original ?? p.type)} (use ${[...BLOCK_HELPERS].join(', ')})`,
            n,
          );
        }
        // each and with change the context; their else branch keeps it.
        push(n.program, { depth: depth + 1, root: root && name !== 'each' && name !== 'with' });
        push(n.inverse, { depth: depth + 1 });
        pushCall();
        break;
      }
      case 'PartialStatement':
      case 'PartialBlockStatement': {
        const p = n.name as Node;
        if (p.type !== 'PathExpression') fail('dynamic partials ({{> (…)}}) are not allowed', n);
        const name = p.original as string;
        if (name !== '@partial-block') {
          if (!TEMPLATE_NAME.test(name) || FORBIDDEN_NAMES.has(name)) fail(`not a template name: ${name}`, n);
          facts.partials.add(name);
        }
        push(n.program, { depth: depth + 1, root: false });
        pushCall();
        break;
      }
      case 'MustacheStatement':
        // Triple-stash output is appended raw (numbers would add up): see text-output.ts.
        n.escaped = true;
        push(n.path, { callee: true });
        pushCall();
        break;
      case 'SubExpression':
        push(n.path, { callee: true });
        pushCall();
        break;
      case 'Hash':
        for (const pair of n.pairs as Node[]) push(pair.value);
        break;
      case 'PathExpression': {
        const parts = n.parts as string[];
        for (const part of parts) if (FORBIDDEN_NAMES.has(part)) fail(`${part} is off limits`, n);
        const first = parts[0];
        const isHelper =
          callee && parts.length === 1 && (HELPER_NAMES as readonly string[]).includes(first ?? '');
        if (root && !isHelper && !n.data && n.depth === 0 && first !== undefined && !facts.reads.has(first)) {
          facts.reads.set(first, lineOf(n) ?? 0);
        }
        break;
      }
      case 'StringLiteral':
        if (FORBIDDEN_NAMES.has(n.value as string)) fail(`"${String(n.value)}" is off limits`, n);
        break;
      default:
        break;
    }
  }
  return facts;
}

function lineOf(n: Node): number | undefined {
  return (n.loc as hbs.AST.SourceLocation | undefined)?.start.line;
}

/** Compile options: strict, only our helpers (and no HTML escaping: see `text-output.ts`). */
export function compileOptions(helpers: readonly string[]): CompileOptions {
  const knownHelpers: Record<string, boolean> = {
    log: false,
    helperMissing: false,
    blockHelperMissing: false,
  };
  for (const h of helpers) knownHelpers[h] = true;
  return { strict: true, knownHelpersOnly: true, knownHelpers, compat: false, data: true };
}

/** Runtime options that keep prototype access blocked, whatever the defaults become. */
export const RUNTIME_OPTIONS = {
  allowProtoPropertiesByDefault: false,
  allowProtoMethodsByDefault: false,
  allowCallsToHelperMissing: false,
} as const;

type CompileOptions = Parameters<typeof Handlebars.compile>[1];
