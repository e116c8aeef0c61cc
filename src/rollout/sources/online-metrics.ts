import type { OnlineMetrics, VariantData } from '../analysis.js';

/** How old the online metrics may be before they count as missing (a stale export is not evidence). */
export const MAX_METRICS_AGE_MS = 2 * 60 * 60_000;
/** Clock skew tolerated on generated_at: a time further ahead is a broken exporter. */
export const MAX_CLOCK_SKEW_MS = 5 * 60_000;
/** More requests than any service serves in a window: a number past it is garbage, not traffic. */
const MAX_REQUESTS = 1e15;

/**
 * Validate the online metrics JSON: {"generated_at": ISO-8601, "variants": {"canary": {...}, "control": {...}}}.
 * Anything that cannot be traffic (a negative, fractional or non-finite count, more events than
 * requests, a non-finite mean) makes the whole read an error: garbage is never evidence either way.
 */
export function parseOnlineMetrics(raw: unknown, where: string, now: Date): OnlineMetrics {
  const doc = raw as { generated_at?: unknown; variants?: Record<string, unknown> };
  if (typeof doc !== 'object' || doc === null || typeof doc.variants !== 'object' || doc.variants === null) {
    throw new Error(
      `${where} has no "variants" object ({"generated_at": ..., "variants": {"canary": {...}, "control": {...}}})`,
    );
  }
  checkFresh(doc.generated_at, where, now);
  const variant = (name: 'canary' | 'control'): VariantData | undefined => {
    const v = doc.variants![name];
    if (v === undefined) return undefined;
    if (typeof v !== 'object' || v === null) throw new Error(`${where}: variants.${name} is not an object`);
    const o = v as Record<string, unknown>;
    const requests = o.requests;
    if (!isCount(requests)) throw new Error(`${where}: variants.${name}.requests ${notCount(requests)}`);
    const numbers = (key: 'counts' | 'means' | 'sds') => {
      const x = o[key];
      if (x === undefined) return {};
      if (typeof x !== 'object' || x === null || Array.isArray(x))
        throw new Error(`${where}: variants.${name}.${key} is not an object of numbers`);
      const out: Record<string, number> = Object.create(null) as Record<string, number>;
      for (const [k, n] of Object.entries(x)) {
        const at = `${where}: variants.${name}.${key}.${k}`;
        if (n === null) continue; // null: not measured (the metric reads as missing)
        if (key === 'counts') {
          if (!isCount(n)) throw new Error(`${at} ${notCount(n)}`);
          if (n > requests) throw new Error(`${at} is ${n}, more than the ${requests} requests`);
        } else if (typeof n !== 'number' || !Number.isFinite(n) || (key === 'sds' && n < 0)) {
          throw new Error(
            `${at} is ${typeof n === 'number' ? String(n) : JSON.stringify(n)}, not a finite number${key === 'sds' ? ' ≥ 0' : ''}`,
          );
        }
        out[k] = n;
      }
      return out;
    };
    return { requests, counts: numbers('counts'), means: numbers('means'), sds: numbers('sds') };
  };
  return { generatedAt: doc.generated_at as string, canary: variant('canary'), control: variant('control') };
}

/** generated_at is required, an ISO-8601 time, not in the future and not older than MAX_METRICS_AGE_MS. */
export function checkFresh(generatedAt: unknown, where: string, now: Date, maxAgeMs = MAX_METRICS_AGE_MS): void {
  if (typeof generatedAt !== 'string')
    throw new Error(`${where} has no "generated_at" time: without it, stale metrics cannot be told from fresh ones`);
  const at = Date.parse(generatedAt);
  if (Number.isNaN(at))
    throw new Error(`${where}: generated_at ${JSON.stringify(generatedAt)} is not an ISO-8601 time`);
  if (at - now.getTime() > MAX_CLOCK_SKEW_MS)
    throw new Error(`${where}: generated_at ${generatedAt} is in the future (now ${now.toISOString()})`);
  if (now.getTime() - at > maxAgeMs) throw new Error(`${where} is stale: generated at ${generatedAt}`);
}

export function isCount(v: unknown): v is number {
  return typeof v === 'number' && Number.isInteger(v) && v >= 0 && v <= MAX_REQUESTS;
}

function notCount(v: unknown): string {
  return `is ${typeof v === 'number' ? String(v) : JSON.stringify(v)}, not a whole number from 0 to ${MAX_REQUESTS}`;
}
