import { tQuantile, zFor } from './distributions.js';

export type Interval = [number, number];

/**
 * Wilson score interval for a binomial proportion (Newcombe 1998, method 3: no continuity
 * correction). Defined for n = 0 as the whole [0, 1]: no evidence either way.
 */
export function wilson(successes: number, n: number, confidence = 0.95): Interval {
  if (n <= 0) return [0, 1];
  const z = zFor(confidence);
  const p = successes / n;
  const z2 = z * z;
  const denom = 2 * (n + z2);
  const centre = 2 * n * p + z2;
  const spread = z * Math.sqrt(z2 + 4 * n * p * (1 - p));
  // At the boundaries the closed form is exact; clamp only floating-point residue.
  const low = successes === 0 ? 0 : Math.max(0, (centre - spread) / denom);
  const high = successes === n ? 1 : Math.min(1, (centre + spread) / denom);
  return [low, high];
}

/** Welford running moments: mean and variance in one pass, no stored values. */
export class Moments {
  n = 0;
  mean = 0;
  /** Every value so far is 0 or 1: the mean is a proportion and gets a Wilson interval. */
  binary = true;
  private m2 = 0;
  add(x: number): void {
    if (x !== 0 && x !== 1) this.binary = false;
    this.n += 1;
    const d = x - this.mean;
    this.mean += d / this.n;
    this.m2 += d * (x - this.mean);
  }
  get variance(): number {
    return this.n > 1 ? this.m2 / (this.n - 1) : NaN;
  }
}

/**
 * Interval for a mean: Wilson when every value is 0 or 1 (a t interval would claim certainty from
 * a run of identical values), else Student t; unbounded below two observations.
 */
export function meanInterval(m: Moments, confidence = 0.95): Interval {
  if (m.n > 0 && m.binary) return wilson(Math.round(m.mean * m.n), m.n, confidence);
  if (m.n < 2) return [-Infinity, Infinity];
  const half = tQuantile(1 - (1 - confidence) / 2, m.n - 1) * Math.sqrt(m.variance / m.n);
  return [m.mean - half, m.mean + half];
}

/** Quantile of sorted values, linear interpolation between order statistics (R type 7). */
export function quantile(sorted: ArrayLike<number>, p: number): number {
  const n = sorted.length;
  if (n === 0) return NaN;
  const h = (n - 1) * p;
  const lo = Math.floor(h);
  const hi = Math.min(lo + 1, n - 1);
  return sorted[lo]! + (h - lo) * (sorted[hi]! - sorted[lo]!);
}

/**
 * Distribution-free interval for a quantile from order statistics (normal approximation to the
 * binomial ranks). An end that falls outside the data is unbounded: the suite cannot bound it.
 */
export function quantileInterval(sorted: ArrayLike<number>, p: number, confidence = 0.95): Interval {
  const n = sorted.length;
  if (n === 0) return [-Infinity, Infinity];
  const z = zFor(confidence);
  const half = z * Math.sqrt(n * p * (1 - p));
  const j = Math.floor(n * p - half); // 1-based rank of the lower bound
  const k = Math.ceil(n * p + half) + 1; // 1-based rank of the upper bound
  const low = j >= 1 ? sorted[j - 1]! : -Infinity;
  const high = k <= n ? sorted[k - 1]! : Infinity;
  return [low, high];
}
