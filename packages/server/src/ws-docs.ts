/** Answers from a document collection over the WebSocket (`text.docs`, `ready.collections`). */
import type { Citation, Parley } from '@parley/core';
import { ParleyError, questionWithContext } from '@parley/core';
import { ProtocolError } from './ws-protocol.js';

/** The collections a `text` can name in `docs`; none when the store cannot list them. */
export async function collectionNames(parley: Parley): Promise<string[]> {
  return parley
    .documents()
    .list()
    .then((cs) => cs.map((c) => c.name))
    .catch(() => []);
}

/**
 * `docs`: the model gets the question with the collection's passages (`asked`); the history
 * keeps what was typed. An unknown collection or a bad name is a `bad_request`, thrown before
 * the turn starts.
 */
export async function docsContext(
  parley: Parley,
  docs: string | undefined,
  text: string,
): Promise<{ asked?: string; citations?: Citation[] }> {
  if (docs === undefined) return {};
  if (docs.length > 64) {
    throw new ProtocolError('bad_request', `docs: ${docs.length} characters; a collection name has up to 64`);
  }
  const ctx = await parley
    .documents()
    .context(docs, text)
    .catch((e: unknown) => {
      if (!ParleyError.is(e)) throw e;
      throw new ProtocolError('bad_request', `docs: ${e.message}`);
    });
  return { asked: questionWithContext(text, ctx), citations: ctx.citations };
}
