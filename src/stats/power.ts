import { normalQuantile, zFor } from './distributions.js';
import { type Interval } from './interval.js';

/**
 * The smallest true regression the suite would detect with the given power: margin plus
 * (z_{1−α} + z_{power}) standard errors, with the standard error read off the interval's width.
 */
export function minimumDetectable(ci: Interval, margin: number, confidence: number, power = 0.8): number {
  const se = (ci[1] - ci[0]) / (2 * zFor(confidence));
  return margin + (zFor(confidence) + normalQuantile(power)) * se;
}
