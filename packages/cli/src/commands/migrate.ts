/**
 * `parley migrate`: bring the configured store's schema up to date. A shared PostgreSQL
 * database (`store.url`) is only ever migrated here, so that instances never change the
 * schema under each other; the local SQLite file migrates itself when opened, and this
 * command just reports its version.
 */
import { EXIT, PostgresConversationStore, SqliteConversationStore, type Parley } from '@parley/core';
import type { CliArgs } from '../args.js';
import type { Output } from '../output.js';

export async function runMigrateCommand(parley: Parley, args: CliArgs, o: Output): Promise<number> {
  if (args.rest.length > 0) {
    o.err.write(`parley migrate takes no arguments (got "${args.rest.join(' ')}"); see parley --help\n`);
    return EXIT.usage;
  }
  const store = parley.store();
  if (store instanceof PostgresConversationStore) {
    const r = await store.migrate();
    const what = r.applied.length
      ? `migrated from schema version ${r.from} to ${r.to} (applied ${r.applied.join(', ')})`
      : `schema version ${r.to}, up to date`;
    report(o, args, { store: 'postgres', database: store.displayUrl, ...r }, `${store.displayUrl}: ${what}`);
    return EXIT.ok;
  }
  if (store instanceof SqliteConversationStore) {
    const r = store.migration;
    const what = r.applied.length
      ? `migrated from schema version ${r.from} to ${r.to} (applied ${r.applied.join(', ')})`
      : `schema version ${r.to}, up to date`;
    report(o, args, { store: 'sqlite', database: store.file, ...r }, `${store.file}: ${what}`);
    return EXIT.ok;
  }
  o.err.write(`parley migrate: the ${store.kind} store has no migrations\n`);
  return EXIT.ok;
}

function report(o: Output, args: CliArgs, json: Record<string, unknown>, text: string): void {
  o.out.write(args.json ? `${JSON.stringify(json)}\n` : `${text}\n`);
}
