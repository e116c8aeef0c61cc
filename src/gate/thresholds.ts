import type { Config, MetricThreshold } from '../config/schema.js';
import { showDelta, showValue } from '../metrics/display.js';
import { measure } from '../metrics/measure.js';
import { metricInfo } from '../metrics/registry.js';
import { isAggregateOnly, type Aggregate, type Run, type Tally } from '../results/model.js';
import { holm } from '../stats/holm.js';
import { minimumDetectable } from '../stats/power.js';
import { compareMetric, type Comparison } from './compare.js';
import { pairRuns, type Pairing } from './pairing.js';
import { type Interval } from '../stats/interval.js';
import type { LoadFailure } from './bars/context.js';
import type { JsonInterval, MetricResult, MetricStatus, Threshold } from './verdict.js';

export interface JudgeOptions {
  confidence: number;
  thresholdOn: 'interval' | 'estimate';
  /** miss: an inconclusive result blocks when its estimate misses the bar (the medium tier's default). */
  onInconclusive: 'warn' | 'block' | 'miss';
  /** evals.baseline_required: a margin that cannot be compared is an error, not inconclusive. */
  baselineRequired?: boolean;
  /** on_inconclusive was set in the config (not the tier's default). */
  explicit?: boolean;
}

/** How the family of tests looks once every threshold is drafted (for Holm, the MDE, absolute bounds). */
export interface Family {
  /** Holm rejected this metric's regression test. */
  regression: boolean;
  /** Blocking margins tested (Holm's family; the MDE is stated at its most stringent step). */
  margins: number;
  /** Blocking absolute bounds (min/max) across the run and its slices (Bonferroni for a fail). */
  bounds: number;
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
  /** A margin was compared with the baseline (a member of Holm's family, whatever its p). */
  tested: boolean;
  /** Absolute bounds (min, max) this threshold sets. */
  bounds: number;
  finish(family: Family): MetricResult;
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
  for (const k of ['min', 'max', 'max_drop', 'max_increase'] as const)
    if (spec[k] !== undefined) threshold[k] = spec[k];
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
  const m = t
    ? measure(t, spec.name, opts.confidence, where.aggregates)
    : { missing: `no sample carries the tag "${where.slice}"` };
  const bounds = (spec.min !== undefined ? 1 : 0) + (spec.max !== undefined ? 1 : 0);
  const fail = (reason: string): DraftMetric => {
    const result = { ...base, status: 'error' as const, value: null, ci: null, n: 0, reason };
    return {
      p: 1,
      blocking: spec.blocking,
      tested: false,
      bounds,
      finish: () => ({ ...result, blocks: spec.blocking }),
    };
  };
  if ('missing' in m) return fail(`${label} cannot be measured: ${m.missing}.`);
  const fmt = (v: number) => showValue(spec.name, v);
  /** misses: the estimate is past the bar; unchecked: no comparison could be made (no baseline). */
  type Verdict = { status: 'pass' | 'fail' | 'inconclusive'; text: string; misses?: boolean; unchecked?: boolean };
  /**
   * Absolute bounds: pass when the interval is inside; fail when the interval at the family-wise
   * level (Bonferroni across every blocking bound of the run and its slices) is outside.
   */
  const absolute = (family: Family): Verdict[] => {
    const verdicts: Verdict[] = [];
    const byEstimate = opts.thresholdOn === 'estimate' || m.estimateOnly;
    const [low, high] = byEstimate ? [m.value, m.value] : m.ci;
    // Evidence for a fail: an interval of guaranteed coverage (exact for rates) at the family's level.
    const failLevel = 1 - (1 - opts.confidence) / Math.max(1, family.bounds);
    const strict: Interval = byEstimate
      ? [low, high]
      : m.exact
        ? m.exact(failLevel)
        : family.bounds <= 1 || !t
          ? [low, high]
          : (() => {
              const adj = measure(t, spec.name, failLevel, where.aggregates);
              return 'missing' in adj ? [low, high] : adj.ci;
            })();
    const note = m.estimateOnly ? ` (${m.estimateOnly})` : '';
    /**
     * A percentile's interval is made of two samples (order statistics): with too few samples one end
     * does not exist. Say from how many samples on it does.
     */
    const unbounded = (end: number, which: 'upper' | 'lower') => {
      const q = metricInfo(spec.name)?.measure;
      if (Number.isFinite(end) || !q || !('quantile' in q)) return '';
      const p = which === 'upper' ? q.quantile : 1 - q.quantile;
      const need = Math.ceil(Math.log((1 - opts.confidence) / 2) / Math.log(p));
      return `; a ${Math.round(opts.confidence * 100)}% interval of the ${Math.round(q.quantile * 100)}th percentile has an ${which} end only from ${need} samples on (n=${m.n}), and a narrow one takes several times that`;
    };
    /** Why an interval outside the bound is not a fail: the stricter interval for a fail still reaches it. */
    const notProven = (side: 'below the minimum' | 'above the maximum', bound: number) =>
      `${side} ${fmt(bound)} by its interval, but not proven: the ${m.exact ? 'exact ' : ''}${+(failLevel * 100).toFixed(2)}% interval a fail needs${family.bounds > 1 ? ` (${family.bounds} bounds judged at once)` : ''}, ${fmt(strict[0])}–${fmt(strict[1])}, still reaches it`;
    if (spec.min !== undefined)
      verdicts.push(
        low >= spec.min
          ? { status: 'pass', text: `at least ${fmt(spec.min)}${note}` }
          : strict[1] < spec.min
            ? { status: 'fail', text: `below the minimum ${fmt(spec.min)}${note}` }
            : {
                status: 'inconclusive',
                text:
                  high < spec.min
                    ? notProven('below the minimum', spec.min)
                    : `the interval straddles the minimum ${fmt(spec.min)}${unbounded(low, 'lower')}`,
                misses: m.value < spec.min,
              },
      );
    if (spec.max !== undefined)
      verdicts.push(
        high <= spec.max
          ? { status: 'pass', text: `at most ${fmt(spec.max)}${note}` }
          : strict[0] > spec.max
            ? { status: 'fail', text: `above the maximum ${fmt(spec.max)}${note}` }
            : {
                status: 'inconclusive',
                text:
                  low > spec.max
                    ? notProven('above the maximum', spec.max)
                    : `the interval straddles the maximum ${fmt(spec.max)}${unbounded(high, 'upper')}`,
                misses: m.value > spec.max,
              },
      );
    return verdicts;
  };

  // The margin against the baseline, decided after Holm's correction (see finish).
  let p = 1;
  let tested = false;
  let marginVerdict: ((family: Family) => Verdict) | undefined;
  const margin = spec.max_drop ?? spec.max_increase;
  if (margin !== undefined) {
    const higherIsBetter = spec.max_drop !== undefined;
    const allowed = higherIsBetter
      ? `drop of ${showDelta(spec.name, margin)}`
      : `increase of ${showDelta(spec.name, margin)}`;
    // Not comparable: inconclusive, or an error when the config requires the comparison.
    const cannot =
      (why: string, unchecked = false, misses = false) =>
      (): Verdict => ({
        status: opts.baselineRequired ? 'fail' : 'inconclusive',
        unchecked,
        misses,
        text: `the allowed ${allowed} cannot be checked: ${why}${opts.baselineRequired ? ' (evals.baseline_required is true)' : ''}`,
      });
    if (!baseline || 'missing' in baseline) {
      marginVerdict = cannot(
        baseline && 'missing' in baseline ? baseline.missing : 'no baseline is configured (set evals.baseline)',
        true,
      );
    } else {
      base.baseline = baseline.value(spec.name);
      const cmp = baseline.compare(spec.name, where.slice);
      if ('unavailable' in cmp) {
        // No test, but the point estimates still say whether the change misses the bar (the medium tier blocks on it).
        const delta = where.slice === undefined && base.baseline !== null ? m.value - base.baseline : undefined;
        const beyond = delta !== undefined && (higherIsBetter ? delta < -margin : delta > margin);
        marginVerdict = cannot(cmp.unavailable, false, beyond);
      } else {
        tested = true;
        const ci = cmp.interval(opts.confidence);
        base.delta = cmp.estimate;
        base.delta_ci = jsonInterval(ci);
        base.paired_n = cmp.n;
        p = cmp.pWorse(margin);
        const shows = `Δ ${showDelta(spec.name, cmp.estimate, true)} (${Math.round(opts.confidence * 100)}% CI ${showDelta(spec.name, ci[0], true)} to ${showDelta(spec.name, ci[1], true)}, ${cmp.n} ${cmp.method.startsWith('unpaired') ? `samples, ${cmp.method}` : 'paired cases'}) against baseline ${base.baseline === null ? '—' : fmt(base.baseline)}`;
        const clearsMargin = higherIsBetter ? ci[0] > -margin : ci[1] < margin;
        const beyond = higherIsBetter ? cmp.estimate < -margin : cmp.estimate > margin;
        marginVerdict = (family) => {
          // The MDE at the most stringent step of Holm's procedure over the whole family.
          const familyConfidence = 1 - (1 - opts.confidence) / Math.max(1, family.margins);
          const mde =
            cmp.mde?.(margin, familyConfidence) ??
            minimumDetectable(cmp.interval(familyConfidence), margin, familyConfidence);
          base.mde = Number.isFinite(mde) ? mde : null;
          const together = family.margins > 1 ? ` (with ${family.margins} margins tested together)` : '';
          const detect = Number.isFinite(mde)
            ? `this suite can detect ${higherIsBetter ? 'drops' : 'increases'} of ${showDelta(spec.name, mde)} or more${together}`
            : `this suite is too small to detect any ${higherIsBetter ? 'drop' : 'increase'} at this confidence${together}`;
          return family.regression
            ? {
                status: 'fail',
                text: `${shows}: ${higherIsBetter ? 'a drop' : 'an increase'} beyond the allowed ${showDelta(spec.name, margin)} (one-sided p = ${formatP(p)}, Holm-adjusted across blocking metrics)`,
              }
            : clearsMargin
              ? { status: 'pass', text: `${shows}: within the allowed ${allowed}` }
              : {
                  status: 'inconclusive',
                  text: `${shows}: cannot rule out a ${allowed} or more; ${detect}`,
                  misses: beyond,
                };
        };
      }
    }
  }

  const finish = (family: Family): MetricResult => {
    const all = [...absolute(family), ...(marginVerdict ? [marginVerdict(family)] : [])];
    const raw = all.some((v) => v.status === 'fail')
      ? 'fail'
      : all.some((v) => v.status === 'inconclusive')
        ? 'inconclusive'
        : 'pass';
    const status: MetricStatus = raw === 'fail' && !spec.blocking ? 'warn' : raw;
    const shown = all.filter((v) => v.status === raw).map((v) => v.text);
    const misses = all.some((v) => v.status === 'inconclusive' && v.misses);
    const estimate = `${fmt(m.value)} (${Math.round(opts.confidence * 100)}% CI ${fmt(m.ci[0])}–${fmt(m.ci[1])}, n=${m.n})`;
    // A margin with no baseline to compare is a gap in the config (baseline_required governs it), not
    // doubt in the data: the tier's default does not block on it, an explicit on_inconclusive does.
    const doubt = all.some((v) => v.status === 'inconclusive' && (!v.unchecked || opts.explicit));
    const inconclusiveBlocks = doubt && (opts.onInconclusive === 'block' || (opts.onInconclusive === 'miss' && misses));
    const tail =
      raw === 'inconclusive'
        ? inconclusiveBlocks && spec.blocking
          ? opts.onInconclusive === 'block'
            ? ' (inconclusive blocks: statistics.on_inconclusive is block)'
            : ' (inconclusive, and the estimate misses the bar: that blocks at this risk tier)'
          : ' (inconclusive: more samples would decide it)'
        : '';
    return {
      ...base,
      status,
      value: m.value,
      ci: jsonInterval(m.ci),
      n: m.n,
      reason: `${label} ${estimate}: ${shown.join('; ')}${tail}.`,
      blocks: spec.blocking && (raw === 'fail' || (raw === 'inconclusive' && inconclusiveBlocks)),
    };
  };
  return { p, blocking: spec.blocking, tested, bounds, finish };
}

function formatP(p: number): string {
  return p < 0.0001 ? '< 0.0001' : p.toPrecision(2);
}

export function jsonInterval([a, b]: Interval): JsonInterval {
  return [Number.isFinite(a) ? a : null, Number.isFinite(b) ? b : null];
}

/** The baseline as the gate found it: a run (paired where both runs have cases), unreadable, or missing. */
export type BaselineState = { run: Run; pairing?: Pairing } | { error: LoadFailure } | { missing: string };

/**
 * Every configured threshold (the pass bar, its slices, the guardrail checks), judged. A regression
 * beyond a margin is declared only when Holm's procedure across the blocking metrics rejects it at
 * (1 − confidence) / 2, one-sided: several metrics do not multiply false blocks.
 */
export function judgeThresholds(
  config: Config,
  run: Run | undefined,
  baseline: BaselineState,
  opts: JudgeOptions,
): MetricResult[] {
  if (!run) return [];
  const evals = config.evals;
  const view = baselineView(run, baseline, opts);
  const aggregates = run.aggregates;
  const drafts: DraftMetric[] = [];
  evals?.metrics.forEach((m, i) =>
    drafts.push(judgeMetric(run.all, m, opts, { bar: 'evals', configPath: `evals.metrics.${i}`, aggregates }, view)),
  );
  evals?.slices.forEach((s, si) =>
    s.metrics.forEach((m, i) =>
      drafts.push(
        judgeMetric(
          run.slices.get(s.tag) as Tally | undefined,
          m,
          opts,
          { slice: s.tag, bar: 'evals', configPath: `evals.slices.${si}.metrics.${i}` },
          view,
        ),
      ),
    ),
  );
  config.guardrails?.checks.forEach((m, i) =>
    drafts.push(
      judgeMetric(run.all, m, opts, { bar: 'guardrails', configPath: `guardrails.checks.${i}`, aggregates }, view),
    ),
  );
  // Holm over the whole family: every blocking margin compared, a p of 1 included (leaving those
  // out makes the family look smaller than it is and the false-block rate drift toward 2α).
  const alpha = (1 - opts.confidence) / 2;
  const tested = drafts.map((d, i) => [d, i] as const).filter(([d]) => d.blocking && d.tested);
  const rejected = holm(
    tested.map(([d]) => d.p),
    alpha,
  );
  const regression = new Set(tested.filter((_, k) => rejected[k]).map(([, i]) => i));
  const bounds = drafts.reduce((sum, d) => sum + (d.blocking ? d.bounds : 0), 0);
  return drafts.map((d, i) =>
    d.finish({ regression: d.blocking ? regression.has(i) : d.p <= alpha, margins: tested.length, bounds }),
  );
}

function baselineView(run: Run, baseline: BaselineState, opts: JudgeOptions): BaselineView {
  if ('missing' in baseline) return { missing: baseline.missing };
  if ('error' in baseline) return { missing: `the baseline could not be read (${baseline.error.summary})` };
  const base = baseline.run;
  return {
    value: (name) => {
      const m = measure(base.all, name, opts.confidence, base.aggregates);
      return 'missing' in m ? null : m.value;
    },
    compare: (name, slice) => {
      if (slice === undefined) return compareMetric(name, baseline.pairing, run, base);
      const [c, b] = [sliceView(run, slice), sliceView(base, slice)];
      if (!c || !b)
        return {
          unavailable: `the slice "${slice}" has no per-case values in ${c ? 'the baseline' : 'the candidate'}`,
        };
      return compareMetric(name, pairRuns(c, b), c, b);
    },
  };
}

/** A run narrowed to one slice's cases (for comparing a slice's margins). */
function sliceView(run: Run, tag: string): Run | undefined {
  const all = run.slices.get(tag);
  const cases = run.sliceCases?.get(tag);
  return all && cases ? { ...run, all, cases, ids: undefined, aggregates: new Map() } : undefined;
}

/** Pair the runs on case ids, where both have per-case values. */
export function pairingOf(run: Run | undefined, base: Run): Pairing | undefined {
  return run && !isAggregateOnly(run) && !isAggregateOnly(base) ? pairRuns(run, base) : undefined;
}
