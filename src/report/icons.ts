import type { BarStatus, MetricResult, MetricStatus } from '../gate/verdict.js';

export const BAR_ICON: Record<BarStatus, string> = { pass: '✅', fail: '❌', warn: '⚠️', blocked: '⛔' };
export const METRIC_ICON: Record<MetricStatus, string> = {
  pass: '✅',
  fail: '❌',
  warn: '⚠️',
  inconclusive: '❔',
  error: '💥',
};

export function metricLabel(m: MetricResult): string {
  return m.slice !== undefined ? `${m.name} [${m.slice}]` : m.name;
}
