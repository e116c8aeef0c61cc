import type { Interval } from './interval.js';

/**
 * Always-valid confidence sequence for a difference estimated as `estimate` with variance `v`,
 * from the mixture sequential probability ratio test (mSPRT) of Johari, Koomen, Pekelis & Walsh
 * (2017, "Peeking at A/B tests"): with a normal mixing distribution of variance τ² on the effect,
 * Λ(θ) = sqrt(v / (v + τ²)) · exp(τ² (est − θ)² / (2 v (v + τ²))), and {θ : Λ(θ) < 1/α} holds the
 * true difference at every look at once with probability at least 1 − α. Each rollout tick looks
 * again; a fixed-sample interval would cry wolf on one of the many looks.
 */
export function confidenceSequence(estimate: number, v: number, alpha: number, tau2: number): Interval {
  if (!(v > 0) || !(tau2 > 0)) return [-Infinity, Infinity];
  const half = Math.sqrt(((2 * v * (v + tau2)) / tau2) * Math.log(Math.sqrt((v + tau2) / v) / alpha));
  return [estimate - half, estimate + half];
}

/** Always-valid p-value of θ0 at this look: min(1, 1/Λ(θ0)). */
export function alwaysValidP(estimate: number, v: number, theta0: number, tau2: number): number {
  if (!(v > 0) || !(tau2 > 0)) return 1;
  const lambda = Math.sqrt(v / (v + tau2)) * Math.exp((tau2 * (estimate - theta0) ** 2) / (2 * v * (v + tau2)));
  return Math.min(1, 1 / lambda);
}

/**
 * Variance of a proportion x/n. A half-count floor keeps it positive when there are no events (or only
 * events) yet: one request with one error is not a zero-width certainty.
 */
export function proportionVariance(x: number, n: number): number {
  const q = Math.min(Math.max(x / n, 0.5 / n), 1 - 0.5 / n);
  return (q * (1 - q)) / n;
}

/** Difference of two independent proportions (canary − control) and its variance. */
export function proportionDifference(
  x1: number,
  n1: number,
  x2: number,
  n2: number,
): { estimate: number; variance: number } {
  return { estimate: x1 / n1 - x2 / n2, variance: proportionVariance(x1, n1) + proportionVariance(x2, n2) };
}
