import path from 'node:path';
import type { RolloutConfig } from '../../config/schema.js';
import { FileMetricSource } from './file.js';
import { HttpMetricSource } from './http.js';
import { PrometheusMetricSource } from './prometheus.js';
import type { MetricSource } from './types.js';

export type { MetricSource } from './types.js';

/** How old Prometheus' newest sample may be (with `freshness`) when max_age is not set. */
export const DEFAULT_PROMETHEUS_MAX_AGE_MS = 10 * 60_000;

/** The metric source the config names (undefined when none is configured). */
export function metricSourceFor(
  rollout: RolloutConfig,
  cwd: string,
  env: NodeJS.ProcessEnv,
  now: () => Date,
): MetricSource | undefined {
  const src = rollout.analysis?.source;
  if (!src) return undefined;
  if (src.provider === 'file') return new FileMetricSource(path.resolve(cwd, src.path), now);
  const token = src.token_env ? env[src.token_env] : undefined;
  if (src.provider === 'http') return new HttpMetricSource(src.url, token, now);
  return new PrometheusMetricSource(src.url, token, {
    metrics: rollout.analysis!.metrics,
    requests: src.requests,
    freshness: src.freshness,
    maxAgeMs: src.max_age ?? DEFAULT_PROMETHEUS_MAX_AGE_MS,
  });
}
