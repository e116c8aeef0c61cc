/**
 * How often does the rollout roll back a release that is no worse than what it replaces, and how fast
 * does it catch one that is? Simulates whole staged rollouts tick by tick through the reconciler (the
 * same pure function the action runs), with canary and control traffic drawn at random:
 *   A/A: canary and control share a 2% error rate and one latency distribution (sd 300 ms), under
 *        error_rate max_increase 1 pt, error_rate max 5% and latency_ms max_increase 50 ms;
 *   A/B: the canary's error rate jumps from 0.5% to 5% (control stays at 0.5%).
 * Metrics are counted since the stage began (what a per-stage export gives), read every 15 minutes.
 * Also shown: the naive rule (roll back when a point estimate crosses a bound, at the first look).
 *
 * Usage: node scripts/run-ts.mjs bench/rollout-sim.ts [simulations]
 */
import { type AnalysisMetric, type OnlineMetrics } from '../src/rollout/analysis.js';
import type { Stage } from '../src/rollout/plan.js';
import { reconcile, type DeploymentRecord } from '../src/rollout/reconcile.js';
import { rng } from '../src/stats/bootstrap.js';

const SIMS = Number(process.argv[2] ?? 1000);
const TICK_MS = 15 * 60_000;
const MIN = 60_000;
const STAGES: Stage[] = [
  { percent: 1, minDurationMs: 30 * MIN, minSamples: 200, approval: false },
  { percent: 10, minDurationMs: 60 * MIN, minSamples: 100, approval: false },
  { percent: 50, minDurationMs: 120 * MIN, minSamples: 100, approval: false },
  { percent: 100, minDurationMs: 60 * MIN, minSamples: 100, approval: false },
];
const METRICS: AnalysisMetric[] = [
  { name: 'error_rate', max_increase: 0.01 },
  { name: 'error_rate', max: 0.05 },
  { name: 'latency_ms', max_increase: 50 },
];
const LATENCY = { mean: 900, sd: 300 };

interface Outcome {
  rolledBack: boolean;
  completed: boolean;
  naiveRolledBack: boolean;
  /** Hours from the start to the rollback. */
  hours: number;
  /** Canary requests served before the rollback. */
  exposed: number;
}

/** A binomial draw: exact for small n, normal approximation beyond. */
function binomial(n: number, p: number, random: () => number): number {
  if (n * p * (1 - p) < 25) {
    let x = 0;
    for (let i = 0; i < n; i++) if (random() < p) x += 1;
    return x;
  }
  return Math.max(0, Math.min(n, Math.round(n * p + Math.sqrt(n * p * (1 - p)) * gauss(random))));
}

function gauss(random: () => number): number {
  return Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random());
}

function simulate(perHour: number, canaryError: number, controlError: number, random: () => number): Outcome {
  let now = 0;
  let record: DeploymentRecord | undefined;
  let flag = 0;
  let naive = false;
  let exposed = 0;
  const acc = { c: { n: 0, e: 0, lat: 0 }, k: { n: 0, e: 0, lat: 0 } };
  for (let tick = 0; tick < 200; tick++) {
    // traffic of the last 15 minutes
    const total = Math.round((perHour * TICK_MS) / 3_600_000);
    const nc = flag > 0 ? binomial(total, flag / 100, random) : 0;
    const nk = total - nc;
    for (const [v, n, p] of [
      [acc.c, nc, canaryError],
      [acc.k, nk, controlError],
    ] as const) {
      v.n += n;
      v.e += binomial(n, p, random);
      v.lat += n > 0 ? n * (LATENCY.mean + (LATENCY.sd / Math.sqrt(n)) * gauss(random)) : 0;
    }
    exposed += nc;
    const variant = (v: typeof acc.c) => ({
      requests: v.n,
      counts: { error: v.e },
      means: v.n > 0 ? { latency_ms: v.lat / v.n } : ({} as Record<string, number>),
      sds: { latency_ms: LATENCY.sd },
    });
    const metrics: OnlineMetrics = {
      canary: variant(acc.c),
      ...(flag < 100 ? { control: variant(acc.k) } : {}),
    };
    if (record && flag > 0 && flag < 100 && acc.c.n > 0 && acc.k.n > 0) {
      const c = metrics.canary!;
      const k = metrics.control!;
      const rc = c.counts.error! / c.requests;
      const rk = k.counts.error! / k.requests;
      if (rc - rk > 0.01 || rc > 0.05 || c.means.latency_ms! - k.means.latency_ms! > 50) naive = true;
    }
    const d = reconcile(
      {
        release: 'r',
        deployment: record,
        flag: { percent: flag },
        gateAllowed: true,
        metrics,
        now: new Date(now),
      },
      { stages: STAGES, metrics: METRICS, maxErrors: 3, onRegression: 'rollback' },
    );
    const restart = () => {
      acc.c = { n: 0, e: 0, lat: 0 };
      acc.k = { n: 0, e: 0, lat: 0 };
    };
    if (d.action === 'start' || d.action === 'advance') {
      record = { id: 1, release: 'r', stage: d.stage, stageStartedAt: new Date(now), status: 'active', errors: 0 };
      flag = d.percent;
      restart();
    } else if (d.action === 'rollback') {
      return { rolledBack: true, completed: false, naiveRolledBack: naive, hours: now / 3_600_000, exposed };
    } else if (d.action === 'complete')
      return { rolledBack: false, completed: true, naiveRolledBack: naive, hours: now / 3_600_000, exposed };
    else if (d.action === 'hold' && record) record = { ...record, errors: d.errors };
    now += TICK_MS;
  }
  return { rolledBack: false, completed: false, naiveRolledBack: naive, hours: now / 3_600_000, exposed };
}

const pct = (x: number) => `${(100 * x).toFixed(1)}%`;
const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length ? s[Math.floor(s.length / 2)]! : NaN;
};

console.log(
  `| traffic | case | rolled back | rolled back, naive rule | completed (median time) | time to rollback (median) | canary requests before rollback (median) |`,
);
console.log(`|---:|---|---:|---:|---:|---:|---:|`);
for (const [i, perHour] of [2_000, 20_000, 200_000].entries()) {
  for (const [j, [label, canary, control]] of (
    [
      ['A/A: 2% errors both', 0.02, 0.02],
      ['A/B: 0.5% → 5% errors', 0.05, 0.005],
    ] as const
  ).entries()) {
    const random = rng(1000 * i + j + 1);
    const runs = Array.from({ length: SIMS }, () => simulate(perHour, canary, control, random));
    const back = runs.filter((r) => r.rolledBack);
    const done = runs.filter((r) => r.completed);
    const hours = (rs: Outcome[]) => (rs.length ? `${median(rs.map((r) => r.hours)).toFixed(1)} h` : '—');
    console.log(
      `| ${perHour.toLocaleString('en-US')}/h | ${label} | ${pct(back.length / SIMS)} | ${pct(runs.filter((r) => r.naiveRolledBack).length / SIMS)} | ${pct(done.length / SIMS)} (${hours(done)}) | ${hours(back)} | ${back.length ? Math.round(median(back.map((r) => r.exposed))).toLocaleString('en-US') : '—'} |`,
    );
  }
}
console.log(`\n(${SIMS} simulated rollouts per row; stages 1/10/50/100%, ticks every 15 minutes.)`);
