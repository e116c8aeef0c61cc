// Speed and memory of the gate on native JSONL, next to a bare line-split + JSON.parse loop over the
// same file, in one run (ratios, not absolute times, are what is compared).
// Usage: node bench/run.mjs [lines...]   (default: 100000 300000 1000000)
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';

const sizes = process.argv.slice(2).map(Number);
if (sizes.length === 0) sizes.push(100_000, 300_000, 1_000_000);
mkdirSync('bench/out', { recursive: true });

function measure(args) {
  const t0 = process.hrtime.bigint();
  const r = spawnSync(process.execPath, ['--import', './bench/rss.mjs', ...args], {
    encoding: 'utf8',
    maxBuffer: 1 << 26,
  });
  const wallMs = Number(process.hrtime.bigint() - t0) / 1e6;
  const m = /BENCH (\{.*\})/.exec(r.stderr);
  if (!m || (r.status !== 0 && r.status !== 1))
    throw new Error(`${args.join(' ')} failed (${r.status}):\n${r.stdout.slice(0, 2000)}\n${r.stderr}`);
  return { wallMs, ...JSON.parse(m[1]) };
}

const rows = [];
for (const n of sizes) {
  const file = `bench/out/native-${n}.jsonl`;
  if (!existsSync(file)) spawnSync(process.execPath, ['bench/generate.mjs', String(n), file], { stdio: 'inherit' });
  const config = `bench/out/config-${n}.yml`;
  writeFileSync(
    config,
    [
      'version: 1',
      'service: bench',
      'risk: { tier: low, bad_output_cost: "bench" }',
      'evals:',
      `  results: ${file}`,
      '  metrics:',
      '    - { name: pass_rate, min: 0.9 }',
      '    - { name: score.faithfulness, min: 0.85 }',
      '    - { name: latency_p95_ms, max: 2500 }',
      '  slices: [{ tag: pii, metrics: [{ name: pass_rate, min: 0.9 }] }]',
      '',
    ].join('\n'),
  );
  const bare = measure(['bench/bare-loop.mjs', file]);
  const gate = measure(['dist/cli.js', 'gate', '--config', config, '--json']);
  rows.push({ lines: n, bare, gate });
}

const fmt = (x, d = 0) => x.toFixed(d);
console.log(
  '\n| lines | bare loop wall (ms) | gate wall (ms) | gate throughput / bare | bare peak RSS (MB) | gate peak RSS (MB) |',
);
console.log('|---:|---:|---:|---:|---:|---:|');
for (const { lines, bare, gate } of rows) {
  console.log(
    `| ${lines.toLocaleString('en-US')} | ${fmt(bare.wallMs)} | ${fmt(gate.wallMs)} | ${fmt(bare.wallMs / gate.wallMs, 2)} | ${fmt(bare.peakRssMb)} | ${fmt(gate.peakRssMb)} |`,
  );
}
