import { showValue } from '../metrics/display.js';
import type { Interval } from '../stats/interval.js';
import { confidenceSequence, proportionDifference } from '../stats/sequential.js';

/** Online metrics of the canary and control variants (SPEC §7). */
export interface VariantData {
  requests: number;
  counts: Record<string, number>;
  means: Record<string, number>;
}

export interface OnlineMetrics {
  generatedAt?: string;
  canary?: VariantData;
  control?: VariantData;
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
  /** Always-valid interval of canary − control (rates only). */
  cs: Interval | null;
  detail: string;
}

const ALPHA = 0.05;

/**
 * Canary against control for each metric. `X_rate` is counts.X / requests, compared with an
 * always-valid confidence sequence (every tick looks again); any other name is a mean, judged on its
 * value. Missing data, no traffic or a non-number is an `error`: never a pass, never a regression.
 */
export function analyse(metrics: readonly AnalysisMetric[], data: OnlineMetrics): MetricEvidence[] {
  return metrics.map((m) => judge(m, data));
}

function judge(m: AnalysisMetric, data: OnlineMetrics): MetricEvidence {
  const base = { name: m.name, canary: null, control: null, cs: null };
  const { canary, control } = data;
  if (!canary || !control)
    return { ...base, status: 'error', detail: `no ${!canary ? 'canary' : 'control'} variant in the metrics` };
  const rate = m.name.endsWith('_rate');
  const fmt = (v: number) => (rate ? `${showValue('error_rate', v)}` : String(Number(v.toPrecision(4))));
  let c: number;
  let k: number;
  let cs: Interval | null = null;
  if (rate) {
    const key = m.name.slice(0, -'_rate'.length);
    const [xc, xk] = [canary.counts?.[key], control.counts?.[key]];
    if (!(canary.requests > 0) || !(control.requests > 0))
      return { ...base, status: 'error', detail: `no traffic on the ${canary.requests > 0 ? 'control' : 'canary'}` };
    if (!isCount(xc) || !isCount(xk))
      return { ...base, status: 'error', detail: `counts.${key} is missing or not a number` };
    c = xc / canary.requests;
    k = xk / control.requests;
    const d = proportionDifference(xc, canary.requests, xk, control.requests);
    const margin = m.max_increase ?? m.max_drop ?? 0.01;
    cs = confidenceSequence(d.estimate, d.variance, ALPHA, Math.max(margin, 0.005) ** 2);
  } else {
    const [mc, mk] = [canary.means?.[m.name], control.means?.[m.name]];
    if (!Number.isFinite(mc) || !Number.isFinite(mk))
      return { ...base, status: 'error', detail: `means.${m.name} is missing or not a number` };
    c = mc!;
    k = mk!;
  }
  const verdicts: { status: AnalysisStatus; text: string }[] = [];
  if (m.max !== undefined)
    verdicts.push(
      c > m.max
        ? { status: 'fail', text: `canary ${fmt(c)} is above the maximum ${fmt(m.max)}` }
        : { status: 'pass', text: `canary ${fmt(c)} ≤ ${fmt(m.max)}` },
    );
  if (m.min !== undefined)
    verdicts.push(
      c < m.min
        ? { status: 'fail', text: `canary ${fmt(c)} is below the minimum ${fmt(m.min)}` }
        : { status: 'pass', text: `canary ${fmt(c)} ≥ ${fmt(m.min)}` },
    );
  const diff = c - k;
  if (m.max_increase !== undefined) {
    const d = m.max_increase;
    const [lo, hi] = cs ?? [diff, diff];
    verdicts.push(
      lo > d
        ? {
            status: 'fail',
            text: `canary exceeds control by more than ${fmt(d)} (${fmt(diff)}${cs ? `, always-valid 95% interval ${fmt(lo)} to ${fmt(hi)}` : ''})`,
          }
        : hi <= d
          ? {
              status: 'pass',
              text: `within ${fmt(d)} of control (${fmt(diff)}${cs ? `, interval ${fmt(lo)} to ${fmt(hi)}` : ''})`,
            }
          : {
              status: 'inconclusive',
              text: `cannot yet rule out an increase beyond ${fmt(d)} (${fmt(diff)}, interval ${fmt(lo)} to ${fmt(hi)})`,
            },
    );
  }
  if (m.max_drop !== undefined) {
    const d = m.max_drop;
    const [lo, hi] = cs ?? [diff, diff];
    verdicts.push(
      hi < -d
        ? {
            status: 'fail',
            text: `canary is below control by more than ${fmt(d)} (${fmt(diff)}${cs ? `, always-valid 95% interval ${fmt(lo)} to ${fmt(hi)}` : ''})`,
          }
        : lo >= -d
          ? {
              status: 'pass',
              text: `within ${fmt(d)} of control (${fmt(diff)}${cs ? `, interval ${fmt(lo)} to ${fmt(hi)}` : ''})`,
            }
          : {
              status: 'inconclusive',
              text: `cannot yet rule out a drop beyond ${fmt(d)} (${fmt(diff)}, interval ${fmt(lo)} to ${fmt(hi)})`,
            },
    );
  }
  const status: AnalysisStatus = verdicts.some((v) => v.status === 'fail')
    ? 'fail'
    : verdicts.some((v) => v.status === 'inconclusive')
      ? 'inconclusive'
      : 'pass';
  return {
    ...base,
    canary: c,
    control: k,
    cs,
    status,
    detail: verdicts
      .filter((v) => v.status === status)
      .map((v) => v.text)
      .join('; '),
  };
}

function isCount(v: unknown): v is number {
  return typeof v === 'number' && Number.isFinite(v) && v >= 0;
}
