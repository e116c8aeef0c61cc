import { incompleteBeta, zFor } from './distributions.js';
import type { Interval } from './interval.js';

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

/**
 * Clopper–Pearson exact interval for a binomial proportion: the Beta quantiles of the binomial
 * tails, so each end misses with probability at most (1 − confidence) / 2 at every n and p. Wider
 * than Wilson; the gate fails a rate on it (evidence), and shows Wilson (the estimate's spread).
 */
export function clopperPearson(successes: number, n: number, confidence = 0.95): Interval {
  if (n <= 0) return [0, 1];
  const tail = (1 - confidence) / 2;
  const low = successes === 0 ? 0 : betaQuantile(tail, successes, n - successes + 1);
  const high = successes === n ? 1 : betaQuantile(1 - tail, successes + 1, n - successes);
  return [low, high];
}

/** The p-quantile of Beta(a, b), by bisection on the regularized incomplete beta. */
function betaQuantile(p: number, a: number, b: number): number {
  let lo = 0;
  let hi = 1;
  for (let i = 0; i < 100; i++) {
    const mid = (lo + hi) / 2;
    if (incompleteBeta(mid, a, b) < p) lo = mid;
    else hi = mid;
  }
  return (lo + hi) / 2;
}
