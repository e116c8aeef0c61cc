import { binomialPmfs, zFor } from './distributions.js';
import { MIN_UNITS } from './paired-t.js';
import type { Interval } from './interval.js';

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
 * Distribution-free interval for a quantile from order statistics, exact: the ranks come from the
 * binomial distribution of how many values fall below the true quantile, so the lower end X(j) and
 * the upper end X(k) each miss with probability at most (1 − confidence) / 2 at any n. An end the
 * data cannot reach is unbounded (a p95's upper end needs 72 values at 95%: 1 − 0.95^72 ≥ 0.975).
 */
export function quantileInterval(
  sorted: ArrayLike<number>,
  p: number,
  confidence = 0.95,
  units = sorted.length,
): Interval {
  const n = sorted.length;
  if (n === 0) return [-Infinity, Infinity];
  // Values without spread from fewer than MIN_UNITS units are no evidence (one case repeated, a handful of ties).
  if (units < MIN_UNITS && sorted[0] === sorted[n - 1]) return [-Infinity, Infinity];
  // Repeated cases: the ranks of `units` independent values, mapped onto the sorted samples.
  if (units < n) {
    const [lo, hi] = quantileInterval(
      Float64Array.from({ length: units }, (_, i) => i + 1),
      p,
      confidence,
    );
    const at = (rank: number) => sorted[Math.min(n - 1, Math.max(0, Math.ceil((rank * n) / units) - 1))]!;
    return [Number.isFinite(lo) ? at(lo) : -Infinity, Number.isFinite(hi) ? at(hi) : Infinity];
  }
  const tail = (1 - confidence) / 2;
  if (n > 5000) return normalRanks(sorted, p, confidence);
  // One walk up the binomial CDF gives both ends. Lower end X(j): the largest j with
  // P(Bin(n, p) ≤ j − 1) ≤ tail. Upper end X(k): the smallest k with P(Bin(n, p) ≤ k − 1) ≥ 1 − tail.
  const pmf = binomialPmfs(n, p);
  let j = 0;
  let k = -1;
  let cdf = 0;
  for (let i = 0; i < n; i++) {
    cdf += pmf(i);
    if (cdf <= tail) j = i + 1;
    if (cdf >= 1 - tail) {
      k = i + 1;
      break;
    }
  }
  return [j >= 1 ? sorted[j - 1]! : -Infinity, k >= 1 && k <= n ? sorted[k - 1]! : Infinity];
}

/** The same ranks from the normal approximation to the binomial (n > 5000, where it is exact enough). */
function normalRanks(sorted: ArrayLike<number>, p: number, confidence: number): Interval {
  const n = sorted.length;
  const half = zFor(confidence) * Math.sqrt(n * p * (1 - p));
  const j = Math.floor(n * p - half);
  const k = Math.ceil(n * p + half) + 1;
  return [j >= 1 ? sorted[j - 1]! : -Infinity, k <= n ? sorted[k - 1]! : Infinity];
}
