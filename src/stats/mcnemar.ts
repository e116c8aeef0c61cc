import { binomialCdf, binomialPmf } from './distributions.js';

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
