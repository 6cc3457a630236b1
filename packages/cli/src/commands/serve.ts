/** `parley serve`: the HTTP API, the WebSocket and the browser UI, until SIGINT or SIGTERM. */
import { EXIT, type Parley } from '@parley/core';
import { startServer } from '@parley/server';
import type { CliArgs } from '../args.js';
import type { Output } from '../output.js';

export { SERVE_DEFAULTS } from '../serve-defaults.js';

/**
 * Serve until a signal arrives. The first SIGINT or SIGTERM shuts down gracefully (running
 * streams end with `interrupted`); a second one exits at once.
 */
export async function runServeCommand(parley: Parley, args: CliArgs, o: Output): Promise<number> {
  if (args.rest.length > 0) {
    o.err.write(`parley serve takes no arguments (got "${args.rest.join(' ')}"); see parley --help\n`);
    return EXIT.usage;
  }
  // A shared database is checked before listening: unreachable, or an older or newer schema
  // (`parley migrate`), and the server does not start.
  await parley.store().ready?.();
  const server = await startServer({
    parley,
    onWarning: (m) => o.err.write(`parley serve: ${m}\n`),
  });
  for (const n of server.notices) o.err.write(`parley serve: ${n}\n`);
  const auth = server.options.token === undefined ? 'no token: loopback only' : 'token required';
  o.err.write(`parley serve: listening on ${server.url} (${auth}); Ctrl+C stops\n`);
  return new Promise<number>((resolve) => {
    let stopping = false;
    const onSignal = (signal: NodeJS.Signals): void => {
      if (stopping) {
        o.err.write(`parley serve: ${signal} again: exiting now\n`);
        process.exit(EXIT.interrupted);
      }
      stopping = true;
      o.err.write(`parley serve: ${signal}: interrupting running turns and shutting down\n`);
      server
        .close(`the server is shutting down (${signal})`)
        .then(
          () => {
            o.err.write('parley serve: stopped\n');
            resolve(EXIT.ok);
          },
          (e: unknown) => {
            o.err.write(
              `parley serve: error while stopping: ${e instanceof Error ? e.message : String(e)}\n`,
            );
            resolve(EXIT.runtime);
          },
        )
        .finally(() => {
          process.off('SIGINT', onSignal);
          process.off('SIGTERM', onSignal);
        });
    };
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
  });
}
