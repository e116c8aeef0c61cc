import { channelOf, metricInfo } from '../metrics/registry.js';
import { isAggregateOnly, type Run } from '../results/model.js';
import type { Pairing } from './pairing.js';
import { normalQuantile, zFor } from '../stats/distributions.js';
import { quantile } from '../stats/quantile.js';
import { type Interval } from '../stats/interval.js';
import { bootstrapInterval, pairedBootstrap, seedFrom } from '../stats/bootstrap.js';
import { diffStats, pairedT } from '../stats/paired-t.js';
import { invertInterval } from '../stats/invert.js';
import { mcnemarMidPWorse } from '../stats/mcnemar.js';
import { newcombePaired, type PairedTable } from '../stats/newcombe.js';

/** The difference candidate − baseline of one metric, with an interval at any confidence. */
export interface Comparison {
  estimate: number;
  interval(confidence: number): Interval;
  /** One-sided p-value of a regression beyond `margin` (a drop for higher-is-better metrics). */
  pWorse(margin: number): number;
  /** Pairs (or, unpaired, the smaller sample) behind the comparison. */
  n: number;
  method: string;
  /** The smallest true regression detected with `power` (when the method knows better than the interval width). */
  mde?(margin: number, confidence: number, power?: number): number;
}

/** The per-case channel each metric with a margin needs kept (beyond score, latency and cost). */
export function channelsFor(names: readonly string[]): string[] {
  return names
    .map(channelOf)
    .filter((c): c is string => c !== undefined && c !== 'score' && c !== 'latency' && c !== 'cost');
}

const mean = (v: Float64Array) => {
  let s = 0;
  for (let i = 0; i < v.length; i++) s += v[i]!;
  return s / v.length;
};
const quantileOf = (p: number) => (v: Float64Array) => quantile(Float64Array.from(v).sort(), p);

/**
 * Compare one metric: paired on case ids where both runs have cases, unpaired on reported
 * aggregates (estimate ± stderr) where they are aggregate-only, else why it cannot be compared.
 */
export function compareMetric(
  name: string,
  pairing: Pairing | undefined,
  cand: Run,
  base: Run,
): Comparison | { unavailable: string } {
  const info = metricInfo(name);
  if (!info) return { unavailable: `${name} is not a metric the gate knows` };
  const higherIsBetter = info.higherIsBetter;
  if (isAggregateOnly(cand) || isAggregateOnly(base)) return unpaired(name, cand, base, higherIsBetter);
  if (!pairing || pairing.candRows.length === 0)
    return { unavailable: 'no case is in both the candidate and the baseline, so there is nothing to pair' };
  const { candRows, baseRows } = pairing;

  if ('rate' in info.measure) {
    const passRate = info.measure.rate === 'passed';
    const single = everyCaseOnce(pairing, passRate ? 'scored' : 'n');
    if (single) {
      const table = binaryTable(pairing, passRate);
      const n = table.a + table.b + table.c + table.d;
      if (n === 0) return { unavailable: 'no paired case has an outcome in both runs' };
      const interval = (conf: number) => newcombePaired(table, conf);
      return {
        estimate: (table.b - table.c) / n,
        interval,
        // With no margin, McNemar's mid-p on the discordant cases; with one, the Newcombe interval inverted.
        pWorse: (margin) =>
          margin === 0
            ? higherIsBetter
              ? mcnemarMidPWorse(table.b, table.c)
              : mcnemarMidPWorse(table.c, table.b)
            : invertInterval(interval, margin, higherIsBetter),
        n,
        method: 'Newcombe paired score interval, McNemar mid-p',
        mde: (margin, conf, power = 0.8) => binaryMde((table.b + table.c) / n, n, margin, conf, power),
      };
    }
    // Repeated runs of a case: per-case rates, differences clustered by case.
    const c: number[] = [];
    const b: number[] = [];
    for (let i = 0; i < candRows.length; i++) {
      const oc = pairing.cand.cases.outcomes(candRows[i]!);
      const ob = pairing.base.cases.outcomes(baseRows[i]!);
      if (passRate ? oc.scored === 0 || ob.scored === 0 : oc.n === 0 || ob.n === 0) continue;
      c.push(passRate ? oc.passed / oc.scored : oc.errors / oc.n);
      b.push(passRate ? ob.passed / ob.scored : ob.errors / ob.n);
    }
    return meanDifference(
      name,
      Float64Array.from(c),
      Float64Array.from(b),
      higherIsBetter,
      'per-case rates, clustered by case',
    );
  }

  const channel = channelOf(name);
  if (!channel || !pairing.cand.cases.hasChannel(channel) || !pairing.base.cases.hasChannel(channel)) {
    return { unavailable: `per-case values of ${name} were not kept` };
  }
  const c: number[] = [];
  const b: number[] = [];
  for (let i = 0; i < candRows.length; i++) {
    const x = pairing.cand.cases.mean(candRows[i]!, channel);
    const y = pairing.base.cases.mean(baseRows[i]!, channel);
    if (Number.isNaN(x) || Number.isNaN(y)) continue;
    c.push(x);
    b.push(y);
  }
  if (c.length === 0) return { unavailable: `no paired case has ${name} in both runs` };
  const cv = Float64Array.from(c);
  const bv = Float64Array.from(b);
  if ('quantile' in info.measure) {
    return bootstrapped(
      name,
      cv,
      bv,
      quantileOf(info.measure.quantile),
      higherIsBetter,
      'paired bootstrap of the percentile',
    );
  }
  if (info.compare === 'bootstrap-mean')
    return bootstrapped(name, cv, bv, mean, higherIsBetter, 'paired bootstrap of the mean');
  return meanDifference(name, cv, bv, higherIsBetter, 'paired');
}

/**
 * Minimum detectable drop of a paired pass rate: D = margin + (z_{1−α} + z_{power})·se(D), where a
 * true drop D adds up to D to the discordant share π, so se(D) = sqrt((π + D − D²) / n). The
 * variance is taken under the alternative, not under "no change", or the claimed power is not met.
 */
export function binaryMde(discordant: number, n: number, margin: number, confidence: number, power: number): number {
  const k = zFor(confidence) + normalQuantile(power);
  let d = margin;
  for (let i = 0; i < 50; i++) d = margin + k * Math.sqrt(Math.max(0, discordant + d - d * d) / n);
  return Math.min(1, d);
}

function everyCaseOnce(p: Pairing, key: 'scored' | 'n'): boolean {
  for (let i = 0; i < p.candRows.length; i++) {
    if (p.cand.cases.outcomes(p.candRows[i]!)[key] > 1 || p.base.cases.outcomes(p.baseRows[i]!)[key] > 1) return false;
  }
  return true;
}

/** 2×2 table of paired single outcomes: for error_rate, "pass" reads "errored". */
function binaryTable(p: Pairing, passRate: boolean): PairedTable {
  const t = { a: 0, b: 0, c: 0, d: 0 };
  for (let i = 0; i < p.candRows.length; i++) {
    const oc = p.cand.cases.outcomes(p.candRows[i]!);
    const ob = p.base.cases.outcomes(p.baseRows[i]!);
    let x: boolean;
    let y: boolean;
    if (passRate) {
      if (oc.scored === 0 || ob.scored === 0) continue;
      x = oc.passed > 0;
      y = ob.passed > 0;
    } else {
      if (oc.n === 0 || ob.n === 0) continue;
      x = oc.errors > 0;
      y = ob.errors > 0;
    }
    if (x && y) t.a++;
    else if (x) t.b++;
    else if (y) t.c++;
    else t.d++;
  }
  return t;
}

/** Mean of paired differences: t interval for 30+ pairs without heavy skew, else a bootstrap. */
function meanDifference(
  name: string,
  c: Float64Array,
  b: Float64Array,
  higherIsBetter: boolean,
  what: string,
): Comparison | { unavailable: string } {
  if (c.length === 0) return { unavailable: 'no paired case has an outcome in both runs' };
  const d = new Float64Array(c.length);
  for (let i = 0; i < c.length; i++) d[i] = c[i]! - b[i]!;
  const s = diffStats(d);
  if (s.n >= 30 && Math.abs(s.skew) < 2) {
    const interval = (conf: number) => pairedT(s, conf);
    return {
      estimate: s.mean,
      interval,
      pWorse: (m) => invertInterval(interval, m, higherIsBetter),
      n: s.n,
      method: `${what}: paired t interval`,
    };
  }
  return bootstrapped(name, c, b, mean, higherIsBetter, `${what}: paired bootstrap (small or skewed)`);
}

function bootstrapped(
  name: string,
  c: Float64Array,
  b: Float64Array,
  stat: (v: Float64Array) => number,
  higherIsBetter: boolean,
  method: string,
): Comparison {
  const bs = pairedBootstrap(c, b, stat, seedFrom(`${name}:${c.length}`));
  const interval = (conf: number) => bootstrapInterval(bs, conf);
  return {
    estimate: bs.estimate,
    interval,
    pWorse: (m) => invertInterval(interval, m, higherIsBetter),
    n: c.length,
    method,
  };
}

/** Aggregate-only runs: the difference of reported values, its stderr from both (independent). */
function unpaired(name: string, cand: Run, base: Run, higherIsBetter: boolean): Comparison | { unavailable: string } {
  const key = name.startsWith('score.') ? name.slice(6) : undefined;
  const a = key ? cand.aggregates.get(key) : undefined;
  const b = key ? base.aggregates.get(key) : undefined;
  if (!a || !b)
    return {
      unavailable:
        'aggregate-only results: per-sample comparison is not possible, and the reported aggregates do not both have this metric',
    };
  if (a.stderr === undefined || b.stderr === undefined) {
    return {
      unavailable:
        'aggregate-only results without a standard error on both sides: per-sample comparison is not possible',
    };
  }
  const se = Math.sqrt(a.stderr ** 2 + b.stderr ** 2);
  const estimate = a.value - b.value;
  const interval = (conf: number): Interval => [estimate - zFor(conf) * se, estimate + zFor(conf) * se];
  return {
    estimate,
    interval,
    pWorse: (m) => invertInterval(interval, m, higherIsBetter),
    n: Math.min(a.n ?? 0, b.n ?? 0),
    method: 'unpaired, from the reported standard errors',
  };
}
