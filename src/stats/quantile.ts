import { zFor } from './distributions.js';
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
