// Runs a TypeScript file of this repository (a benchmark) without a separate build: esbuild bundles
// it to a temporary ESM file, which node then imports. Usage: node scripts/run-ts.mjs FILE [args...]
import { build } from 'esbuild';
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';

const [file, ...args] = process.argv.slice(2);
const out = path.join(mkdtempSync(path.join(os.tmpdir(), 'lrg-run-')), 'main.mjs');
await build({
  entryPoints: [file],
  outfile: out,
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  logLevel: 'warning',
  banner: { js: "import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);" },
});
process.argv = [process.argv[0], file, ...args];
await import(pathToFileURL(out).href);
