// Bundles the two entry points into dist/ (committed: the runner executes dist/index.js directly).
// Deterministic output: CI rebuilds and fails on `git diff --exit-code dist`.
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
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

const action = await build({ ...shared, metafile: true, entryPoints: ['src/index.ts'], outfile: 'dist/index.js' });
const cli = await build({
  ...shared,
  metafile: true,
  entryPoints: ['src/cli/main.ts'],
  outfile: 'dist/cli.js',
  banner: { js: '#!/usr/bin/env node\n' + shared.banner.js },
});

// dist/licenses.txt: the licence of every package bundled into dist/ (legalComments are dropped from
// the bundles, so the notices the licences require travel here).
const packages = new Map();
for (const input of [...Object.keys(action.metafile.inputs), ...Object.keys(cli.metafile.inputs)]) {
  const m = /node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(input);
  if (!m) continue;
  const dir = input.slice(0, m.index + m[0].length);
  if (!packages.has(dir)) packages.set(dir, m[1]);
}
const notices = [...packages]
  .map(([dir, name]) => {
    const pkg = JSON.parse(readFileSync(path.join(dir, 'package.json'), 'utf8'));
    const file = readdirSync(dir).find((f) => /^(licen[cs]e|copying)(\.|$)/i.test(f));
    if (!file && !pkg.license) throw new Error(`${name} has no licence: check it before bundling it`);
    const text = file ? readFileSync(path.join(dir, file), 'utf8').trim() : `License: ${pkg.license}`;
    return { id: `${pkg.name}@${pkg.version}`, license: pkg.license ?? 'see text', text };
  })
  .sort((a, b) => a.id.localeCompare(b.id));
const unique = [...new Map(notices.map((n) => [n.id, n])).values()];
writeFileSync(
  'dist/licenses.txt',
  [
    `Third-party software bundled in dist/index.js and dist/cli.js (${unique.length} packages).`,
    ...unique.map((n) => `\n${'='.repeat(78)}\n${n.id} (${n.license})\n${'-'.repeat(78)}\n${n.text}\n`),
  ].join('\n'),
);
if (!existsSync('dist/licenses.txt')) throw new Error('dist/licenses.txt was not written');
