/** `parley docs add NAME PATH… | list | show NAME | rm NAME`: document collections. */
import { EXIT, UsageError, type IndexReport, type Parley } from '@parley/core';
import type { CliArgs } from '../args.js';
import { paint, table, type Output } from '../output.js';
import { createProgressBar } from '../progress-bar.js';

const USAGE = 'use parley docs add NAME PATH… | list | show NAME | rm NAME';

function needName(rest: string[], verb: string): string {
  const name = rest[1];
  if (name === undefined) throw new UsageError(`parley docs ${verb} needs a collection name; ${USAGE}`);
  return name;
}

function summary(r: IndexReport): string {
  const parts = [
    `${r.collection.name}: ${r.collection.files} files, ${r.collection.chunks} chunks`,
    `${r.added} added, ${r.updated} changed, ${r.unchanged} unchanged, ${r.removed} removed`,
  ];
  if (r.skipped.length > 0) {
    parts.push(`${r.skipped.length} skipped${r.binaries > 0 ? ` (${r.binaries} binary)` : ''}`);
  }
  if (r.ignored > 0) parts.push(`${r.ignored} ignored by .gitignore`);
  return parts.join('; ');
}

export async function runDocsCommand(parley: Parley, args: CliArgs, o: Output): Promise<number> {
  const verb = args.rest[0];
  const docs = parley.documents();
  switch (verb) {
    case 'add': {
      const name = needName(args.rest, 'add');
      const paths = args.rest.slice(2);
      const stderr = o.err as NodeJS.WriteStream;
      const bar = args.json
        ? undefined
        : createProgressBar(stderr, { label: `indexing ${name}`, format: (n) => `${Math.round(n)} files` });
      const ac = new AbortController();
      const onSigint = (): void => ac.abort(new Error('interrupted by Ctrl+C'));
      process.on('SIGINT', onSigint);
      let report: IndexReport;
      try {
        report = await docs.add(name, paths, {
          signal: ac.signal,
          onProgress: (p) => bar?.update(p.done, p.total),
        });
      } finally {
        process.off('SIGINT', onSigint);
      }
      bar?.done(summary(report));
      if (args.json) {
        o.out.write(`${JSON.stringify(report)}\n`);
        return EXIT.ok;
      }
      for (const s of report.skipped) o.err.write(paint(o, 'dim', `skipped ${s.path}: ${s.reason}\n`));
      if (report.collection.files === 0) {
        o.err.write(`${paint(o, 'yellow', 'parley:')} no readable files found; the collection is empty\n`);
      }
      return EXIT.ok;
    }
    case 'list': {
      const all = await docs.list();
      if (args.json) {
        o.out.write(`${JSON.stringify(all)}\n`);
        return EXIT.ok;
      }
      if (all.length === 0) {
        o.out.write('no collections yet (parley docs add NAME PATH…)\n');
        return EXIT.ok;
      }
      const rows = all.map((c) => [
        c.name,
        String(c.files),
        String(c.chunks),
        c.encoder,
        new Date(c.updatedAt).toISOString(),
      ]);
      o.out.write(`${table([['NAME', 'FILES', 'CHUNKS', 'ENCODER', 'UPDATED'], ...rows])}\n`);
      return EXIT.ok;
    }
    case 'show': {
      const { collection, files } = await docs.show(needName(args.rest, 'show'));
      if (args.json) {
        o.out.write(`${JSON.stringify({ ...collection, fileList: files })}\n`);
        return EXIT.ok;
      }
      o.out.write(
        `${collection.name}: ${collection.files} files, ${collection.chunks} chunks, encoder ${collection.encoder}, ` +
          `chunks of ${collection.chunkTokens} tokens (overlap ${collection.chunkOverlap})\n` +
          `roots: ${collection.roots.join(', ')}\n`,
      );
      if (files.length > 0) {
        const rows = files.map((f) => [f.path, f.kind, String(f.chunks), String(f.bytes)]);
        o.out.write(`${table([['PATH', 'KIND', 'CHUNKS', 'BYTES'], ...rows])}\n`);
      }
      return EXIT.ok;
    }
    case 'rm': {
      const name = needName(args.rest, 'rm');
      await docs.remove(name);
      if (args.json) o.out.write(`${JSON.stringify({ removed: name })}\n`);
      else o.out.write(`removed the collection ${name}\n`);
      return EXIT.ok;
    }
    default:
      throw new UsageError(verb === undefined ? USAGE : `unknown docs command "${verb}"; ${USAGE}`);
  }
}
