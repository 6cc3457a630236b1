#!/usr/bin/env node
// The parley command. `--version` and `--help` answer before anything heavy is loaded.
import { readFileSync } from 'node:fs';

const argv = process.argv.slice(2);
const first = argv[0];
if (argv.length === 1 && (first === '--version' || first === '-v')) {
  const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'));
  process.stdout.write(`parley ${pkg.version}\n`);
} else if (argv.length === 1 && (first === '--help' || first === '-h')) {
  const { HELP } = await import('../dist/help.js');
  process.stdout.write(HELP);
} else {
  // The bundle (scripts/bundle-cli.mjs) starts much faster than the compiled modules in dist/.
  const { main } = await import('../bundle/main.js');
  process.exitCode = await main(argv);
}
