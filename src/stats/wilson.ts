import { zFor } from './distributions.js';
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
