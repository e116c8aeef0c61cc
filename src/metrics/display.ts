import { metricInfo } from './registry.js';

/** JSON has no infinity: an unbounded end of an interval is null. */
type JsonInterval = [number | null, number | null];

/** How each metric is shown (its unit and kind come from the registry); shared by every renderer. */
export function showValue(name: string, v: number | null): string {
  if (v === null) return '—';
  if (!Number.isFinite(v)) return v > 0 ? '∞' : '−∞';
  const info = metricInfo(name);
  if (info?.kind === 'rate') return `${trim(v * 100)}%`;
  if (info?.unit === 'USD') return usd(v);
  if (info?.unit === 'ms') return `${Math.round(v)} ms`;
  return trim(v);
}

/**
 * A difference of a metric: rates in percentage points, other metrics in their unit. `signed`
 * adds + to positive values.
 */
export function showDelta(name: string, v: number | null, signed = false): string {
  if (v === null) return '—';
  if (!Number.isFinite(v)) return v > 0 ? '+∞' : '−∞';
  const sign = signed && v > 0 ? '+' : v < 0 ? '−' : '';
  const a = Math.abs(v);
  const info = metricInfo(name);
  if (info?.kind === 'rate') return `${sign}${trim(a * 100)} pts`;
  return `${sign}${showValue(name, a)}`;
}

export function showInterval(name: string, ci: JsonInterval | null): string {
  if (!ci) return '—';
  const end = (v: number | null, neg: boolean) => (v === null ? (neg ? '−∞' : '∞') : showValue(name, v));
  return `${end(ci[0], true)} – ${end(ci[1], false)}`;
}

export function showThreshold(
  name: string,
  t: { min?: number; max?: number; max_drop?: number; max_increase?: number },
): string {
  const parts: string[] = [];
  if (t.min !== undefined) parts.push(`≥ ${showValue(name, t.min)}`);
  if (t.max !== undefined) parts.push(`≤ ${showValue(name, t.max)}`);
  if (t.max_drop !== undefined) parts.push(`drop ≤ ${showDelta(name, t.max_drop)}`);
  if (t.max_increase !== undefined) parts.push(`rise ≤ ${showDelta(name, t.max_increase)}`);
  return parts.join(', ');
}

function trim(v: number): string {
  if (Math.abs(v) >= 1000) return v.toFixed(0);
  return String(Number(v.toPrecision(3)));
}

function usd(v: number): string {
  // Thousands separated by hand: the first toLocaleString loads ICU (about 20 ms of every run).
  if (Math.abs(v) >= 100) return `$${String(Math.round(v)).replace(/\B(?=(\d{3})+$)/g, ',')}`;
  if (Math.abs(v) >= 1) return `$${v.toFixed(2)}`;
  return `$${Number(v.toPrecision(2))}`;
}
