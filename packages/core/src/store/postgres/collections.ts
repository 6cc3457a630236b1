/**
 * Document collections are not kept in PostgreSQL yet: every call rejects with an
 * `UnsupportedError` that says so and what to do instead (docs/DOCUMENTS.md).
 */
import type { CollectionRepository } from '../collections.js';
import { UnsupportedError } from '../store-errors.js';

const MESSAGE =
  'document collections are not supported on the PostgreSQL store yet; use the SQLite store for them ' +
  '(unset store.url, or run that command with PARLEY_STORE_URL unset)';

function unsupported(): Promise<never> {
  return Promise.reject(new UnsupportedError('collections', MESSAGE));
}

/** `CollectionRepository` for PostgreSQL: every call rejects with `UnsupportedError`. */
export class PgCollections implements CollectionRepository {
  create = unsupported;
  get = unsupported;
  list = unsupported;
  update = unsupported;
  delete = unsupported;
  files = unsupported;
  putFile = unsupported;
  removeFiles = unsupported;
  chunks = unsupported;
}
