import { binomialCdf, binomialPmf, normalQuantile, tQuantile, zFor } from './distributions.js';
import { wilson, type Interval } from './intervals.js';

/**
 * Paired 2×2 table of candidate vs baseline on the same cases:
 * a = both pass, b = only the candidate passes, c = only the baseline passes, d = both fail.
 */
export interface PairedTable {
  a: number;
  b: number;
  c: number;
  d: number;
}

/**
 * Newcombe's (1998) method 10, the square-and-add Wilson score interval for the difference of
 * paired proportions (candidate − baseline = (b − c) / N), with his continuity-corrected φ.
 */
export function newcombePaired({ a, b, c, d }: PairedTable, confidence = 0.95): Interval {
  const n = a + b + c + d;
  if (n === 0) return [-1, 1];
  const r1 = a + b; // candidate passes
  const r2 = c + d;
  const c1 = a + c; // baseline passes
  const c2 = b + d;
  const p1 = r1 / n;
  const p2 = c1 / n;
  const [l1, u1] = wilson(r1, n, confidence);
  const [l2, u2] = wilson(c1, n, confidence);
  let phi = 0;
  if (r1 > 0 && r2 > 0 && c1 > 0 && c2 > 0) {
    const A = a * d - b * c;
    const denom = Math.sqrt(r1 * r2 * c1 * c2);
    phi = A > n / 2 ? (A - n / 2) / denom : A >= 0 ? 0 : A / denom;
  }
  const est = p1 - p2;
  const low = est - Math.sqrt(Math.max(0, (p1 - l1) ** 2 + (u2 - p2) ** 2 - 2 * phi * (p1 - l1) * (u2 - p2)));
  const high = est + Math.sqrt(Math.max(0, (p2 - l2) ** 2 + (u1 - p1) ** 2 - 2 * phi * (p2 - l2) * (u1 - p1)));
  return [Math.max(-1, low), Math.min(1, high)];
}

/** McNemar's exact conditional test, two-sided: 2 × P(X ≤ min(b, c)), X ~ Bin(b + c, 1/2). */
export function mcnemarExact(b: number, c: number): number {
  const n = b + c;
  if (n === 0) return 1;
  return Math.min(1, 2 * binomialCdf(Math.min(b, c), n, 0.5));
}

/** McNemar's mid-p test, two-sided (Fagerland, Lydersen & Laake 2013). */
export function mcnemarMidP(b: number, c: number): number {
  const n = b + c;
  if (n === 0) return 1;
  if (b === c) return 1 - 0.5 * binomialPmf(b, n, 0.5);
  return mcnemarExact(b, c) - binomialPmf(b, n, 0.5);
}

/**
 * One-sided mid-p for "the candidate is worse" (more cases only the baseline passes):
 * P(X ≤ b) − ½ P(X = b), X ~ Bin(b + c, 1/2). Small when c ≫ b.
 */
export function mcnemarMidPWorse(b: number, c: number): number {
  const n = b + c;
  if (n === 0) return 1;
  return binomialCdf(b, n, 0.5) - 0.5 * binomialPmf(b, n, 0.5);
}

/** Mean and spread of paired differences (candidate − baseline, one per case). */
export interface DiffStats {
  n: number;
  mean: number;
  sd: number;
  /** Sample skewness (0 when undefined). */
  skew: number;
}

export function diffStats(d: ArrayLike<number>): DiffStats {
  const n = d.length;
  if (n === 0) return { n: 0, mean: NaN, sd: NaN, skew: 0 };
  let mean = 0;
  for (let i = 0; i < n; i++) mean += d[i]!;
  mean /= n;
  let m2 = 0;
  let m3 = 0;
  for (let i = 0; i < n; i++) {
    const x = d[i]! - mean;
    m2 += x * x;
    m3 += x * x * x;
  }
  const sd = n > 1 ? Math.sqrt(m2 / (n - 1)) : NaN;
  const pop = m2 / n;
  return { n, mean, sd, skew: pop > 0 ? m3 / n / pop ** 1.5 : 0 };
}

/** Paired t interval for the mean difference; unbounded below two pairs. */
export function pairedT(s: DiffStats, confidence = 0.95): Interval {
  if (s.n < 2) return [-Infinity, Infinity];
  if (s.sd === 0) return [s.mean, s.mean];
  const half = tQuantile(1 - (1 - confidence) / 2, s.n - 1) * (s.sd / Math.sqrt(s.n));
  return [s.mean - half, s.mean + half];
}

/** Deterministic PRNG (mulberry32): a rerun on the same data gives the same bootstrap. */
export function rng(seed: number): () => number {
  let t = seed >>> 0;
  return () => {
    t = (t + 0x6d2b79f5) >>> 0;
    let r = Math.imul(t ^ (t >>> 15), 1 | t);
    r = (r + Math.imul(r ^ (r >>> 7), 61 | r)) ^ r;
    return ((r ^ (r >>> 14)) >>> 0) / 4294967296;
  };
}

/** A seed from text (the metric name and the data size), so each metric's bootstrap is stable. */
export function seedFrom(text: string): number {
  let h = 2166136261;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 16777619);
  return h >>> 0;
}

/** Bootstrap replicates of a paired statistic, sorted (for percentile intervals at any level). */
export interface Bootstrap {
  estimate: number;
  replicates: Float64Array;
  /** Replicates were computed on a subsample of m of n pairs; widths scale by sqrt(m / n). */
  scale: number;
}

/**
 * Paired bootstrap: resample cases (pairs) with replacement and recompute
 * stat(candidate) − stat(baseline). Above `maxPairs` pairs, replicates come from a random
 * subsample of `maxPairs` pairs and their spread is scaled by sqrt(m / n) (m-out-of-n), which keeps
 * the cost bounded for very large suites.
 */
export function pairedBootstrap(
  cand: Float64Array,
  base: Float64Array,
  stat: (values: Float64Array) => number,
  seed: number,
  replicates = 1000,
  maxPairs = 5000,
): Bootstrap {
  const n = cand.length;
  const estimate = stat(cand) - stat(base);
  const random = rng(seed);
  let c = cand;
  let b = base;
  let scale = 1;
  if (n > maxPairs) {
    c = new Float64Array(maxPairs);
    b = new Float64Array(maxPairs);
    for (let i = 0; i < maxPairs; i++) {
      const j = Math.floor(random() * n);
      c[i] = cand[j]!;
      b[i] = base[j]!;
    }
    scale = Math.sqrt(maxPairs / n);
  }
  const m = c.length;
  const rc = new Float64Array(m);
  const rb = new Float64Array(m);
  const out = new Float64Array(replicates);
  const centre = stat(c) - stat(b);
  for (let r = 0; r < replicates; r++) {
    for (let i = 0; i < m; i++) {
      const j = Math.floor(random() * m);
      rc[i] = c[j]!;
      rb[i] = b[j]!;
    }
    // Scaled deviations around the full-data estimate.
    out[r] = estimate + (stat(rc) - stat(rb) - centre) * scale;
  }
  out.sort();
  return { estimate, replicates: out, scale };
}

/** Percentile interval from bootstrap replicates. */
export function bootstrapInterval(bs: Bootstrap, confidence = 0.95): Interval {
  const r = bs.replicates;
  if (r.length === 0) return [-Infinity, Infinity];
  const alpha = (1 - confidence) / 2;
  const at = (q: number) => r[Math.min(r.length - 1, Math.max(0, Math.round(q * (r.length - 1))))]!;
  return [at(alpha), at(1 - alpha)];
}

/**
 * One-sided p-value of a regression beyond a margin, by inverting an interval family: the tail
 * area α at which the interval's bound just reaches the margin. `worseIsLower`: a higher-is-better
 * metric (regression = the difference falls below −margin).
 */
export function invertInterval(interval: (confidence: number) => Interval, margin: number, worseIsLower: boolean): number {
  const bound = (conf: number) => (worseIsLower ? interval(conf)[1] : -interval(conf)[0]);
  const target = -margin;
  // At confidence → 0 the interval shrinks to the estimate: on the good side there is no evidence.
  if (bound(1e-9) >= target) return 1;
  if (bound(1 - 1e-12) < target) return 0;
  let lo = 1e-9;
  let hi = 1 - 1e-12;
  for (let i = 0; i < 60; i++) {
    const mid = (lo + hi) / 2;
    if (bound(mid) < target) lo = mid;
    else hi = mid;
  }
  return (1 - lo) / 2;
}

/** Holm's step-down procedure: which hypotheses are rejected at family-wise level alpha. */
export function holm(pValues: readonly number[], alpha: number): boolean[] {
  const order = pValues.map((p, i) => [p, i] as const).sort((x, y) => x[0] - y[0]);
  const m = pValues.length;
  const rejected = new Array<boolean>(m).fill(false);
  for (let k = 0; k < m; k++) {
    const [p, i] = order[k]!;
    if (p > alpha / (m - k)) break;
    rejected[i] = true;
  }
  return rejected;
}

/**
 * The smallest true regression the suite would detect with the given power: margin plus
 * (z_{1−α} + z_{power}) standard errors, with the standard error read off the interval's width.
 */
export function minimumDetectable(ci: Interval, margin: number, confidence: number, power = 0.8): number {
  const se = (ci[1] - ci[0]) / (2 * zFor(confidence));
  return margin + (zFor(confidence) + normalQuantile(power)) * se;
}
