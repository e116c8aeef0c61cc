/** What the gate knows about each metric name: direction and how to read it. */
export const BUILTIN_METRICS = {
  pass_rate: { higherIsBetter: true, kind: 'rate', unit: '' },
  score: { higherIsBetter: true, kind: 'mean', unit: '' },
  error_rate: { higherIsBetter: false, kind: 'rate', unit: '' },
  latency_p50_ms: { higherIsBetter: false, kind: 'quantile', unit: 'ms' },
  latency_p95_ms: { higherIsBetter: false, kind: 'quantile', unit: 'ms' },
  cost_per_sample_usd: { higherIsBetter: false, kind: 'mean', unit: 'USD' },
  tokens_per_sample: { higherIsBetter: false, kind: 'mean', unit: '' },
} as const;

export type BuiltinMetric = keyof typeof BUILTIN_METRICS;
export type MetricKind = 'rate' | 'mean' | 'quantile';

export interface MetricInfo {
  higherIsBetter: boolean;
  kind: MetricKind;
  unit: string;
}

export const NAMED_SCORE_PREFIX = 'score.';

export function metricInfo(name: string): MetricInfo | undefined {
  if (name in BUILTIN_METRICS) return BUILTIN_METRICS[name as BuiltinMetric];
  if (name.startsWith(NAMED_SCORE_PREFIX) && name.length > NAMED_SCORE_PREFIX.length) {
    return { higherIsBetter: true, kind: 'mean', unit: '' };
  }
  return undefined;
}
