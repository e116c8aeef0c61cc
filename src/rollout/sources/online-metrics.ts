import type { OnlineMetrics, VariantData } from '../analysis.js';

/** How old the online metrics may be before they count as missing (a stale export is not evidence). */
export const MAX_METRICS_AGE_MS = 2 * 60 * 60_000;

/** Validate the online metrics JSON of SPEC §7. */
export function parseOnlineMetrics(raw: unknown, where: string, now: Date): OnlineMetrics {
  const doc = raw as { generated_at?: unknown; variants?: Record<string, unknown> };
  if (typeof doc !== 'object' || doc === null || typeof doc.variants !== 'object' || doc.variants === null) {
    throw new Error(
      `${where} has no "variants" object ({"generated_at": ..., "variants": {"canary": {...}, "control": {...}}})`,
    );
  }
  if (typeof doc.generated_at === 'string') {
    const at = Date.parse(doc.generated_at);
    if (Number.isNaN(at)) throw new Error(`${where}: generated_at is not an ISO-8601 time`);
    if (now.getTime() - at > MAX_METRICS_AGE_MS) throw new Error(`${where} is stale: generated at ${doc.generated_at}`);
  }
  const variant = (v: unknown): VariantData | undefined => {
    if (typeof v !== 'object' || v === null) return undefined;
    const o = v as Record<string, unknown>;
    const nums = (x: unknown) =>
      Object.fromEntries(
        Object.entries(typeof x === 'object' && x !== null ? x : {}).filter(([, n]) => typeof n === 'number'),
      ) as Record<string, number>;
    return {
      requests: typeof o.requests === 'number' ? o.requests : NaN,
      counts: nums(o.counts),
      means: nums(o.means),
    };
  };
  return {
    generatedAt: typeof doc.generated_at === 'string' ? doc.generated_at : undefined,
    canary: variant(doc.variants.canary),
    control: variant(doc.variants.control),
  };
}
