import type { MetricThreshold } from '../config/schema.js';
import { showDelta, showValue } from '../metrics/display.js';
import type { Aggregate, Tally } from '../results/model.js';
import { zFor } from '../stats/distributions.js';
import { minimumDetectable } from '../stats/power.js';
import type { Comparison } from './compare.js';
import { meanInterval } from '../stats/mean.js';
import { quantile, quantileInterval } from '../stats/quantile.js';
import { wilson } from '../stats/wilson.js';
import { type Interval } from '../stats/interval.js';
import type { JsonInterval, MetricResult, MetricStatus, Threshold } from './verdict.js';

export interface Measurement {
  value: number;
  ci: Interval;
  n: number;
}

/** The value of a metric over a set of samples, with its interval; or why it cannot be measured. */
export function measure(t: Tally, name: string, confidence: number, aggregates?: ReadonlyMap<string, Aggregate>): Measurement | { missing: string } {
  if (t.total === 0 && !(name.startsWith('score.') && aggregates?.has(name.slice(6)))) {
    return { missing: aggregates?.size ? `the results are aggregate-only (no per-sample outcomes); aggregate metrics present: ${[...aggregates.keys()].slice(0, 10).map((k) => `score.${k}`).join(', ')}` : 'no samples' };
  }
  switch (name) {
    case 'pass_rate':
      return t.scored === 0 ? { missing: 'no scored samples (every sample errored or was skipped)' } : { value: t.passed / t.scored, ci: wilson(t.passed, t.scored, confidence), n: t.scored };
    case 'error_rate': {
      const n = t.total - t.skipped;
      return n === 0 ? { missing: 'no samples' } : { value: t.errors / n, ci: wilson(t.errors, n, confidence), n };
    }
    case 'latency_p50_ms':
    case 'latency_p95_ms': {
      if (t.latency.length === 0) return { missing: 'the results carry no latency' };
      const sorted = t.latency.sorted();
      const p = name === 'latency_p50_ms' ? 0.5 : 0.95;
      return { value: quantile(sorted, p), ci: quantileInterval(sorted, p, confidence), n: sorted.length };
    }
  }
  const aggregate = name.startsWith('score.') && !t.named.has(name.slice(6)) ? aggregates?.get(name.slice(6)) : undefined;
  if (aggregate) return aggregateMeasurement(aggregate, confidence);
  const m = name === 'score' ? t.score : name === 'cost_per_sample_usd' ? t.cost : name === 'tokens_per_sample' ? t.tokens : t.named.get(name.slice('score.'.length));
  if (!m || m.n === 0) {
    const what = name === 'score' ? 'scores' : name === 'cost_per_sample_usd' ? 'cost' : name === 'tokens_per_sample' ? 'token counts' : `a named score "${name.slice(6)}"`;
    const known = name.startsWith('score.') && t.named.size > 0 ? ` (named scores present: ${[...t.named.keys()].slice(0, 10).join(', ')})` : '';
    return { missing: `the results carry no ${what}${known}` };
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
  if (n > 0 && a.value >= 0 && a.value <= 1) return { value: a.value, ci: wilson(Math.round(a.value * n), n, confidence), n };
  return { value: a.value, ci: [-Infinity, Infinity], n };
}

export interface JudgeOptions {
  confidence: number;
  thresholdOn: 'interval' | 'estimate';
  onInconclusive: 'warn' | 'block';
}

/** What the gate knows of the baseline while judging a metric. */
export type BaselineView =
  | { missing: string }
  | {
      /** The metric on the whole baseline run (null when it cannot be measured there). */
      value(name: string): number | null;
      /** The comparison on the whole run, or on the cases of one slice. */
      compare(name: string, slice?: string): Comparison | { unavailable: string };
    };

/**
 * A metric judged on everything but the family-wise correction: `p` is the one-sided p-value of a
 * regression beyond its margin (1 when there is none to test); `finish` takes whether Holm's
 * procedure across the blocking metrics rejected it.
 */
export interface DraftMetric {
  p: number;
  blocking: boolean;
  finish(regression: boolean): MetricResult;
}

/** Judge one configured threshold. Absolute bounds are judged on the interval unless told otherwise. */
export function judgeMetric(
  t: Tally | undefined,
  spec: MetricThreshold,
  opts: JudgeOptions,
  where: { slice?: string; bar: MetricResult['bar']; configPath: string; aggregates?: ReadonlyMap<string, Aggregate> },
  baseline?: BaselineView,
): DraftMetric {
  const threshold: Threshold = {};
  for (const k of ['min', 'max', 'max_drop', 'max_increase'] as const) if (spec[k] !== undefined) threshold[k] = spec[k];
  const base = {
    name: spec.name,
    ...(where.slice !== undefined ? { slice: where.slice } : {}),
    threshold,
    baseline: null as number | null,
    delta: null as number | null,
    delta_ci: null as JsonInterval | null,
    paired_n: null as number | null,
    mde: null as number | null,
    blocking: spec.blocking,
    bar: where.bar,
    config_path: where.configPath,
  };
  const label = where.slice !== undefined ? `${spec.name} [${where.slice}]` : spec.name;
  const m = t ? measure(t, spec.name, opts.confidence, where.aggregates) : { missing: `no sample carries the tag "${where.slice}"` };
  if ('missing' in m) {
    const result: MetricResult = { ...base, status: 'error', value: null, ci: null, n: 0, reason: `${label} cannot be measured: ${m.missing}.` };
    return { p: 1, blocking: spec.blocking, finish: () => result };
  }
  const fmt = (v: number) => showValue(spec.name, v);
  const [low, high] = opts.thresholdOn === 'estimate' ? [m.value, m.value] : m.ci;
  type Verdict = { status: 'pass' | 'fail' | 'inconclusive'; text: string };
  const verdicts: Verdict[] = [];
  if (spec.min !== undefined) {
    verdicts.push(
      low >= spec.min
        ? { status: 'pass', text: `at least ${fmt(spec.min)}` }
        : high < spec.min
          ? { status: 'fail', text: `below the minimum ${fmt(spec.min)}` }
          : { status: 'inconclusive', text: `the interval straddles the minimum ${fmt(spec.min)}` },
    );
  }
  if (spec.max !== undefined) {
    verdicts.push(
      high <= spec.max
        ? { status: 'pass', text: `at most ${fmt(spec.max)}` }
        : low > spec.max
          ? { status: 'fail', text: `above the maximum ${fmt(spec.max)}` }
          : { status: 'inconclusive', text: `the interval straddles the maximum ${fmt(spec.max)}` },
    );
  }

  // The margin against the baseline, decided after Holm's correction (see finish).
  let p = 1;
  let marginVerdict: ((regression: boolean) => Verdict) | undefined;
  const margin = spec.max_drop ?? spec.max_increase;
  if (margin !== undefined) {
    const higherIsBetter = spec.max_drop !== undefined;
    const allowed = higherIsBetter ? `drop of ${showDelta(spec.name, margin)}` : `increase of ${showDelta(spec.name, margin)}`;
    if (!baseline || 'missing' in baseline) {
      const why = baseline && 'missing' in baseline ? baseline.missing : 'no baseline is configured (set evals.baseline)';
      marginVerdict = () => ({ status: 'inconclusive', text: `the allowed ${allowed} cannot be checked: ${why}` });
    } else {
      base.baseline = baseline.value(spec.name);
      const cmp = baseline.compare(spec.name, where.slice);
      if ('unavailable' in cmp) {
        marginVerdict = () => ({ status: 'inconclusive', text: `the allowed ${allowed} cannot be checked: ${cmp.unavailable}` });
      } else {
        const ci = cmp.interval(opts.confidence);
        base.delta = cmp.estimate;
        base.delta_ci = jsonInterval(ci);
        base.paired_n = cmp.n;
        base.mde = cmp.mde?.(margin, opts.confidence) ?? minimumDetectable(ci, margin, opts.confidence);
        p = cmp.pWorse(margin);
        const shows = `Δ ${showDelta(spec.name, cmp.estimate, true)} (${Math.round(opts.confidence * 100)}% CI ${showDelta(spec.name, ci[0], true)} to ${showDelta(spec.name, ci[1], true)}, ${cmp.n} ${cmp.method.startsWith('unpaired') ? 'samples' : 'paired cases'}) against baseline ${base.baseline === null ? '—' : fmt(base.baseline)}`;
        const clearsMargin = higherIsBetter ? ci[0] > -margin : ci[1] < margin;
        const detect = `this suite can detect ${higherIsBetter ? 'drops' : 'increases'} of ${showDelta(spec.name, base.mde)} or more`;
        marginVerdict = (regression) =>
          regression
            ? { status: 'fail', text: `${shows}: ${higherIsBetter ? 'a drop' : 'an increase'} beyond the allowed ${showDelta(spec.name, margin)} (one-sided p = ${formatP(p)}, Holm-adjusted across blocking metrics)` }
            : clearsMargin
              ? { status: 'pass', text: `${shows}: within the allowed ${allowed}` }
              : { status: 'inconclusive', text: `${shows}: cannot rule out a ${allowed} or more; ${detect}` };
      }
    }
  }

  const finish = (regression: boolean): MetricResult => {
    const all = marginVerdict ? [...verdicts, marginVerdict(regression)] : verdicts;
    const raw = all.some((v) => v.status === 'fail') ? 'fail' : all.some((v) => v.status === 'inconclusive') ? 'inconclusive' : 'pass';
    const status: MetricStatus = raw === 'fail' && !spec.blocking ? 'warn' : raw;
    const shown = all.filter((v) => v.status === raw).map((v) => v.text);
    const estimate = `${fmt(m.value)} (${Math.round(opts.confidence * 100)}% CI ${fmt(m.ci[0])}–${fmt(m.ci[1])}, n=${m.n})`;
    const tail =
      raw === 'inconclusive'
        ? opts.onInconclusive === 'block' && spec.blocking
          ? ' (inconclusive blocks: statistics.on_inconclusive is block)'
          : ' (inconclusive: more samples would decide it)'
        : '';
    return { ...base, status, value: m.value, ci: jsonInterval(m.ci), n: m.n, reason: `${label} ${estimate}: ${shown.join('; ')}${tail}.` };
  };
  return { p, blocking: spec.blocking, finish };
}

function formatP(p: number): string {
  return p < 0.0001 ? '< 0.0001' : p.toPrecision(2);
}

/** Does this metric result stop the release? */
export function metricBlocks(r: MetricResult, onInconclusive: 'warn' | 'block'): boolean {
  if (!r.blocking) return false;
  return r.status === 'fail' || r.status === 'error' || (r.status === 'inconclusive' && onInconclusive === 'block');
}

export function jsonInterval([a, b]: Interval): JsonInterval {
  return [Number.isFinite(a) ? a : null, Number.isFinite(b) ? b : null];
}
