import { type Interval } from './interval.js';

/**
 * One-sided p-value of a regression beyond a margin, by inverting an interval family: the tail
 * area α at which the interval's bound just reaches the margin. `worseIsLower`: a higher-is-better
 * metric (regression = the difference falls below −margin).
 */
export function invertInterval(
  interval: (confidence: number) => Interval,
  margin: number,
  worseIsLower: boolean,
): number {
  const bound = (conf: number) => (worseIsLower ? interval(conf)[1] : -interval(conf)[0]);
  const target = -margin;
  // At confidence → 0 the interval shrinks to the estimate: on the good side there is no evidence.
  if (bound(1e-9) >= target) return 1;
  if (bound(1 - 1e-12) < target) return 0;
  let lo = 1e-9;
  let hi = 1 - 1e-12;
  for (let i = 0; i < 60; i++) {
    const mid = (lo + hi) / 2;
    if (bound(mid) < target) lo = mid;
    else hi = mid;
  }
  return (1 - lo) / 2;
}
