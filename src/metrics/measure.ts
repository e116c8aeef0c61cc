import type { Aggregate, Tally } from '../results/model.js';
import { zFor } from '../stats/distributions.js';
import type { Interval } from '../stats/interval.js';
import { meanInterval } from '../stats/mean.js';
import { quantile, quantileInterval } from '../stats/quantile.js';
import { clopperPearson, wilson } from '../stats/wilson.js';
import { metricInfo, NAMED_SCORE_PREFIX } from './registry.js';

export interface Measurement {
  value: number;
  ci: Interval;
  n: number;
  /** Set when only the estimate can be judged (an aggregate without n or standard error): why. */
  estimateOnly?: string;
  /** An interval whose coverage is guaranteed at every n (rates: Clopper–Pearson), for deciding a fail. */
  exact?: (confidence: number) => Interval;
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
  const m = measureKnown(t, name, named, info.measure, info.missing, confidence, aggregates);
  // A sum past the largest number (values like 1e308) is not a mean: never judged as one.
  if (!('missing' in m) && !Number.isFinite(m.value))
    return {
      missing: `its value is not a finite number (the values are too large to add; check the results for values near ±1e308)`,
    };
  return m;
}

function measureKnown(
  t: Tally,
  name: string,
  named: string | undefined,
  how: NonNullable<ReturnType<typeof metricInfo>>['measure'],
  missingWords: string,
  confidence: number,
  aggregates?: ReadonlyMap<string, Aggregate>,
): Measurement | { missing: string } {
  // When cases repeat (epochs, duplicated ids), an interval claims no more units than distinct cases.
  const units = t.units ?? Infinity;
  if ('rate' in how) {
    if (how.rate === 'passed') {
      return t.scored === 0
        ? { missing: 'no scored samples (every sample errored or was skipped)' }
        : rate(t.passed, t.scored, units, confidence);
    }
    const n = t.total - t.skipped;
    return n === 0 ? { missing: 'no samples' } : rate(t.errors, n, units, confidence);
  }
  if ('quantile' in how) {
    if (t.latency.length === 0) return { missing: `the results carry no ${missingWords}` };
    const sorted = t.latency.sorted();
    return {
      value: quantile(sorted, how.quantile),
      ci: quantileInterval(sorted, how.quantile, confidence, Math.min(units, sorted.length)),
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
    return { missing: `the results carry no ${missingWords}${known}` };
  }
  return { value: m.mean, ci: meanInterval(m, confidence, units), n: m.n };
}

/** x of n events, as claimed by at most `units` independent units (the same share of fewer trials). */
export function capToUnits(x: number, n: number, units = Infinity): [number, number] {
  return units >= n ? [x, n] : [Math.round((x / n) * units), units];
}

/** A rate: Wilson shown, Clopper–Pearson to decide, on at most `units` trials (a case repeated 300 times is one case). */
function rate(x: number, n: number, units: number, confidence: number): Measurement {
  const [k, m] = capToUnits(x, n, units);
  return { value: x / n, ci: wilson(k, m, confidence), n, exact: (c) => clopperPearson(k, m, c) };
}

/**
 * An aggregate's interval: from the tool's standard error when given; else, for a proportion with a
 * known n, Wilson; else only its value can be judged (said with the verdict).
 */
function aggregateMeasurement(a: Aggregate, confidence: number): Measurement {
  const n = a.n ?? 0;
  if (a.stderr !== undefined && Number.isFinite(a.stderr)) {
    const half = zFor(confidence) * a.stderr;
    return { value: a.value, ci: [a.value - half, a.value + half], n };
  }
  if (n > 0 && a.value >= 0 && a.value <= 1)
    return { value: a.value, ci: wilson(Math.round(a.value * n), n, confidence), n };
  return {
    value: a.value,
    ci: [a.value, a.value],
    n,
    estimateOnly: 'judged on the reported value: the tool gave no sample count or standard error',
  };
}
