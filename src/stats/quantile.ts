import { binomialPmf, zFor } from './distributions.js';
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
 * The same value as `quantile` of the values sorted, by selection in linear time: a bootstrap takes
 * thousands of quantiles of resamples, and sorting each was most of the gate's time on the example.
 */
export function quantileUnsorted(values: ArrayLike<number>, p: number): number {
  const n = values.length;
  if (n === 0) return NaN;
  const a = Float64Array.from(values);
  const h = (n - 1) * p;
  const lo = Math.floor(h);
  select(a, lo);
  const x = a[lo]!;
  if (h === lo || lo + 1 >= n) return x;
  // The next order statistic: the smallest of what selection left above position lo.
  let y = Infinity;
  for (let i = lo + 1; i < n; i++) if (a[i]! < y) y = a[i]!;
  return x + (h - lo) * (y - x);
}

/** Rearranges `a` so that a[k] is its k-th smallest value, smaller ones before it and larger after (Hoare's selection). */
function select(a: Float64Array, k: number): void {
  let left = 0;
  let right = a.length - 1;
  while (right > left) {
    // Median of three as the pivot: sorted or reversed input stays linear.
    const mid = (left + right) >>> 1;
    const pivot = Math.max(Math.min(a[left]!, a[mid]!), Math.min(Math.max(a[left]!, a[mid]!), a[right]!));
    let i = left;
    let j = right;
    while (i <= j) {
      while (a[i]! < pivot) i++;
      while (a[j]! > pivot) j--;
      if (i <= j) {
        const t = a[i]!;
        a[i] = a[j]!;
        a[j] = t;
        i++;
        j--;
      }
    }
    if (k <= j) right = j;
    else if (k >= i) left = i;
    else return;
  }
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
  // Upper end X(k): the smallest k with P(Bin(n, p) ≤ k − 1) ≥ 1 − tail.
  let k = -1;
  let cdf = 0;
  for (let i = 0; i < n; i++) {
    cdf += binomialPmf(i, n, p);
    if (cdf >= 1 - tail) {
      k = i + 1;
      break;
    }
  }
  // Lower end X(j): the largest j with P(Bin(n, p) ≤ j − 1) ≤ tail.
  let j = 0;
  cdf = 0;
  for (let i = 0; i < n; i++) {
    cdf += binomialPmf(i, n, p);
    if (cdf > tail) break;
    j = i + 1;
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
