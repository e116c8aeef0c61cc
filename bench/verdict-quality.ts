/**
 * How often does the gate cry wolf, and how often does it catch a real drop? Simulates many
 * baseline/candidate pairs of a pass/fail suite judged by a noisy grader, and prints, in one run,
 * the false-block rate (A/A: same system) and the power (A/B: a real drop) of the gate next to the
 * naive rule "block when the point drop exceeds max_drop".
 *
 * Usage: node scripts/run-ts.mjs bench/verdict-quality.ts [simulations]
 */
import { parseConfig } from '../src/config/load.js';
import { decide } from '../src/gate/decide.js';
import { RunBuilder, type Run } from '../src/results/model.js';
import { rng } from '../src/stats/bootstrap.js';

const SIMS = Number(process.argv[2] ?? 400);
const CONFIDENCE = 0.95;
const configFor = (margin: number) =>
  parseConfig(
    `version: 1
service: bench
risk: { tier: low, bad_output_cost: "bench" }
evals:
  results: r.jsonl
  statistics: { confidence: ${CONFIDENCE} }
  metrics:
    - { name: pass_rate, max_drop: ${margin} }
`,
    'bench.yml',
  );

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
  const v = decide({
    config: configFor(margin),
    run: cand,
    baseline: base,
    facts: { fileExists: () => true, commits: [] },
    inputs: { config: 'bench.yml', results: [], baseline: null, format: 'native' },
  });
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
