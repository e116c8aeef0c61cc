// Speed and memory, side by side on one machine: each run of the gate next to the least a bare Node
// does with the same input, interleaved run by run, medians compared as ratios (absolute times vary
// from machine to machine and minute to minute; ratios much less).
//   cold start   `node -e 0` / `llm-release-gate --version` / the gate on the bundled example
//   JSON         a promptfoo results file: readFileSync + JSON.parse / the gate
//   JSON lines   native JSONL: a chunked line split + JSON.parse loop / the gate
// Usage: node bench/run.mjs [--small] [--write] [--runs N] [--lines N] [--rows N]
//   --small  CI sizes (they only show the benchmarks still run);  --write  the README's table
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';

const { values: args } = parseArgs({
  options: {
    small: { type: 'boolean', default: false },
    write: { type: 'boolean', default: false },
    runs: { type: 'string' },
    lines: { type: 'string' },
    rows: { type: 'string' },
  },
});
const runs = Number(args.runs ?? (args.small ? 3 : 5));
const lines = Number(args.lines ?? (args.small ? 20_000 : 1_000_000));
const rows = Number(args.rows ?? (args.small ? 2_000 : 100_000));
mkdirSync('bench/out', { recursive: true });

/**
 * Wall time and peak RSS of `node ...args` (exit 0 or 1: allow or block). The RSS comes from a
 * preloaded hook, which costs a cold start ~10 ms of its own: `wallOnly` runs without it.
 */
function measure(nodeArgs, { wallOnly = false } = {}) {
  const t0 = process.hrtime.bigint();
  const r = spawnSync(process.execPath, [...(wallOnly ? [] : ['--import', './bench/rss.mjs']), ...nodeArgs], {
    encoding: 'utf8',
    maxBuffer: 1 << 26,
  });
  const wallMs = Number(process.hrtime.bigint() - t0) / 1e6;
  const m = /BENCH (\{.*\})/.exec(r.stderr);
  if ((!m && !wallOnly) || (r.status !== 0 && r.status !== 1))
    throw new Error(`${nodeArgs.join(' ')} failed (${r.status}):\n${r.stdout.slice(0, 2000)}\n${r.stderr}`);
  return { wallMs, peakRssMb: m ? JSON.parse(m[1]).peakRssMb : NaN };
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

/**
 * Each command `n` times, interleaved: the median wall time and peak RSS of each, and `ratio`, the
 * median over rounds of command j's wall time over the first's (runs side by side share the
 * machine's slow and fast minutes, so their ratio varies much less than either time). `cold`: the
 * times are of runs without the RSS hook (each command runs twice a round).
 */
function sideBySide(commands, n, { cold = false } = {}) {
  const samples = commands.map(() => []);
  for (let i = 0; i < n; i++)
    commands.forEach((c, j) => {
      const m = measure(c);
      samples[j].push(cold ? { wallMs: measure(c, { wallOnly: true }).wallMs, peakRssMb: m.peakRssMb } : m);
    });
  return samples.map((s) => ({
    wallMs: median(s.map((x) => x.wallMs)),
    peakRssMb: median(s.map((x) => x.peakRssMb)),
    ratio: median(s.map((x, i) => x.wallMs / samples[0][i].wallMs)),
  }));
}

/** A generated input (in a child process: its memory must not count in a measurement's). */
function generated(format, n, ext) {
  const file = `bench/out/${format}-${n}.${ext}`;
  if (!existsSync(file)) {
    const r = spawnSync(process.execPath, ['bench/generate.mjs', String(n), file, format], { stdio: 'inherit' });
    if (r.status !== 0) throw new Error(`generating ${file} failed`);
  }
  return file;
}

function configFor(results, name) {
  const file = `bench/out/${name}.yml`;
  writeFileSync(
    file,
    [
      'version: 1',
      'service: bench',
      'risk: { tier: low, bad_output_cost: "bench" }',
      'evals:',
      `  results: ${results}`,
      '  metrics:',
      '    - { name: pass_rate, min: 0.9 }',
      '    - { name: latency_p95_ms, max: 2500 }',
      '  slices: [{ tag: pii, metrics: [{ name: pass_rate, min: 0.9 }] }]',
      '',
    ].join('\n'),
  );
  return file;
}

const gate = (config) => ['dist/cli.js', 'gate', '--config', config, '--json'];
const fmt = (x, d = 0) => x.toLocaleString('en-US', { minimumFractionDigits: d, maximumFractionDigits: d });
const table = [
  '| work | bare reference | bare wall (ms) | gate wall (ms) | ratio | target | bare peak RSS (MB) | gate peak RSS (MB) |',
  '|---|---|---:|---:|---:|---|---:|---:|',
];
const row = (work, bare, ref, ours, ratio, target) =>
  table.push(
    `| ${work} | ${bare} | ${fmt(ref.wallMs)} | ${fmt(ours.wallMs)} | ${ratio} | ${target} | ${fmt(ref.peakRssMb)} | ${fmt(ours.peakRssMb)} |`,
  );

// Cold start: small work, so more runs.
const [bare, version, example] = sideBySide(
  [['-e', '0'], ['dist/cli.js', '--version'], gate('examples/llm-release-gate.yml')],
  runs * 4,
  { cold: true },
);
row('`--version`', '`node -e 0`', bare, version, `${fmt(version.ratio, 2)}× time`, '≤ 1.5× time');
row(
  'the gate on the example (400 samples + baseline)',
  '`node -e 0`',
  bare,
  example,
  `${fmt(example.ratio, 2)}× time`,
  '≤ 2.5× time',
);

const json = generated('promptfoo', rows, 'json');
const [parse, doc] = sideBySide([['bench/bare-parse.mjs', json], gate(configFor(json, `promptfoo-${rows}`))], runs);
row(
  `promptfoo JSON, ${fmt(rows)} rows (${fmt(readFileSync(json).length / 2 ** 20)} MiB)`,
  '`readFileSync` + `JSON.parse`',
  parse,
  doc,
  `${fmt(doc.ratio, 2)}× time, ${fmt(doc.peakRssMb / parse.peakRssMb, 2)}× memory`,
  '≤ 1.0× time, ≤ 0.5× memory',
);

const jsonl = generated('native', lines, 'jsonl');
const [loop, stream] = sideBySide([['bench/bare-loop.mjs', jsonl], gate(configFor(jsonl, `native-${lines}`))], runs);
row(
  `native JSONL, ${fmt(lines)} lines`,
  'chunked line split + `JSON.parse`',
  loop,
  stream,
  `${fmt(1 / stream.ratio, 2)} of its throughput`,
  '≥ 0.8 of the throughput, ≤ 200 MB',
);

const text = table.join('\n');
console.log(
  `\n${text}\n\n(medians of ${runs} interleaved runs, cold start ${runs * 4}; a ratio is the median of the runs' ratios)`,
);
if (args.write) {
  const readme = readFileSync('README.md', 'utf8');
  const start = '<!-- bench:start -->';
  const end = '<!-- bench:end -->';
  const a = readme.indexOf(start);
  const b = readme.indexOf(end);
  if (a === -1 || b < a) throw new Error(`README.md has no ${start} ... ${end} section`);
  writeFileSync('README.md', `${readme.slice(0, a + start.length)}\n${text}\n${readme.slice(b)}`);
  console.log('README.md: table updated');
}
