import type { OnlineMetrics, VariantData } from '../analysis.js';
import type { MetricSource } from './types.js';

interface PromQuery {
  canary: string;
  control: string;
}

/**
 * Prometheus: each metric names a PromQL query per variant (one series each, e.g. a sum over the
 * window). `X_rate` metrics become counts against the `requests` queries, so the canary analysis can
 * weigh them by traffic; any other metric is a mean.
 */
export class PrometheusMetricSource implements MetricSource {
  constructor(
    private readonly url: string,
    private readonly token: string | undefined,
    private readonly metrics: readonly { name: string; query?: PromQuery }[],
    private readonly requests: PromQuery | undefined,
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
    if (!res.ok || doc?.status !== 'success')
      throw new Error(`${this.describe()}: ${doc?.error ?? `HTTP ${res.status}`} for ${query}`);
    const { resultType, result } = doc.data!;
    if (resultType === 'scalar') return Number((result as [number, string])[1]);
    if (resultType !== 'vector')
      throw new Error(`${this.describe()}: ${query} returned a ${resultType}; return one number`);
    const series = result as { value: [number, string] }[];
    if (series.length !== 1)
      throw new Error(`${this.describe()}: ${query} returned ${series.length} series; aggregate it to one (sum(...))`);
    return Number(series[0]!.value[1]);
  }

  async read(): Promise<OnlineMetrics> {
    const variant = async (which: 'canary' | 'control'): Promise<VariantData> => {
      const requests = this.requests ? await this.value(this.requests[which]) : NaN;
      const v: VariantData = { requests, counts: {}, means: {} };
      for (const m of this.metrics) {
        if (!m.query) continue;
        const x = await this.value(m.query[which]);
        if (m.name.endsWith('_rate')) v.counts[m.name.slice(0, -5)] = Math.round(x * requests);
        else v.means[m.name] = x;
      }
      return v;
    };
    return { canary: await variant('canary'), control: await variant('control') };
  }
}
