import { showValue } from '../metrics/display.js';
import type { Interval } from '../stats/interval.js';
import { confidenceSequence, proportionDifference, proportionVariance } from '../stats/sequential.js';

/** Online metrics of one variant: request count, event counts, means and (optionally) their standard deviations. */
export interface VariantData {
  requests: number;
  counts: Record<string, number>;
  means: Record<string, number>;
  /** Standard deviation per request of each mean: what lets a mean be judged with error control. */
  sds?: Record<string, number>;
}

export interface OnlineMetrics {
  generatedAt?: string;
  canary?: VariantData;
  control?: VariantData;
  /** Why the control could not be read (a source that reads each variant apart). */
  controlError?: string;
}

export interface AnalysisMetric {
  name: string;
  max_increase?: number;
  max_drop?: number;
  max?: number;
  min?: number;
}

export type AnalysisStatus = 'pass' | 'fail' | 'inconclusive' | 'error';

export interface MetricEvidence {
  name: string;
  status: AnalysisStatus;
  canary: number | null;
  control: number | null;
  /** Always-valid interval of canary − control, when one could be formed. */
  cs: Interval | null;
  detail: string;
}

export interface AnalysisContext {
  /** The stage serves everyone (100%): there is no control, so only absolute bounds can be judged. */
  noControl?: boolean;
  /**
   * The stage has its min_samples and min_duration. A mean without a standard deviation has no error
   * control, so it is judged on its value only then (before, it is inconclusive).
   */
  baked?: boolean;
}

const ALPHA = 0.05;
/** Fewer requests than this and a mean's reported sd is not used (the value is judged once baked). */
export const MIN_REQUESTS_FOR_SD = 30;
/** The smallest mixing scale of the confidence sequences (a rate of 0.5 points). */
const MIN_TAU = 0.005;

/**
 * Canary against control, and the canary against absolute bounds, for each metric. `X_rate` is
 * counts.X / requests; any other name is a mean (with `sds.X` when the source gives it). Every
 * judgement uses an always-valid confidence sequence (each tick looks again, and one canary request
 * is not evidence): a bound fails only when the whole interval is past it. A mean without a standard
 * deviation is judged on its value once the stage has baked (the stated rule: no error control).
 * Missing data, no traffic or a non-number is an `error`: never a pass, never a regression.
 */
export function analyse(
  metrics: readonly AnalysisMetric[],
  data: OnlineMetrics,
  ctx: AnalysisContext = {},
): MetricEvidence[] {
  return metrics.map((m) => judge(m, data, ctx));
}

interface Estimate {
  value: number;
  /** Variance of `value`; undefined when the source gave none (a mean without sds). */
  variance?: number;
}

function judge(m: AnalysisMetric, data: OnlineMetrics, ctx: AnalysisContext): MetricEvidence {
  const base = { name: m.name, canary: null, control: null, cs: null };
  const error = (detail: string): MetricEvidence => ({ ...base, status: 'error', detail });
  const { canary, control } = data;
  const relative = m.max_increase !== undefined || m.max_drop !== undefined;
  const withControl = !ctx.noControl && relative;
  if (!canary) return error('no canary variant in the metrics');
  if (withControl && !control) return error(data.controlError ?? 'no control variant in the metrics');
  const rate = m.name.endsWith('_rate');
  const fmt = (v: number) => (rate ? showValue('error_rate', v) : String(Number(v.toPrecision(4))));
  const read = (v: VariantData, which: string): Estimate | string => {
    if (rate) {
      const key = m.name.slice(0, -'_rate'.length);
      if (!(v.requests > 0)) return `no traffic on the ${which}`;
      const x = Object.hasOwn(v.counts, key) ? v.counts[key] : undefined;
      if (typeof x !== 'number') return `counts.${key} is missing on the ${which}`;
      return { value: x / v.requests, variance: proportionVariance(x, v.requests) };
    }
    // Own keys only: a metric named toString or __proto__ is not a value of every object.
    const mean = Object.hasOwn(v.means, m.name) ? v.means[m.name] : undefined;
    if (typeof mean !== 'number') return `means.${m.name} is missing on the ${which}`;
    // A spread is evidence only from MIN_REQUESTS_FOR_SD requests on: one request with sd 0 is not certainty.
    const sd = v.sds && Object.hasOwn(v.sds, m.name) ? v.sds[m.name] : undefined;
    return {
      value: mean,
      variance: sd !== undefined && v.requests >= MIN_REQUESTS_FOR_SD ? sd ** 2 / v.requests : undefined,
    };
  };
  const c = read(canary, 'canary');
  if (typeof c === 'string') return error(c);
  const k = withControl ? read(control!, 'control') : undefined;
  if (typeof k === 'string') return error(k);

  const verdicts: { status: AnalysisStatus; text: string }[] = [];
  /** `interval` fully past the bound fails, fully inside passes, otherwise inconclusive. */
  const bound = (interval: Interval | null, point: number, limit: number, above: boolean, what: string) => {
    if (!interval) {
      // No spread to judge with: the value itself, once the stage has baked.
      if (!ctx.baked)
        return verdicts.push({
          status: 'inconclusive',
          text: `${what} ${fmt(point)}: judged once the stage has baked`,
        });
      const past = above ? point > limit : point < limit;
      return verdicts.push({
        status: past ? 'fail' : 'pass',
        text: `${what} ${fmt(point)} ${past ? (above ? 'is above' : 'is below') : above ? '≤' : '≥'} ${fmt(limit)} (no sds given: judged on the value)`,
      });
    }
    const [lo, hi] = interval;
    const shown = `${fmt(point)}, always-valid 95% interval ${fmt(lo)} to ${fmt(hi)}`;
    const past = above ? lo > limit : hi < limit;
    const inside = above ? hi <= limit : lo >= limit;
    verdicts.push(
      past
        ? { status: 'fail', text: `${what} is ${above ? 'above' : 'below'} ${fmt(limit)} (${shown})` }
        : inside
          ? { status: 'pass', text: `${what} ${above ? '≤' : '≥'} ${fmt(limit)} (${shown})` }
          : {
              status: 'inconclusive',
              text: `${what} cannot yet be told ${above ? 'below' : 'above'} ${fmt(limit)} (${shown})`,
            },
    );
  };
  const tau2 = (scale: number) => Math.max(Math.abs(scale) / 2, rate ? MIN_TAU : 0) ** 2 || MIN_TAU ** 2;
  const canaryCs = (limit: number) =>
    c.variance === undefined ? null : confidenceSequence(c.value, c.variance, ALPHA, tau2(limit));
  if (m.max !== undefined) bound(canaryCs(m.max), c.value, m.max, true, 'canary');
  if (m.min !== undefined) bound(canaryCs(m.min), c.value, m.min, false, 'canary');

  let cs: Interval | null = null;
  if (relative && !withControl) {
    verdicts.push({ status: 'pass', text: 'no control at 100%: compared with control at the stages before' });
  } else if (k) {
    const margin = m.max_increase ?? m.max_drop ?? 0;
    const diff = c.value - k.value;
    if (rate) {
      const key = m.name.slice(0, -'_rate'.length);
      const d = proportionDifference(canary.counts[key]!, canary.requests, control!.counts[key]!, control!.requests);
      cs = confidenceSequence(d.estimate, d.variance, ALPHA, Math.max(margin, MIN_TAU) ** 2);
    } else if (c.variance !== undefined && k.variance !== undefined) {
      cs = confidenceSequence(diff, c.variance + k.variance, ALPHA, tau2(margin || k.value * 0.1));
    }
    if (m.max_increase !== undefined) bound(cs, diff, m.max_increase, true, 'canary − control');
    if (m.max_drop !== undefined) bound(cs, diff, -m.max_drop, false, 'canary − control');
  }
  const status: AnalysisStatus = verdicts.some((v) => v.status === 'fail')
    ? 'fail'
    : verdicts.some((v) => v.status === 'inconclusive')
      ? 'inconclusive'
      : 'pass';
  return {
    ...base,
    canary: c.value,
    control: k?.value ?? null,
    cs,
    status,
    detail: verdicts
      .filter((v) => v.status === status)
      .map((v) => v.text)
      .join('; '),
  };
}
