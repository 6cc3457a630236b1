/** The `parley` command: parse, dispatch, map errors to exit codes. */
import { readFileSync } from 'node:fs';
import { EXIT, ParleyError, createParley, describeError, exitCodeFor, type Parley } from '@parley/core';
import { parseCli, type CliArgs } from './args.js';
import { SERVE_DEFAULTS } from './serve-defaults.js';
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
    // `parley` with no prompt at a terminal opens the chat.
    if (
      args.command === 'prompt' &&
      args.prompt === undefined &&
      args.template === undefined &&
      args.images.length === 0 &&
      args.files.length === 0 &&
      o.out === process.stdout &&
      process.stdin.isTTY &&
      process.stdout.isTTY
    ) {
      args = { ...args, command: 'chat' };
    }
    let bar: ReturnType<typeof createProgressBar> | undefined;
    const stderr = o.err as NodeJS.WriteStream;
    // The default model's first download: a progress bar on stderr (the chat shows it itself).
    const pull = {
      handler: (p: { file: string; receivedBytes: number; totalBytes: number | undefined }): void => {
        bar ??= createProgressBar(stderr, { label: `downloading ${p.file}` });
        bar.update(p.receivedBytes, p.totalBytes);
      },
    };
    parley = createParley({
      // The server logs its turns; other commands log warnings and errors only, so a one-shot
      // that goes well never loads the logger (start-up time). PARLEY_LOG_LEVEL wins.
      logLevel: args.verbose ? 'debug' : args.command === 'serve' ? 'info' : 'warn',
      ...(args.verbose && stderr.isTTY === true ? { logPretty: stderr, logColor: o.color } : {}),
      config: args.flags,
      ...(args.configFile ? { configFile: args.configFile } : {}),
      ...(args.command === 'serve' ? { defaults: SERVE_DEFAULTS } : {}),
      onPull: (p) => pull.handler(p),
    });
    // Subcommands load on demand: a one-shot never imports the server, and `serve` never
    // imports the history or template code (start-up time; see docs/PERFORMANCE.md).
    switch (args.command) {
      case 'chat':
        return await (await import('./commands/chat.js')).runChatCommand(parley, args, o, pull);
      case 'config':
        return (await import('./commands/config.js')).runConfigCommand(parley, args, o);
      case 'models':
        return await (await import('./commands/models.js')).runModelsCommand(parley, args, o);
      case 'history':
        return await (await import('./commands/history.js')).runHistoryCommand(parley, args, o);
      case 'import':
        return await (await import('./commands/history.js')).runImportCommand(parley, args, o);
      case 'serve':
        return await (await import('./commands/serve.js')).runServeCommand(parley, args, o);
      case 'cache':
        return await (await import('./commands/cache.js')).runCacheCommand(parley, args, o);
      case 'template':
        return await (await import('./commands/template.js')).runTemplateCommand(parley, args, o);
      case 'tools':
        return await (await import('./commands/tools.js')).runToolsCommand(parley, args, o);
      case 'mcp':
        return await (await import('./commands/tools.js')).runMcpCommand(parley, args, o);
      case 'migrate':
        return await (await import('./commands/migrate.js')).runMigrateCommand(parley, args, o);
      case 'route':
        return await (await import('./commands/route.js')).runRouteCommand(parley, args, o);
      case 'image':
        return await (await import('./commands/image.js')).runImageCommand(parley, args, o);
      case 'assistant':
        return await (await import('./commands/assistant.js')).runAssistantCommand(parley, args, o);
      case 'stats':
        return await (await import('./commands/stats.js')).runStatsCommand(parley, args, o);
      case 'docs':
        return await (await import('./commands/docs.js')).runDocsCommand(parley, args, o);
      case 'transcribe':
        return await (await import('./commands/speech.js')).runTranscribeCommand(parley, args, o);
      case 'say':
        return await (await import('./commands/speech.js')).runSayCommand(parley, args, o);
      case 'load-test':
        return await (await import('./commands/load-test/load-test.js')).runLoadTestCommand(parley, args, o);
      default:
        return await runOneShot(parley, args, o);
    }
  } catch (e) {
    const code = exitCodeFor(e);
    const message = describeError(e);
    parley?.log.error({ code: ParleyError.is(e) ? e.code : 'runtime', exit: code }, message);
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
