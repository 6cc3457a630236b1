// Bundles the compiled CLI (packages/cli/dist) into packages/cli/bundle with esbuild.
//
// Why: a one-shot answered from the cache must start fast, and Node 20 spends most of such a
// run resolving and compiling a hundred small ES modules (zod alone is 97 files). One bundle
// of the hot path, plus chunks for what loads on demand, removes that (docs/PERFORMANCE.md).
//
// Only small pure-JavaScript packages on the one-shot path are bundled. Everything else stays
// external and loads from node_modules as before: native addons (better-sqlite3,
// node-llama-cpp), packages that find files beside themselves (the server's web UI, worker
// threads), and the big lazy ones (the AI SDK providers, the server).
import { build } from 'esbuild';
import { rmSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const outdir = `${root}packages/cli/bundle`;

/** Bare imports that go into the bundle; every other package stays external. */
const BUNDLED = new Set(['@parley/core', 'zod', 'smol-toml', 'lru-cache', 'env-paths']);

const packageName = (spec) => {
  const parts = spec.split('/');
  return spec.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0];
};

const externalsPlugin = {
  name: 'parley-externals',
  setup(b) {
    b.onResolve({ filter: /^[^./]/ }, (args) => {
      if (args.path.startsWith('node:')) return { path: args.path, external: true };
      return BUNDLED.has(packageName(args.path)) ? undefined : { path: args.path, external: true };
    });
  },
};

rmSync(outdir, { recursive: true, force: true });
await build({
  entryPoints: { main: `${root}packages/cli/dist/main.js` },
  outdir,
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  minifySyntax: true,
  minifyWhitespace: true,
  legalComments: 'linked',
  sourcemap: 'linked',
  chunkNames: 'chunks/[name]-[hash]',
  plugins: [externalsPlugin],
  logLevel: 'warning',
});
// The chunks are ES modules whatever the nearest package.json says.
writeFileSync(`${outdir}/package.json`, '{ "type": "module" }\n');
