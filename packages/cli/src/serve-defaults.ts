import type { ConfigLayer } from '@parley/core';

/** What `parley serve` changes in the defaults: several requests share the local model at once. */
export const SERVE_DEFAULTS: ConfigLayer = { local: { sequences: 4 } };
