import type { OnlineMetrics, VariantData } from '../analysis.js';
import { checkFresh } from './online-metrics.js';
import type { MetricSource } from './types.js';

interface PromQuery {
  canary: string;
  control: string;
}

export interface PrometheusOptions {
  metrics: readonly { name: string; query?: PromQuery; sd_query?: PromQuery }[];
  requests?: PromQuery;
  /** PromQL answering the Unix time of the newest sample behind the queries. */
  freshness?: string;
  maxAgeMs: number;
}

/**
 * Prometheus: each metric names a PromQL query per variant (one series each). An `X_rate` query
 * must return a ratio in [0, 1] (errors / requests over the window); it becomes a count against the
 * `requests` queries, so the canary analysis can weigh it by traffic. Any other metric is a mean,
 * with an optional `sd_query` (its standard deviation per request) for error control. With
 * `freshness`, data older than `max_age` is missing, not evidence.
 */
export class PrometheusMetricSource implements MetricSource {
  constructor(
    private readonly url: string,
    private readonly token: string | undefined,
    private readonly opts: PrometheusOptions,
  ) {}

  describe(): string {
    return `Prometheus at ${new URL(this.url).origin}`;
  }

  private async value(query: string): Promise<number> {
    const u = new URL('/api/v1/query', this.url);
    const res = await fetch(u, {
      method: 'POST',
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        ...(this.token ? { authorization: `Bearer ${this.token}` } : {}),
      },
      body: new URLSearchParams({ query }),
      signal: AbortSignal.timeout(15_000),
    });
    const doc = (await res.json().catch(() => undefined)) as
      { status?: string; error?: string; data?: { resultType: string; result: unknown } } | undefined;
    if (!res.ok || doc?.status !== 'success' || !doc.data)
      throw new Error(`${this.describe()}: ${doc?.error ?? `HTTP ${res.status}`} for ${query}`);
    const { resultType, result } = doc.data;
    let raw: unknown;
    if (resultType === 'scalar') raw = (result as [number, string])[1];
    else if (resultType !== 'vector')
      throw new Error(`${this.describe()}: ${query} returned a ${resultType}; return one number`);
    else {
      const series = result as { value: [number, string] }[];
      if (series.length !== 1)
        throw new Error(
          `${this.describe()}: ${query} returned ${series.length} series; aggregate it to one (sum(...))`,
        );
      raw = series[0]!.value[1];
    }
    const x = Number(raw);
    if (!Number.isFinite(x)) throw new Error(`${this.describe()}: ${query} returned ${String(raw)}, not a number`);
    return x;
  }

  async read(): Promise<OnlineMetrics> {
    let generatedAt: string | undefined;
    if (this.opts.freshness) {
      const newest = await this.value(this.opts.freshness);
      generatedAt = new Date(newest * 1000).toISOString();
      checkFresh(
        generatedAt,
        `${this.describe()} (newest sample by ${this.opts.freshness})`,
        new Date(),
        this.opts.maxAgeMs,
      );
    }
    const variant = async (which: 'canary' | 'control'): Promise<VariantData> => {
      const requests = this.opts.requests ? Math.round(await this.value(this.opts.requests[which])) : NaN;
      if (this.opts.requests && requests < 0)
        throw new Error(`${this.describe()}: the ${which} requests query returned ${requests}`);
      const v: VariantData = { requests, counts: {}, means: {}, sds: {} };
      for (const m of this.opts.metrics) {
        if (!m.query) continue;
        const q = m.query[which];
        const x = await this.value(q);
        if (m.name.endsWith('_rate')) {
          if (x < 0 || x > 1)
            throw new Error(
              `${this.describe()}: ${q} returned ${x}; a _rate query must return a ratio in [0, 1] (events / requests), not a count`,
            );
          v.counts[m.name.slice(0, -5)] = Math.round(x * requests);
        } else v.means[m.name] = x;
        if (m.sd_query) {
          const sd = await this.value(m.sd_query[which]);
          if (sd < 0)
            throw new Error(`${this.describe()}: ${m.sd_query[which]} returned ${sd}, not a standard deviation`);
          v.sds![m.name] = sd;
        }
      }
      return v;
    };
    const canary = await variant('canary');
    // At 100% there is no control traffic (its ratios are 0/0): the analysis says so where it needs one.
    const control = await variant('control').catch((err: Error) => err.message);
    return typeof control === 'string'
      ? { generatedAt, canary, controlError: control }
      : { generatedAt, canary, control };
  }
}
