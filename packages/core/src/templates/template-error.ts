/** The one error of the templates: a bad template, bad variables, or a limit reached. */
import { UsageError, type ParleyErrorOptions } from '../errors.js';

/** Where a template error is: which template, and which variable when one is to blame. */
export interface TemplateErrorContext {
  template?: string | undefined;
  variable?: string | undefined;
}

/** A template could not be loaded or rendered (a usage error: exit code 2). */
export class TemplateError extends UsageError {
  readonly template: string | undefined;
  readonly variable: string | undefined;

  constructor(message: string, ctx: TemplateErrorContext = {}, options?: ParleyErrorOptions) {
    super(ctx.template ? `template ${ctx.template}: ${message}` : message, options);
    this.template = ctx.template;
    this.variable = ctx.variable;
  }
}
