import { capToUnits } from '../metrics/measure.js';
import { channelOf, metricInfo } from '../metrics/registry.js';
import { isAggregateOnly, type Run } from '../results/model.js';
import type { Pairing } from './pairing.js';
import { normalQuantile, tQuantile, zFor } from '../stats/distributions.js';
import { type Interval } from '../stats/interval.js';
import { bootstrapInterval, pairedQuantileBootstrap, seedFrom } from '../stats/bootstrap.js';
import { diffStats, MIN_UNITS, pairedT } from '../stats/paired-t.js';
import { invertInterval } from '../stats/invert.js';
import { SignFlip } from '../stats/sign-flip.js';
import { newcombeIndependent, newcombePaired, type PairedTable } from '../stats/newcombe.js';

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
  // Too few shared cases (renamed ids, a model swap in the id): compare the runs as two samples
  // rather than waive the margin.
  const shared = pairing?.candRows.length ?? 0;
  if (!pairing || shared < MIN_PAIRED_SHARE * Math.min(cand.cases.size, base.cases.size))
    return twoSample(name, cand, base, higherIsBetter, shared);
  const { candRows, baseRows } = pairing;

  // Pairs in a canonical order (by case id hash), so that no result depends on the order of the lines.
  const order = Array.from(candRows.keys()).sort(
    (x, y) => pairing.cand.cases.hashOf(candRows[x]!) - pairing.cand.cases.hashOf(candRows[y]!),
  );

  if ('rate' in info.measure) {
    const passRate = info.measure.rate === 'passed';
    // error_rate counts attempts: a skipped sample is neither an error nor a success.
    const denominator = (o: { scored: number; errors: number }) => (passRate ? o.scored : o.scored + o.errors);
    const single = everyCaseOnce(pairing, denominator);
    if (single) {
      const table = binaryTable(pairing, passRate, denominator);
      const n = table.a + table.b + table.c + table.d;
      if (n === 0) return { unavailable: 'no paired case has an outcome in both runs' };
      const interval = (conf: number) => newcombePaired(table, conf);
      return {
        estimate: (table.b - table.c) / n,
        interval,
        // One method decides and is shown: the Newcombe interval, inverted at the margin (0 included).
        pWorse: (margin) => invertInterval(interval, margin, higherIsBetter),
        n,
        method: 'Newcombe paired score interval',
        mde: (margin, conf, power = 0.8) => binaryMde((table.b + table.c) / n, n, margin, conf, power),
      };
    }
    // Repeated runs of a case: per-case rates, differences clustered by case.
    const c: number[] = [];
    const b: number[] = [];
    for (const i of order) {
      const oc = pairing.cand.cases.outcomes(candRows[i]!);
      const ob = pairing.base.cases.outcomes(baseRows[i]!);
      if (denominator(oc) === 0 || denominator(ob) === 0) continue;
      c.push((passRate ? oc.passed : oc.errors) / denominator(oc));
      b.push((passRate ? ob.passed : ob.errors) / denominator(ob));
    }
    return meanDifference(
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
  for (const i of order) {
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
    if (pairing.repeats)
      return {
        unavailable: `cases repeat, and a percentile of per-case means is another quantity than the reported ${name}`,
      };
    if (cv.length < MIN_UNITS)
      return {
        unavailable: `a percentile is compared from ${MIN_UNITS} paired cases on (a bootstrap of fewer is not reliable); ${cv.length} paired`,
      };
    return bootstrapped(name, cv, bv, info.measure.quantile, higherIsBetter, 'paired bootstrap of the percentile');
  }
  return meanDifference(cv, bv, higherIsBetter, 'paired');
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

function everyCaseOnce(p: Pairing, denominator: (o: { scored: number; errors: number }) => number): boolean {
  for (let i = 0; i < p.candRows.length; i++) {
    if (
      denominator(p.cand.cases.outcomes(p.candRows[i]!)) > 1 ||
      denominator(p.base.cases.outcomes(p.baseRows[i]!)) > 1
    )
      return false;
  }
  return true;
}

/** 2×2 table of paired single outcomes: for error_rate, "pass" reads "errored". */
function binaryTable(
  p: Pairing,
  passRate: boolean,
  denominator: (o: { scored: number; errors: number }) => number,
): PairedTable {
  const t = { a: 0, b: 0, c: 0, d: 0 };
  for (let i = 0; i < p.candRows.length; i++) {
    const oc = p.cand.cases.outcomes(p.candRows[i]!);
    const ob = p.base.cases.outcomes(p.baseRows[i]!);
    if (denominator(oc) === 0 || denominator(ob) === 0) continue;
    const x = passRate ? oc.passed > 0 : oc.errors > 0;
    const y = passRate ? ob.passed > 0 : ob.errors > 0;
    if (x && y) t.a++;
    else if (x) t.b++;
    else if (y) t.c++;
    else t.d++;
  }
  return t;
}

/**
 * Mean of paired differences: Student t at any n ≥ 2 (the differences of an unchanged system are
 * symmetric, where t holds even for skewed values); no spread below MIN_UNITS pairs is inconclusive.
 */
function meanDifference(
  c: Float64Array,
  b: Float64Array,
  higherIsBetter: boolean,
  what: string,
): Comparison | { unavailable: string } {
  if (c.length === 0) return { unavailable: 'no paired case has an outcome in both runs' };
  if (c.length < 2) return { unavailable: 'one paired case cannot show a difference' };
  const d = new Float64Array(c.length);
  for (let i = 0; i < c.length; i++) d[i] = c[i]! - b[i]!;
  if (d.length < MIN_UNITS) {
    // Few pairs: the exact sign-flip test (t is not exact for the ties and atoms of bounded scores).
    const flips = new SignFlip(d);
    return {
      estimate: flips.estimate,
      interval: (conf) => flips.interval(conf),
      pWorse: (m) => (higherIsBetter ? flips.pBelow(-m) : flips.pAbove(m)),
      n: d.length,
      method: `${what}: exact sign-flip test (fewer than ${MIN_UNITS} pairs)`,
    };
  }
  const s = diffStats(d);
  const interval = (conf: number) => pairedT(s, conf);
  return {
    estimate: s.mean,
    interval,
    pWorse: (m) => invertInterval(interval, m, higherIsBetter),
    n: s.n,
    method: `${what}: paired t interval`,
  };
}

function bootstrapped(
  name: string,
  c: Float64Array,
  b: Float64Array,
  quantile: number,
  higherIsBetter: boolean,
  method: string,
): Comparison {
  // Seeded from the (canonically ordered) data itself: the same content always gives the same interval.
  let sum = 0;
  for (let i = 0; i < c.length; i++) sum += c[i]! * 31 + b[i]!;
  const bs = pairedQuantileBootstrap(c, b, quantile, seedFrom(`${name}:${c.length}:${sum}`));
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

/** Below this share of the smaller run's cases in common, the runs are compared unpaired. */
export const MIN_PAIRED_SHARE = 0.5;

/**
 * Two independent samples (too few cases in common to pair): rates by Newcombe's method 10 for
 * independent proportions, means by Welch's t; a percentile cannot be compared this way.
 */
function twoSample(
  name: string,
  cand: Run,
  base: Run,
  higherIsBetter: boolean,
  shared: number,
): Comparison | { unavailable: string } {
  const info = metricInfo(name)!;
  const why = `unpaired: ${shared} of ${Math.min(cand.cases.size, base.cases.size)} cases in common`;
  const [c, b] = [cand.all, base.all];
  // Each run claims at most its distinct cases as units (repeats are not more evidence).
  if ('rate' in info.measure) {
    const passRate = info.measure.rate === 'passed';
    const [x1, n1] = passRate
      ? capToUnits(c.passed, c.scored, c.units)
      : capToUnits(c.errors, c.total - c.skipped, c.units);
    const [x2, n2] = passRate
      ? capToUnits(b.passed, b.scored, b.units)
      : capToUnits(b.errors, b.total - b.skipped, b.units);
    if (n1 === 0 || n2 === 0) return { unavailable: 'a run has no outcome to compare' };
    const interval = (conf: number) => newcombeIndependent(x1, n1, x2, n2, conf);
    return {
      estimate: x1 / n1 - x2 / n2,
      interval,
      pWorse: (m) => invertInterval(interval, m, higherIsBetter),
      n: Math.min(n1, n2),
      method: `${why}, Newcombe interval for independent proportions`,
    };
  }
  if ('quantile' in info.measure) return { unavailable: `${why}: a percentile is compared on paired cases only` };
  const key = name.startsWith('score.') ? name.slice(6) : undefined;
  const [m1, m2] = key ? [c.named.get(key), b.named.get(key)] : [c[info.measure.mean], b[info.measure.mean]];
  const [k1, k2] = [Math.min(m1?.n ?? 0, c.units ?? Infinity), Math.min(m2?.n ?? 0, b.units ?? Infinity)];
  if (!m1 || !m2 || k1 < 2 || k2 < 2) return { unavailable: `${why}: a run has fewer than 2 cases with ${name}` };
  const v = m1.variance / k1 + m2.variance / k2;
  if (!(v > 0) || Math.min(k1, k2) < MIN_UNITS) {
    return {
      unavailable: `${why}: ${!(v > 0) ? 'no spread in either run' : `Welch's t is used from ${MIN_UNITS} cases a run on`}`,
    };
  }
  const df = v ** 2 / ((m1.variance / k1) ** 2 / (k1 - 1) + (m2.variance / k2) ** 2 / (k2 - 1));
  const estimate = m1.mean - m2.mean;
  const interval = (conf: number): Interval => {
    const half = tQuantile(1 - (1 - conf) / 2, df) * Math.sqrt(v);
    return [estimate - half, estimate + half];
  };
  return {
    estimate,
    interval,
    pWorse: (m) => invertInterval(interval, m, higherIsBetter),
    n: Math.min(k1, k2),
    method: `${why}, Welch t interval`,
  };
}
