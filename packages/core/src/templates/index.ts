/** Templates: sandboxed Handlebars prompts with front matter, `extends` and strict variables. */
export { TemplateLibrary } from './template-library.js';
export type { TemplateLibraryOptions, TemplateSummary } from './template-library.js';
export { Template } from './template.js';
export { TemplateError } from './template-error.js';
export type { TemplateErrorContext } from './template-error.js';
export { DEFAULT_TEMPLATE_LIMITS, BLOCK_HELPERS } from './sandbox.js';
export type { TemplateLimits } from './sandbox.js';
export { parseTemplateSource, VARIABLE_TYPES, TEMPLATE_NAME } from './front-matter.js';
export type { ParsedTemplate, TemplateMeta, VariableSpec, VariableType } from './front-matter.js';
export { formatDate } from './helpers.js';
