/**
 * Prompts are not HTML, so nothing is escaped. Handlebars' `noEscape` appends raw values, and
 * two numbers side by side then add up (`{{a}}{{b}}` with 1 and 2 renders "3"). Instead, every
 * mustache stays "escaped" (the sandbox marks triple-stashes escaped too) and escaping is
 * replaced, per template, by turning a value into text.
 */
import type Handlebars from 'handlebars';

/** A value as text: strings as they are, null and undefined as nothing, objects as JSON. */
export function toText(v: unknown): string {
  if (v === undefined || v === null) return '';
  if (typeof v === 'string') return v;
  if (typeof v === 'number' || typeof v === 'boolean' || typeof v === 'bigint') return String(v);
  return JSON.stringify(v) ?? '';
}

type Main = (this: unknown, container: { escapeExpression: unknown }, ...rest: unknown[]) => unknown;

/** Make every template of `hb` render values with {@link toText} instead of HTML escaping. */
export function useTextOutput(hb: typeof Handlebars): void {
  const template = hb.template.bind(hb);
  hb.template = (spec) => {
    const s = spec as unknown as { main: Main };
    const main = s.main;
    s.main = function (container, ...rest) {
      container.escapeExpression = toText;
      return main.call(this, container, ...rest);
    };
    return template(spec);
  };
}
