/** Errors of the conversation store. Each is a `ParleyError`, so `exitCodeFor` maps it. */
import { ParleyError, type ParleyErrorOptions } from '../errors.js';

/** The store failed: it cannot be opened, its schema is newer than this parley, or I/O failed. */
export class StoreError extends ParleyError {
  constructor(code: 'store' | 'store_schema', message: string, options?: ParleyErrorOptions) {
    super(code, message, options);
  }
}

/** A record with the given id does not exist (exit 1). */
export class NotFoundError extends ParleyError {
  /** What was looked for: `conversation`, `message`, `session`. */
  readonly kind: string;
  readonly id: string;
  constructor(kind: string, id: string) {
    super('not_found', `no ${kind} with id ${JSON.stringify(id)}`);
    this.kind = kind;
    this.id = id;
  }
}

/** A record with the given id exists already (exit 1). */
export class ConflictError extends ParleyError {
  readonly kind: string;
  readonly id: string;
  constructor(kind: string, id: string, hint = '') {
    super('conflict', `a ${kind} with id ${JSON.stringify(id)} exists already${hint ? `; ${hint}` : ''}`);
    this.kind = kind;
    this.id = id;
  }
}

/** This store cannot do what was asked (exit 1), e.g. document collections on PostgreSQL. */
export class UnsupportedError extends ParleyError {
  /** What is not supported, e.g. `collections`. */
  readonly feature: string;
  constructor(feature: string, message: string) {
    super('unsupported', message);
    this.feature = feature;
  }
}
