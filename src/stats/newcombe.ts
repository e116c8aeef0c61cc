import { type Interval } from './interval.js';
import { wilson } from './wilson.js';

/**
 * Paired 2×2 table of candidate vs baseline on the same cases:
 * a = both pass, b = only the candidate passes, c = only the baseline passes, d = both fail.
 */
export interface PairedTable {
  a: number;
  b: number;
  c: number;
  d: number;
}

/**
 * Newcombe's (1998) method 10, the square-and-add Wilson score interval for the difference of
 * paired proportions (candidate − baseline = (b − c) / N), with his continuity-corrected φ.
 */
export function newcombePaired({ a, b, c, d }: PairedTable, confidence = 0.95): Interval {
  const n = a + b + c + d;
  if (n === 0) return [-1, 1];
  const r1 = a + b; // candidate passes
  const r2 = c + d;
  const c1 = a + c; // baseline passes
  const c2 = b + d;
  const p1 = r1 / n;
  const p2 = c1 / n;
  const [l1, u1] = wilson(r1, n, confidence);
  const [l2, u2] = wilson(c1, n, confidence);
  let phi = 0;
  if (r1 > 0 && r2 > 0 && c1 > 0 && c2 > 0) {
    const A = a * d - b * c;
    const denom = Math.sqrt(r1 * r2 * c1 * c2);
    phi = A > n / 2 ? (A - n / 2) / denom : A >= 0 ? 0 : A / denom;
  }
  const est = p1 - p2;
  const low = est - Math.sqrt(Math.max(0, (p1 - l1) ** 2 + (u2 - p2) ** 2 - 2 * phi * (p1 - l1) * (u2 - p2)));
  const high = est + Math.sqrt(Math.max(0, (p2 - l2) ** 2 + (u1 - p1) ** 2 - 2 * phi * (p2 - l2) * (u1 - p1)));
  return [Math.max(-1, low), Math.min(1, high)];
}

/**
 * Newcombe's (1998) method 10 for independent proportions (x1/n1 − x2/n2): the square-and-add of
 * the two Wilson intervals. For two runs that share too few cases to pair.
 */
export function newcombeIndependent(x1: number, n1: number, x2: number, n2: number, confidence = 0.95): Interval {
  if (n1 === 0 || n2 === 0) return [-1, 1];
  const [p1, p2] = [x1 / n1, x2 / n2];
  const [l1, u1] = wilson(x1, n1, confidence);
  const [l2, u2] = wilson(x2, n2, confidence);
  const est = p1 - p2;
  return [
    Math.max(-1, est - Math.sqrt((p1 - l1) ** 2 + (u2 - p2) ** 2)),
    Math.min(1, est + Math.sqrt((u1 - p1) ** 2 + (p2 - l2) ** 2)),
  ];
}
