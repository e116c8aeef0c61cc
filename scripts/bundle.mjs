// Bundles the two entry points into dist/ (committed: the runner executes dist/index.js directly).
// Deterministic output: CI rebuilds and fails on `git diff --exit-code dist`.
import { existsSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { builtinModules } from 'node:module';
import path from 'node:path';
import { build } from 'esbuild';

const { version } = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'));

// A clean dist/: a chunk that is no longer produced must not linger (CI compares dist/ to a fresh bundle).
for (const f of existsSync('dist') ? readdirSync('dist') : [])
  if (f !== 'licenses.txt') rmSync(path.join('dist', f), { recursive: true });

// Two builds, split: the CLI's and the action's. Each command loads only the chunks it uses
// (`--version` none of the commands' code), minified, with source maps beside them
// (NODE_OPTIONS=--enable-source-maps, or a debug run of the action, maps stack traces to src/).
// Built apart, the CLI's chunks are cut along its own lazy imports only: the gate loads 6 modules,
// not the 15 a build shared with the action cut them into (each costs a cold start ~1 ms). A chunk
// both builds make is the same file.
//
// Node's built-in modules by require(), not by a static import: an ES module's namespace reads every
// export, and node:fs's include the getters of its streams, which load stream, its 17 internal
// modules and more (~3 ms of a cold start) that the gate never uses. As CommonJS, each export is read
// when used. (A dynamic import() stays one: it is loaded only when reached.) Each importing module
// gets its own two-line wrapper: one shared by two chunks would be a chunk of its own, and each chunk
// loaded costs a cold start about a millisecond.
const builtin = new RegExp(`^(?:node:)?(?:${builtinModules.map((m) => m.replace(/[/]/g, '\\/')).join('|')})$`);
const builtinsByRequire = {
  name: 'builtins-by-require',
  setup(b) {
    b.onResolve({ filter: builtin }, (args) =>
      args.kind === 'import-statement'
        ? { path: `${args.path} (in ${path.relative('.', args.importer)})`, namespace: 'builtin' }
        : { path: args.path, external: true },
    );
    b.onLoad({ filter: /.*/, namespace: 'builtin' }, (args) => ({
      contents: `module.exports = require(${JSON.stringify(args.path.split(' ')[0])});`,
      loader: 'js',
    }));
  },
};

const options = {
  plugins: [builtinsByRequire],
  outdir: 'dist',
  chunkNames: 'chunks/[name]-[hash]',
  bundle: true,
  splitting: true,
  minify: true,
  sourcemap: 'linked',
  sourcesContent: false,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  legalComments: 'none',
  logLevel: 'warning',
  metafile: true,

  // The version the action and CLI report (User-Agent, --version), from package.json.
  define: { __VERSION__: JSON.stringify(version) },
  // Some bundled CommonJS dependencies call require() on Node built-ins.
  banner: { js: "import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);" },
};
const builds = await Promise.all([
  build({ ...options, entryPoints: { cli: 'src/cli/main.ts' } }),
  build({ ...options, entryPoints: { index: 'src/index.ts' } }),
]);
const inputs = Object.assign({}, ...builds.map((b) => b.metafile.inputs));

// dist/licenses.txt: the licence of every package bundled into dist/ (legalComments are dropped from
// the bundles, so the notices the licences require travel here).
const packages = new Map();
for (const input of Object.keys(inputs)) {
  if (input.startsWith('builtin:')) continue;
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
    `Third-party software bundled in dist/ (index.js, cli.js and their chunks; ${unique.length} packages).`,
    ...unique.map((n) => `\n${'='.repeat(78)}\n${n.id} (${n.license})\n${'-'.repeat(78)}\n${n.text}\n`),
  ].join('\n'),
);
if (!existsSync('dist/licenses.txt')) throw new Error('dist/licenses.txt was not written');
