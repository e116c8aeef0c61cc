import { tQuantile } from './distributions.js';
import type { Interval } from './interval.js';
import { wilson } from './wilson.js';
import { MIN_UNITS } from './paired-t.js';

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
 * a run of identical values), else Student t; unbounded below two observations, and for values
 * without any spread below MIN_UNITS of them. `units` caps the sample size the interval may claim
 * (the number of distinct cases, when cases repeat).
 */
export function meanInterval(m: Moments, confidence = 0.95, units = m.n): Interval {
  const n = Math.min(m.n, units);
  if (m.n > 0 && m.binary) return wilson(Math.round(m.mean * n), n, confidence);
  if (n < 2 || (m.variance === 0 && n < MIN_UNITS)) return [-Infinity, Infinity];
  const half = tQuantile(1 - (1 - confidence) / 2, n - 1) * Math.sqrt(m.variance / n);
  return [m.mean - half, m.mean + half];
}
