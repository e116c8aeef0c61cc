import { tQuantile } from './distributions.js';
import { type Interval } from './interval.js';

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

/**
 * Below this many independent units, data without any spread is not evidence of none: a handful of
 * identical values gives an unbounded interval (inconclusive), never a zero-width one.
 */
export const MIN_UNITS = 30;

/** Paired t interval for the mean difference; unbounded below two pairs, or with no spread below MIN_UNITS. */
export function pairedT(s: DiffStats, confidence = 0.95): Interval {
  if (s.n < 2 || (s.sd === 0 && s.n < MIN_UNITS)) return [-Infinity, Infinity];
  if (s.sd === 0) return [s.mean, s.mean];
  const half = tQuantile(1 - (1 - confidence) / 2, s.n - 1) * (s.sd / Math.sqrt(s.n));
  return [s.mean - half, s.mean + half];
}
