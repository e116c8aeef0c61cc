import type { OnlineMetrics } from '../analysis.js';
import { parseOnlineMetrics } from './online-metrics.js';
import type { MetricSource } from './types.js';

/** The same JSON from a URL, with an optional bearer token from an environment variable. */
export class HttpMetricSource implements MetricSource {
  constructor(
    private readonly url: string,
    private readonly token: string | undefined,
    private readonly now: () => Date,
  ) {}

  describe(): string {
    return `metrics at ${new URL(this.url).origin}`;
  }

  async read(): Promise<OnlineMetrics> {
    const res = await fetch(this.url, {
      headers: this.token ? { authorization: `Bearer ${this.token}` } : {},
      signal: AbortSignal.timeout(15_000),
    });
    if (!res.ok) throw new Error(`${this.describe()} answered HTTP ${res.status}`);
    let raw: unknown;
    try {
      raw = await res.json();
    } catch {
      throw new Error(`${this.describe()} did not answer JSON`);
    }
    return parseOnlineMetrics(raw, this.describe(), this.now());
  }
}
