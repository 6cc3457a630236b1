/** The `parley` command: parse, dispatch, map errors to exit codes. */
import { readFileSync } from 'node:fs';
import { EXIT, ParleyError, createParley, describeError, exitCodeFor, type Parley } from '@parley/core';
import { parseCli, type CliArgs } from './args.js';
import { runCacheCommand } from './commands/cache.js';
import { runConfigCommand } from './commands/config.js';
import { runHistoryCommand, runImportCommand } from './commands/history.js';
import { runModelsCommand } from './commands/models.js';
import { runServeCommand, SERVE_DEFAULTS } from './commands/serve.js';
import { runTemplateCommand } from './commands/template.js';
import { HELP } from './help.js';
import { runOneShot } from './one-shot.js';
import { defaultOutput, paint, type Output } from './output.js';
import { createProgressBar } from './progress-bar.js';

export function version(): string {
  const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as {
    version: string;
  };
  return pkg.version;
}

/** Run the CLI; resolves to the exit code. */
export async function main(argv: string[], o: Output = defaultOutput()): Promise<number> {
  let args: CliArgs | undefined;
  let parley: Parley | undefined;
  try {
    args = parseCli(argv);
    if (args.command === 'help') {
      o.out.write(HELP);
      return EXIT.ok;
    }
    if (args.command === 'version') {
      o.out.write(`parley ${version()}\n`);
      return EXIT.ok;
    }
    let bar: ReturnType<typeof createProgressBar> | undefined;
    parley = createParley({
      config: args.flags,
      ...(args.configFile ? { configFile: args.configFile } : {}),
      ...(args.command === 'serve' ? { defaults: SERVE_DEFAULTS } : {}),
      onPull: (p) => {
        bar ??= createProgressBar(o.err as NodeJS.WriteStream, { label: `downloading ${p.file}` });
        bar.update(p.receivedBytes, p.totalBytes);
      },
    });
    if (args.command === 'config') return runConfigCommand(parley, args, o);
    if (args.command === 'models') return await runModelsCommand(parley, args, o);
    if (args.command === 'history') return await runHistoryCommand(parley, args, o);
    if (args.command === 'import') return await runImportCommand(parley, args, o);
    if (args.command === 'serve') return await runServeCommand(parley, args, o);
    if (args.command === 'cache') return await runCacheCommand(parley, args, o);
    if (args.command === 'template') return await runTemplateCommand(parley, args, o);
    return await runOneShot(parley, args, o);
  } catch (e) {
    const code = exitCodeFor(e);
    const message = describeError(e);
    if (args?.json) {
      const err = ParleyError.is(e) ? { code: e.code, message } : { code: 'runtime', message };
      o.out.write(`${JSON.stringify({ error: err })}\n`);
    }
    o.err.write(`${paint(o, 'red', 'parley: error:')} ${message}\n`);
    return code;
  } finally {
    await parley?.dispose();
  }
}
