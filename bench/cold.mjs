// Cold start: the CLI's `--version` and the gate on the bundled example, next to a bare `node -e 0`,
// interleaved run by run on the same machine; medians of wall time and peak RSS, and their ratios.
// Usage: node bench/cold.mjs [runs]   (default 21; .ci/run uses a few)
import { spawnSync } from 'node:child_process';

const runs = Number(process.argv[2] ?? 21);
const cases = {
  bare: ['-e', '0'],
  version: ['dist/cli.js', '--version'],
  gate: ['dist/cli.js', 'gate', '--config', 'examples/llm-release-gate.yml'],
};

function once(args) {
  const t0 = process.hrtime.bigint();
  const r = spawnSync(process.execPath, ['--import', './bench/rss.mjs', ...args], { encoding: 'utf8' });
  const wallMs = Number(process.hrtime.bigint() - t0) / 1e6;
  const m = /BENCH (\{.*\})/.exec(r.stderr);
  if (!m || r.status !== 0) throw new Error(`${args.join(' ')} failed (${r.status}):\n${r.stdout}\n${r.stderr}`);
  return { wallMs, peakRssMb: JSON.parse(m[1]).peakRssMb };
}

const samples = Object.fromEntries(Object.keys(cases).map((k) => [k, []]));
for (let i = 0; i < runs; i++) for (const [name, args] of Object.entries(cases)) samples[name].push(once(args));
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const stat = (name) => ({
  wallMs: median(samples[name].map((s) => s.wallMs)),
  peakRssMb: median(samples[name].map((s) => s.peakRssMb)),
});
const bare = stat('bare');
export const rows = Object.keys(cases).map((name) => ({ name, ...stat(name), ratio: stat(name).wallMs / bare.wallMs }));
console.log(`\n| run (median of ${runs}) | wall (ms) | peak RSS (MB) | wall / node -e 0 |`);
console.log('|---|---:|---:|---:|');
const label = {
  bare: '`node -e 0`',
  version: '`llm-release-gate --version`',
  gate: '`llm-release-gate gate` on the example',
};
for (const r of rows)
  console.log(`| ${label[r.name]} | ${r.wallMs.toFixed(0)} | ${r.peakRssMb.toFixed(0)} | ${r.ratio.toFixed(2)} |`);
