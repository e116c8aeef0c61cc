// Hostile results files, each up to a size cap (default 10 MB), gated by the bundled CLI one by one:
// every one must be decided (allow/block, never a crash) within 2 s and 300 MB of peak RSS.
// Usage: node bench/hostile.mjs [max-bytes]   (default 10485760; .ci/run uses a small size)
import { spawnSync } from 'node:child_process';
import { mkdirSync, statSync, writeFileSync } from 'node:fs';
import { zip } from './zip.mjs';

const cap = Number(process.argv[2] ?? 10 * 1024 * 1024);
const dir = 'bench/out/hostile';
mkdirSync(dir, { recursive: true });
const LIMIT_MS = 2000;
const LIMIT_MB = 300;

/** `unit` repeated until the text is about `bytes` long. */
const fill = (unit, bytes) => unit.repeat(Math.max(1, Math.floor(bytes / unit.length)));

/**
 * Native JSONL lines whose ids share the low 32 bits of the gate's id hash (FNV-style, invertible):
 * with an unkeyed table every insert would probe every earlier one.
 */
function collidingIds(n) {
  const M = 0x5bd1e995;
  const step = (h, c) => {
    h = Math.imul(h ^ c, M);
    return (h ^ (h >>> 15)) >>> 0;
  };
  const unshift = (v) => (v ^ (v >>> 15) ^ (v >>> 30)) >>> 0;
  let inv = M;
  for (let i = 0; i < 5; i++) inv = Math.imul(inv, 2 - Math.imul(M, inv));
  const target = 0x12345678;
  const y = Math.imul(unshift(target), inv) >>> 0;
  const high = y >>> 16;
  const table = new Map();
  for (let lo = 0; lo < 65536; lo++) {
    const h = Math.imul(lo, M) >>> 16;
    (table.get(h) ?? table.set(h, []).get(h)).push(lo);
  }
  const surrogate = (c) => c >= 0xd800 && c <= 0xdfff;
  const hex = (c) => `\\u${c.toString(16).padStart(4, '0')}`;
  const out = [];
  for (let i = 0; out.length < n; i++) {
    const p = `k${i}`;
    let s = 0x9747b28c;
    for (let k = 0; k < p.length; k++) s = step(s, p.charCodeAt(k));
    const a16 = Math.imul(s >>> 16, M) & 0xffff;
    search: for (const h of [high, high ^ 1])
      for (const lo of table.get((h - a16) & 0xffff) ?? []) {
        const c = (lo ^ (s & 0xffff)) >>> 0;
        if (surrogate(c)) continue;
        const s2 = step(s, c);
        const last = (s2 ^ y) >>> 0;
        if (s2 >>> 16 !== high || last > 0xffff || surrogate(last)) continue;
        out.push(`{"id":"${p}${hex(c)}${hex(last)}","pass":true}`);
        break search;
      }
  }
  return `${out.join('\n')}\n`;
}

const header = JSON.stringify({ eval: { task: 't', model: 'm' }, status: 'success' });
const deep = (n) => '['.repeat(n) + ']'.repeat(n);
/** Well-formed files built to be slow (one id repeated, long lines, many entries): decided either way. */
const WELL_FORMED = new Set([
  'junit-one-name.xml',
  'junit-failure-text.xml',
  'native-one-id.jsonl',
  'native-hash-collisions.jsonl',
  'native-long-line.jsonl',
  'native-long-first-line.jsonl',
  'promptfoo-one-id.json',
  'braintrust-names.jsonl',
  'inspect-many-entries.eval',
]);

const cases = {
  'junit-comment-bomb.xml': () => `${'<!---->'.repeat(40)}x`,
  'junit-comments.xml': () => `${fill('<!---->', cap)}x`,
  'junit-one-name.xml': () => `<testsuite>${fill('<testcase classname="c" name="x"/>', cap - 30)}</testsuite>`,
  'junit-failure-text.xml': () =>
    `<testsuite><testcase name="x"><failure message="m">${fill('a&lt;b ', cap - 80)}</failure></testcase></testsuite>`,
  'junit-attribute-comments.xml': () => `<testsuite name="${fill('<!--', cap - 40)}"><testcase name="x"/></testsuite>`,
  'junit-deep.xml': () => `<testsuite>${fill('<a>', cap / 2)}</testsuite>`,
  'native-one-id.jsonl': () => fill('{"id":"x","pass":true,"score":1}\n', cap),
  'native-hash-collisions.jsonl': () => collidingIds(Math.floor(cap / 40)),
  'native-long-line.jsonl': () => `{"id":"x","pass":true,"message":"${'a'.repeat(cap - 60)}"}\n`,
  'native-long-first-line.jsonl': () =>
    `{"id":"a","pass":true,"message":"${'a'.repeat(70_000)}"}\n{"id":"b","pass":false}\n`,
  'native-deep.jsonl': () => `{"id":"x","pass":true,"metadata":${deep(Math.floor(cap / 2) - 20)}}\n`,
  'promptfoo-deep.json': () => `{"results":{"results":[{"success":true,"vars":${deep(Math.floor(cap / 2) - 40)}}]}}`,
  'promptfoo-deep-invalid.json': () => `{"results":${'['.repeat(Math.floor(cap / 2))}`,
  'promptfoo-one-id.json': () =>
    `{"evalId":"e","results":{"version":3,"results":[${fill('{"testIdx":0,"promptIdx":0,"success":true,"score":1},', cap - 60).slice(0, -1)}]}}`,
  'csv-wide.csv': () => `${fill('Status,', cap / 2)}x\n${fill('[PASS] ok,', cap / 2)}\n`,
  'braintrust-names.jsonl': () =>
    fill(`{"experiment_name":"e","project_name":"p","scores":{"${'s'.repeat(200)}":{"score":1}}}\n`, cap),
  'inspect-bomb-honest.eval': () =>
    zip([
      { name: 'header.json', data: header },
      { name: 'samples/1_epoch_1.json', data: Buffer.alloc(Math.min(cap * 400, 1 << 30), 32) },
    ]),
  'inspect-bomb-lying.eval': () =>
    zip([
      { name: 'header.json', data: header },
      { name: 'samples/1_epoch_1.json', data: Buffer.alloc(Math.min(cap * 400, 1 << 30), 32), declared: 1000 },
    ]),
  'inspect-ratio.eval': () =>
    zip([
      { name: 'header.json', data: header },
      { name: 'samples/1_epoch_1.json', data: Buffer.alloc(60 * 1024 * 1024, 32) },
    ]),
  'inspect-small-bombs.eval': () =>
    zip([
      { name: 'header.json', data: header },
      // each entry just under the 1 MiB the per-entry ratio starts at: the archive budget stops them
      ...Array.from({ length: 300 }, (_, i) => ({
        name: `samples/${i}_epoch_1.json`,
        data: JSON.stringify({ id: `s${i}`, error: 'A'.repeat(1024 * 1024 - 40) }),
      })),
    ]),
  'inspect-many-entries.eval': () =>
    zip([
      { name: 'header.json', data: header },
      ...Array.from({ length: Math.min(65_000, Math.floor(cap / 120)) }, (_, i) => ({
        name: `samples/${i}_epoch_1.json`,
        data: `{"id":${i},"scores":{"s":{"value":"C"}}}`,
      })),
    ]),
};

function run(file) {
  const config = `${dir}/config.yml`;
  // Every readiness bar but the evals passes: the decision is the results' own.
  writeFileSync(
    config,
    [
      'version: 1',
      'service: hostile',
      'risk: { tier: low, bad_output_cost: bench }',
      'evals:',
      `  results: ${file}`,
      '  metrics: [{ name: pass_rate, min: 0.9 }]',
      'deploy: { model: m-2024-01-01, workflow: bench/out/hostile/deploy.yml }',
      'observability: { tracing: otel }',
      'cost: { max_cost_per_request_usd: 1 }',
      'owner: { name: "@alice", oncall: "#oncall" }',
      '',
    ].join('\n'),
  );
  writeFileSync(`${dir}/deploy.yml`, 'on: workflow_dispatch\n');
  const t0 = process.hrtime.bigint();
  const r = spawnSync(
    process.execPath,
    ['--import', './bench/rss.mjs', 'dist/cli.js', 'gate', '--config', config, '--json'],
    {
      encoding: 'utf8',
      maxBuffer: 1 << 28,
      timeout: 60_000,
    },
  );
  const ms = Number(process.hrtime.bigint() - t0) / 1e6;
  const m = /BENCH (\{.*\})/.exec(r.stderr ?? '');
  let decision = 'none';
  let reason = '';
  try {
    const v = JSON.parse(r.stdout);
    decision = v.decision;
    const evals = v.reasons?.filter((x) => x.startsWith('evals'));
    reason = (evals?.length ? evals[evals.length - 1] : (v.reasons?.[0] ?? ''))
      .replace(/^evals: bench\/out\/hostile\/[^:,]+(, )?:? ?/, '')
      .replace(/\s+/g, ' ')
      .slice(0, 160);
  } catch {
    reason =
      `no verdict: exit ${r.status ?? r.signal}: ${(r.stderr ?? '').split('\n').find((l) => l.trim()) ?? ''}`.slice(
        0,
        110,
      );
  }
  return { ms, mb: m ? JSON.parse(m[1]).peakRssMb : NaN, decision, exit: r.status, reason };
}

// The files are written by a child process: a child's peak RSS counts its parent's memory at fork,
// so the measuring process stays small.
if (process.argv[3] === '--write') {
  for (const [name, data] of Object.entries(cases)) writeFileSync(`${dir}/${name}`, data());
  process.exit(0);
}
spawnSync(process.execPath, [process.argv[1], String(cap), '--write'], { stdio: 'inherit' });

const rows = [];
let failed = 0;
for (const name of Object.keys(cases)) {
  const file = `${dir}/${name}`;
  const r = run(file);
  const decided = WELL_FORMED.has(name)
    ? (r.decision === 'allow' && r.exit === 0) || (r.decision === 'block' && r.exit === 1)
    : r.decision === 'block' && r.exit === 2;
  const ok = r.ms <= LIMIT_MS && r.mb <= LIMIT_MB && decided;
  if (!ok) failed++;
  rows.push({ name, bytes: statSync(file).size, ...r, ok });
}
console.log(`\n| hostile file | size | decided | wall (ms) | peak RSS (MB) | reason |`);
console.log('|---|---:|---|---:|---:|---|');
for (const r of rows)
  console.log(
    `| ${r.name} | ${(r.bytes / 1024 / 1024).toFixed(r.bytes < 1e5 ? 3 : 1)} MB | ${r.ok ? '' : '**'}${r.decision} (exit ${r.exit})${r.ok ? '' : '**'} | ${r.ms.toFixed(0)} | ${r.mb.toFixed(0)} | ${r.reason.replace(/\|/g, '\\|').replace(/</g, '&lt;').replace(/>/g, '&gt;')} |`,
  );
if (failed) {
  console.error(
    `\n${failed} hostile file(s) not decided as expected (malformed: block, exit 2) within ${LIMIT_MS} ms and ${LIMIT_MB} MB`,
  );
  process.exit(1);
}
