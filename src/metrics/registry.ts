/**
 * The one registry of built-in metrics: each is described once here, and the config schema, the
 * measurement, the baseline comparison and the reports read it. Adding a built-in metric means one
 * entry here (plus, for a new per-sample field, the run model that collects it).
 */
export type MetricKind = 'rate' | 'mean' | 'quantile';
/** Where a per-sample value lives in a tally and in the per-case table. */
export type ValueChannel = 'score' | 'latency' | 'cost' | 'tokens';

export interface MetricInfo {
  /** What it means, for the schema and the docs. */
  description: string;
  higherIsBetter: boolean;
  kind: MetricKind;
  unit: '' | 'ms' | 'USD';
  /**
   * How it is measured and compared: a rate of outcomes (`passed` of scored, or `errors` of attempted),
   * the mean of a channel, or a quantile of a channel.
   */
  measure:
    { rate: 'passed' | 'errors' } | { mean: Exclude<ValueChannel, 'latency'> } | { quantile: number; of: 'latency' };
  /** How a margin against the baseline is tested on paired cases. */
  compare: 'paired-binary' | 'paired-mean' | 'bootstrap-quantile';
  /** The words used when the results lack it ("the results carry no …"). */
  missing: string;
}

export const BUILTIN_METRICS = {
  pass_rate: {
    description: 'Share of scored samples that passed (errors and skipped left out).',
    higherIsBetter: true,
    kind: 'rate',
    unit: '',
    measure: { rate: 'passed' },
    compare: 'paired-binary',
    missing: 'scored samples',
  },
  score: {
    description: 'Mean score of the samples that carry one.',
    higherIsBetter: true,
    kind: 'mean',
    unit: '',
    measure: { mean: 'score' },
    compare: 'paired-mean',
    missing: 'scores',
  },
  error_rate: {
    description: 'Share of attempted samples that were infrastructure errors.',
    higherIsBetter: false,
    kind: 'rate',
    unit: '',
    measure: { rate: 'errors' },
    compare: 'paired-binary',
    missing: 'samples',
  },
  latency_p50_ms: {
    description: 'Median latency, in milliseconds.',
    higherIsBetter: false,
    kind: 'quantile',
    unit: 'ms',
    measure: { quantile: 0.5, of: 'latency' },
    compare: 'bootstrap-quantile',
    missing: 'latency',
  },
  latency_p95_ms: {
    description: '95th percentile latency, in milliseconds.',
    higherIsBetter: false,
    kind: 'quantile',
    unit: 'ms',
    measure: { quantile: 0.95, of: 'latency' },
    compare: 'bootstrap-quantile',
    missing: 'latency',
  },
  cost_per_sample_usd: {
    description: 'Mean cost of one sample, in US dollars.',
    higherIsBetter: false,
    kind: 'mean',
    unit: 'USD',
    measure: { mean: 'cost' },
    compare: 'paired-mean',
    missing: 'cost',
  },
  tokens_per_sample: {
    description: 'Mean tokens used by one sample.',
    higherIsBetter: false,
    kind: 'mean',
    unit: '',
    measure: { mean: 'tokens' },
    compare: 'paired-mean',
    missing: 'token counts',
  },
} as const satisfies Record<string, MetricInfo>;

export type BuiltinMetric = keyof typeof BUILTIN_METRICS;

export const NAMED_SCORE_PREFIX = 'score.';

/** A named score from the results (`score.<name>`): a higher-is-better mean, compared paired. */
const NAMED_SCORE: Omit<MetricInfo, 'missing'> = {
  description: 'A named score from the results.',
  higherIsBetter: true,
  kind: 'mean',
  unit: '',
  measure: { mean: 'score' },
  compare: 'paired-mean',
};

export function metricInfo(name: string): MetricInfo | undefined {
  if (Object.hasOwn(BUILTIN_METRICS, name)) return BUILTIN_METRICS[name as BuiltinMetric];
  if (name.startsWith(NAMED_SCORE_PREFIX) && name.length > NAMED_SCORE_PREFIX.length) {
    return { ...NAMED_SCORE, missing: `a named score "${name.slice(NAMED_SCORE_PREFIX.length)}"` };
  }
  return undefined;
}

/** The per-case channel a metric's comparison reads (`score.<name>` for a named score); none for rates. */
export function channelOf(name: string): string | undefined {
  const info = metricInfo(name);
  if (!info || 'rate' in info.measure) return undefined;
  if (name.startsWith(NAMED_SCORE_PREFIX)) return name;
  return 'mean' in info.measure ? info.measure.mean : info.measure.of;
}
