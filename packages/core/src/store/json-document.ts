/** Reading a JSON document (an export, a snapshot) that one zod schema checks. */
import type { z } from 'zod';
import { UsageError } from '../errors.js';

/**
 * Parse `input` (a value or its JSON text) with `schema`. Throws `UsageError` naming
 * `source`, what the document should be (`kind`), and the first bad path.
 */
export function parseJsonDocument<S extends z.ZodType>(
  input: unknown,
  schema: S,
  source: string,
  kind: string,
  hint: (path: readonly PropertyKey[]) => string = () => '',
): z.infer<S> {
  let value = input;
  if (typeof input === 'string') {
    try {
      value = JSON.parse(input) as unknown;
    } catch (e) {
      throw new UsageError(`${source} is not valid JSON: ${(e as Error).message}`, { cause: e });
    }
  }
  const r = schema.safeParse(value);
  if (r.success) return r.data;
  const issue = r.error.issues[0];
  const where = issue?.path.map(String).join('.') || '(root)';
  throw new UsageError(
    `${source} is not ${kind}: ${where}: ${issue?.message ?? 'invalid'}${hint(issue?.path ?? [])}`,
  );
}
