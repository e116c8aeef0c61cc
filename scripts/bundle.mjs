// Bundles the two entry points into dist/ (committed: the runner executes dist/index.js directly).
// Deterministic output: CI rebuilds and fails on `git diff --exit-code dist`.
import { readFileSync } from 'node:fs';
import { build } from 'esbuild';

const { version } = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'));

const shared = {
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  legalComments: 'none',
  logLevel: 'warning',
  // The version the action and CLI report (User-Agent, --version), from package.json.
  define: { __VERSION__: JSON.stringify(version) },
  // Some bundled CommonJS dependencies call require() on Node built-ins.
  banner: { js: "import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);" },
};

await build({ ...shared, entryPoints: ['src/index.ts'], outfile: 'dist/index.js' });
await build({
  ...shared,
  entryPoints: ['src/cli/main.ts'],
  outfile: 'dist/cli.js',
  banner: { js: '#!/usr/bin/env node\n' + shared.banner.js },
});
