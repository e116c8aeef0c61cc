import type { Aggregate, Tally } from '../results/model.js';
import { zFor } from '../stats/distributions.js';
import type { Interval } from '../stats/interval.js';
import { meanInterval } from '../stats/mean.js';
import { quantile, quantileInterval } from '../stats/quantile.js';
import { wilson } from '../stats/wilson.js';
import { metricInfo, NAMED_SCORE_PREFIX } from './registry.js';

export interface Measurement {
  value: number;
  ci: Interval;
  n: number;
}

/** The value of a metric over a set of samples, with its interval; or why it cannot be measured. */
export function measure(
  t: Tally,
  name: string,
  confidence: number,
  aggregates?: ReadonlyMap<string, Aggregate>,
): Measurement | { missing: string } {
  const named = name.startsWith(NAMED_SCORE_PREFIX) ? name.slice(NAMED_SCORE_PREFIX.length) : undefined;
  if (t.total === 0 && !(named !== undefined && aggregates?.has(named))) {
    return {
      missing: aggregates?.size
        ? `the results are aggregate-only (no per-sample outcomes); aggregate metrics present: ${[...aggregates.keys()]
            .slice(0, 10)
            .map((k) => `score.${k}`)
            .join(', ')}`
        : 'no samples',
    };
  }
  const info = metricInfo(name);
  if (!info) return { missing: `${name} is not a metric the gate knows` };
  const how = info.measure;
  if ('rate' in how) {
    if (how.rate === 'passed') {
      return t.scored === 0
        ? { missing: 'no scored samples (every sample errored or was skipped)' }
        : { value: t.passed / t.scored, ci: wilson(t.passed, t.scored, confidence), n: t.scored };
    }
    const n = t.total - t.skipped;
    return n === 0 ? { missing: 'no samples' } : { value: t.errors / n, ci: wilson(t.errors, n, confidence), n };
  }
  if ('quantile' in how) {
    if (t.latency.length === 0) return { missing: `the results carry no ${info.missing}` };
    const sorted = t.latency.sorted();
    return {
      value: quantile(sorted, how.quantile),
      ci: quantileInterval(sorted, how.quantile, confidence),
      n: sorted.length,
    };
  }
  const aggregate = named !== undefined && !t.named.has(named) ? aggregates?.get(named) : undefined;
  if (aggregate) return aggregateMeasurement(aggregate, confidence);
  const m = named !== undefined ? t.named.get(named) : t[how.mean];
  if (!m || m.n === 0) {
    const known =
      named !== undefined && t.named.size > 0
        ? ` (named scores present: ${[...t.named.keys()].slice(0, 10).join(', ')})`
        : '';
    return { missing: `the results carry no ${info.missing}${known}` };
  }
  return { value: m.mean, ci: meanInterval(m, confidence), n: m.n };
}

/**
 * An aggregate's interval: from the tool's standard error when given; else, for a proportion with a
 * known n, Wilson; else unbounded (a threshold on it can only be judged on the estimate).
 */
function aggregateMeasurement(a: Aggregate, confidence: number): Measurement {
  const n = a.n ?? 0;
  if (a.stderr !== undefined && Number.isFinite(a.stderr)) {
    const half = zFor(confidence) * a.stderr;
    return { value: a.value, ci: [a.value - half, a.value + half], n };
  }
  if (n > 0 && a.value >= 0 && a.value <= 1)
    return { value: a.value, ci: wilson(Math.round(a.value * n), n, confidence), n };
  return { value: a.value, ci: [-Infinity, Infinity], n };
}
