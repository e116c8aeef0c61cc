/**
 * How often does the gate cry wolf, and how often does it catch a real drop? Simulates many
 * baseline/candidate pairs of a pass/fail suite judged by a noisy grader, and prints, in one run,
 * the false-block rate (A/A: same system) and the power (A/B: a real drop) of the gate next to the
 * naive rule "block when the point drop exceeds max_drop".
 *
 * Usage: node scripts/run-ts.mjs bench/verdict-quality.ts [simulations]
 */
import { parseConfig } from '../__tests__/helpers.js';
import { decide } from '../src/gate/decide.js';
import { RunBuilder, type Run } from '../src/results/model.js';
import { rng } from '../src/stats/bootstrap.js';

const SIMS = Number(process.argv[2] ?? 400);
const CONFIDENCE = 0.95;
const edgeConfig = (metrics: string, slices = '') => `version: 1
service: bench
risk: { tier: low, bad_output_cost: "bench" }
evals:
  results: r.jsonl
  statistics: { confidence: ${CONFIDENCE} }
  metrics:
${metrics}
${slices}
`;

/** The gate on a candidate and baseline run, as the action would judge them. */
function verdictOf(yaml: string, cand: Run, base: Run) {
  return decide({
    config: parseConfig(yaml, 'bench.yml'),
    run: cand,
    baseline: base,
    facts: { fileExists: () => true, commits: [] },
    inputs: { config: 'bench.yml', results: [], baseline: null, format: 'native' },
  });
}

const configFor = (margin: number) => edgeConfig(`    - { name: pass_rate, max_drop: ${margin} }`);

/** Case difficulty: each case passes with its own probability (Beta-like mix around `mean`). */
function difficulties(n: number, mean: number, random: () => number): Float64Array {
  const p = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    // A mixture: most cases are easy, some are coin flips for the noisy judge, a few are hard.
    const u = random();
    p[i] = u < 0.7 ? Math.min(1, mean + 0.12) : u < 0.9 ? 0.6 : 0.2;
  }
  // Re-centre to the requested mean.
  const m = p.reduce((s, x) => s + x, 0) / n;
  for (let i = 0; i < n; i++) p[i] = Math.max(0, Math.min(1, p[i]! + (mean - m)));
  return p;
}

function draw(p: Float64Array, drop: number, random: () => number): Run {
  const b = new RunBuilder({ pairing: true });
  for (let i = 0; i < p.length; i++) {
    b.add({
      id: `case-${i}`,
      outcome: random() < Math.max(0, p[i]! - drop) ? 'pass' : 'fail',
      scores: {},
      tags: [],
      repeat: 0,
    });
  }
  return b.build('native', ['r.jsonl'], {});
}

function judge(margin: number, cand: Run, base: Run): { gateBlocks: boolean; naiveBlocks: boolean; mde: number } {
  const v = verdictOf(configFor(margin), cand, base);
  const m = v.metrics[0]!;
  const naiveDrop = base.all.passed / base.all.scored - cand.all.passed / cand.all.scored;
  return { gateBlocks: m.status === 'fail', naiveBlocks: naiveDrop > margin, mde: m.mde ?? NaN };
}

const rows: string[] = [];
for (const margin of [0, 0.02])
  for (const n of [200, 500, 2000]) {
    const random = rng(1000 + n);
    // A/A: the same system twice; the grader's noise is the only difference.
    let gateFalse = 0;
    let naiveFalse = 0;
    const mdes: number[] = [];
    for (let s = 0; s < SIMS; s++) {
      const p = difficulties(n, 0.85, random);
      const r = judge(margin, draw(p, 0, random), draw(p, 0, random));
      gateFalse += Number(r.gateBlocks);
      naiveFalse += Number(r.naiveBlocks);
      mdes.push(r.mde);
    }
    mdes.sort((a, b) => a - b);
    const mde = mdes[Math.floor(mdes.length / 2)]!;
    // A/B: a real drop as large as the median MDE the gate reported for this suite size.
    let gateCaught = 0;
    let naiveCaught = 0;
    for (let s = 0; s < SIMS; s++) {
      const p = difficulties(n, 0.85, random);
      const r = judge(margin, draw(p, mde, random), draw(p, 0, random));
      gateCaught += Number(r.gateBlocks);
      naiveCaught += Number(r.naiveBlocks);
    }
    const pct = (x: number) => `${((100 * x) / SIMS).toFixed(1)}%`;
    rows.push(
      `| ${margin * 100} pts | ${n} | ${pct(gateFalse)} | ${pct(naiveFalse)} | ${(mde * 100).toFixed(1)} pts | ${pct(gateCaught)} | ${pct(naiveCaught)} |`,
    );
  }

console.log(
  `\n${SIMS} simulations per cell; pass rate 85%, confidence ${CONFIDENCE}; targets: false blocks ≤ ${((1 - CONFIDENCE) * 100).toFixed(0)}%, power ≥ 80% at the MDE\n`,
);
console.log(
  '| max_drop | cases | false blocks, gate (A/A) | false blocks, naive | reported MDE (median) | power at MDE, gate | power at MDE, naive |',
);
console.log('|---:|---:|---:|---:|---:|---:|---:|');
for (const r of rows) console.log(r);

// ---------------------------------------------------------------------------------------------
// The edges: A/A false blocks at tiny sizes for each kind of metric, and family-wise control.

/** One run of `n` cases: per-case truth from `truth`, a fresh draw of noise each run. */
function edgeRun(n: number, truth: Truth, random: () => number, shift: Partial<Record<keyof Truth, number>> = {}): Run {
  const b = new RunBuilder({
    pairing: true,
    pairedChannels: ['score.s1', 'score.s2', 'score.s3', 'score.s4', 'score.s5', 'score.s6', 'score.s7', 'score.s8'],
  });
  const noise = () => Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random());
  for (let i = 0; i < n; i++) {
    const scores: Record<string, number> = {};
    for (let k = 1; k <= 8; k++) scores[`s${k}`] = Math.min(1, Math.max(0, truth.score[i]! + 0.1 * noise()));
    b.add({
      id: `case-${i}`,
      outcome: random() < truth.pass[i]! - (shift.pass ?? 0) ? 'pass' : 'fail',
      score: Math.min(1, Math.max(0, truth.score[i]! - (shift.score ?? 0) + 0.1 * noise())),
      scores,
      tags: i % 2 === 0 ? ['even'] : [],
      latencyMs: truth.latency[i]! * Math.exp(0.2 * noise()),
      costUsd: truth.cost[i]! * Math.exp(0.1 * noise()),
      repeat: 0,
    });
  }
  return b.build('native', ['r.jsonl'], {});
}

interface Truth {
  pass: Float64Array;
  score: Float64Array;
  latency: Float64Array;
  cost: Float64Array;
}

function truthOf(n: number, random: () => number): Truth {
  const noise = () => Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random());
  return {
    pass: difficulties(n, 0.85, random),
    score: Float64Array.from({ length: n }, () => 0.3 + 0.6 * random()),
    latency: Float64Array.from({ length: n }, () => Math.exp(6.5 + 0.5 * noise())),
    cost: Float64Array.from({ length: n }, () => Math.exp(-6.5 + 0.7 * noise())),
  };
}

const EDGE_SIMS = Math.max(100, SIMS);
const pctOf = (x: number, of = EDGE_SIMS) => `${((100 * x) / of).toFixed(1)}%`;
const kinds: [string, string][] = [
  ['pass_rate', '    - { name: pass_rate, max_drop: 0 }'],
  ['score', '    - { name: score, max_drop: 0 }'],
  ['latency_p95_ms', '    - { name: latency_p95_ms, max_increase: 0 }'],
  ['cost_per_sample_usd', '    - { name: cost_per_sample_usd, max_increase: 0 }'],
];
const sizes = [1, 2, 3, 5, 10, 30, 200];
console.log(
  `\nA/A false blocks by suite size (margin 0, nominal ${((1 - CONFIDENCE) * 50).toFixed(1)}% one-sided; ${EDGE_SIMS} simulations each)\n`,
);
console.log(`| metric | ${sizes.map((n) => `n = ${n}`).join(' | ')} |`);
console.log(`|---|${sizes.map(() => '---:').join('|')}|`);
for (const [name, metric] of kinds) {
  const cells = sizes.map((n) => {
    const random = rng(7000 + n * 13 + name.length);
    let blocks = 0;
    for (let s = 0; s < EDGE_SIMS; s++) {
      const truth = truthOf(n, random);
      const v = verdictOf(edgeConfig(metric), edgeRun(n, truth, random), edgeRun(n, truth, random));
      blocks += Number(v.metrics[0]!.status === 'fail');
    }
    return pctOf(blocks);
  });
  console.log(`| ${name} | ${cells.join(' | ')} |`);
}

// Family-wise: ten margins at once (A/A), eight slices each exactly at its bar, and the power at
// the MDE the gate reports with the whole family in it.
{
  const n = 200;
  const family = [
    '    - { name: pass_rate, max_drop: 0 }',
    '    - { name: score, max_drop: 0 }',
    ...Array.from({ length: 8 }, (_, k) => `    - { name: score.s${k + 1}, max_drop: 0 }`),
  ].join('\n');
  const random = rng(9001);
  let anyFalse = 0;
  const mdes: number[] = [];
  for (let s = 0; s < EDGE_SIMS; s++) {
    const truth = truthOf(n, random);
    const v = verdictOf(edgeConfig(family), edgeRun(n, truth, random), edgeRun(n, truth, random));
    anyFalse += Number(v.metrics.some((m) => m.status === 'fail'));
    mdes.push(v.metrics[0]!.mde ?? NaN);
  }
  mdes.sort((a, b) => a - b);
  const mde = mdes[Math.floor(mdes.length / 2)]!;
  let caught = 0;
  for (let s = 0; s < EDGE_SIMS; s++) {
    const truth = truthOf(n, random);
    const v = verdictOf(edgeConfig(family), edgeRun(n, truth, random, { pass: mde }), edgeRun(n, truth, random));
    caught += Number(v.metrics[0]!.status === 'fail');
  }
  // eight slices (tags) whose true pass rate equals their bar: the gate must not fail any of them
  // more often than α in all
  let sliceFalse = 0;
  for (let s = 0; s < EDGE_SIMS; s++) {
    const b = new RunBuilder({ sliceTags: Array.from({ length: 8 }, (_, k) => `t${k}`) });
    for (let i = 0; i < 8 * 100; i++)
      b.add({ id: `c${i}`, outcome: random() < 0.9 ? 'pass' : 'fail', scores: {}, tags: [`t${i % 8}`], repeat: 0 });
    const slices = `  slices:\n${Array.from({ length: 8 }, (_, k) => `    - { tag: t${k}, metrics: [{ name: pass_rate, min: 0.9 }] }`).join('\n')}`;
    const v = verdictOf(
      edgeConfig('    - { name: pass_rate, min: 0.5 }', slices),
      b.build('native', ['r.jsonl'], {}),
      b.build('native', ['r.jsonl'], {}),
    );
    sliceFalse += Number(v.metrics.some((m) => m.slice !== undefined && m.status === 'fail'));
  }
  console.log(
    `\nFamilies (${EDGE_SIMS} simulations, ${n} cases): target ≤ ${((1 - CONFIDENCE) * 50).toFixed(1)}% family-wise, power ≥ 80%\n`,
  );
  console.log('| family | false blocks anywhere (A/A) | reported MDE of pass_rate (median) | power at that MDE |');
  console.log('|---|---:|---:|---:|');
  console.log(
    `| 10 margins (pass_rate, score, 8 named scores) | ${pctOf(anyFalse)} | ${(100 * mde).toFixed(1)} pts | ${pctOf(caught)} |`,
  );
  console.log(
    `| 8 slices, each at its bar (pass_rate min 0.9, true 0.9, 100 cases each) | ${pctOf(sliceFalse)} | — | — |`,
  );
}
