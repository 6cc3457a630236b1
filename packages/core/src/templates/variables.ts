/**
 * Strict variables: every variable given must be declared, every required one given, and
 * each of the declared type. The error names the variable. The context a template sees is
 * built from the declarations alone (a prototype-free object), so nothing else gets in.
 */
import { FORBIDDEN_NAMES, article, hasType, type VariableSpec } from './front-matter.js';
import { TemplateError } from './template-error.js';

/** Limits on the variables one render takes. */
export interface VariableLimits {
  /** Largest JSON size of all variables together, in bytes. */
  maxVarsBytes: number;
  /** Deepest nesting of arrays and objects. */
  maxVarsDepth: number;
}

function describeValue(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'an array';
  if (Number.isInteger(v)) return 'an integer';
  return typeof v === 'object' ? 'an object' : `a ${typeof v}`;
}

/** Depth of nesting, stopping (and reporting `limit + 1`) once past the limit. */
function depthOf(v: unknown, limit: number, depth = 0): number {
  if (depth > limit || typeof v !== 'object' || v === null) return depth;
  let max = depth;
  for (const x of Array.isArray(v) ? v : Object.values(v)) {
    max = Math.max(max, depthOf(x, limit, depth + 1));
    if (max > limit) break;
  }
  return max;
}

/**
 * Check `vars` against the declarations and build the render context: given values,
 * defaults for the rest, and null for optional variables without a default.
 */
export function bindVariables(
  declared: ReadonlyMap<string, VariableSpec>,
  vars: unknown,
  template: string,
  limits: VariableLimits,
): Record<string, unknown> {
  if (vars === undefined || vars === null) vars = {};
  if (typeof vars !== 'object' || Array.isArray(vars)) {
    throw new TemplateError(`variables must be a JSON object, not ${describeValue(vars)}`, { template });
  }
  const given = vars as Record<string, unknown>;
  let json: string | undefined;
  try {
    json = JSON.stringify(given);
  } catch (e) {
    throw new TemplateError(
      `variables must be plain JSON: ${(e as Error).message}`,
      { template },
      { cause: e },
    );
  }
  if (json !== undefined && Buffer.byteLength(json) > limits.maxVarsBytes) {
    throw new TemplateError(`variables are larger than ${limits.maxVarsBytes} bytes`, { template });
  }
  if (depthOf(given, limits.maxVarsDepth) > limits.maxVarsDepth) {
    throw new TemplateError(`variables are nested deeper than ${limits.maxVarsDepth} levels`, { template });
  }
  for (const key of Object.keys(given)) {
    if (!declared.has(key) || FORBIDDEN_NAMES.has(key)) {
      const known = [...declared.keys()];
      throw new TemplateError(
        `unknown variable ${key} (${known.length ? `declared: ${known.join(', ')}` : 'it declares none'})`,
        { template, variable: key },
      );
    }
  }
  // Defined, never assigned: no name can reach a setter on the way in.
  const context: Record<string, unknown> = {};
  const set = (key: string, value: unknown) =>
    Object.defineProperty(context, key, { value, enumerable: true, writable: true, configurable: true });
  for (const [key, spec] of declared) {
    const has = Object.prototype.hasOwnProperty.call(given, key) && given[key] !== undefined;
    if (!has) {
      if (spec.required)
        throw new TemplateError(`missing required variable ${key}`, { template, variable: key });
      set(key, 'default' in spec ? structuredClone(spec.default) : null);
      continue;
    }
    const value = given[key];
    if (value === null && !spec.required) {
      set(key, null);
      continue;
    }
    if (!hasType(value, spec.type)) {
      throw new TemplateError(`variable ${key} must be ${article(spec.type)}, not ${describeValue(value)}`, {
        template,
        variable: key,
      });
    }
    set(key, value);
  }
  return context;
}
