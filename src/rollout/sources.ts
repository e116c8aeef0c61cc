import { readFile, writeFile } from 'node:fs/promises';
import type { RolloutConfig } from '../config/schema.js';
import path from 'node:path';
import { FlagdError, flagdPercent, withFlagdPercent, type FlagdDocument } from './flags/flagd-document.js';
import type { OnlineMetrics, VariantData } from './analysis.js';

/** Where the live percentage lives. `write` is compare-and-set: it refuses when the flag moved. */
export interface FlagProvider {
  describe(): string;
  read(): Promise<number>;
  write(percent: number, expected: number): Promise<void>;
}

export interface MetricSource {
  describe(): string;
  read(): Promise<OnlineMetrics>;
}

export class ConflictError extends Error {}

/** flagd-file written in place (the CLI; the action commits it through the Contents API). */
export class FlagdFileProvider implements FlagProvider {
  constructor(
    private readonly file: string,
    private readonly key: string,
  ) {}

  describe(): string {
    return `flagd file ${this.file}, flag ${this.key}`;
  }

  private async doc(): Promise<FlagdDocument> {
    let text: string;
    try {
      text = await readFile(this.file, 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return { flags: {} };
      throw err;
    }
    try {
      return JSON.parse(text) as FlagdDocument;
    } catch {
      throw new FlagdError(`${this.file} is not valid JSON`);
    }
  }

  async read(): Promise<number> {
    return flagdPercent(await this.doc(), this.key);
  }

  async write(percent: number, expected: number): Promise<void> {
    const doc = await this.doc();
    const now = flagdPercent(doc, this.key);
    if (now !== expected) throw new ConflictError(`the flag moved to ${now}% (expected ${expected}%)`);
    await writeFile(this.file, `${JSON.stringify(withFlagdPercent(doc, this.key, percent), null, 2)}\n`);
  }
}

/** How old the online metrics may be before they count as missing (a stale export is not evidence). */
export const MAX_METRICS_AGE_MS = 2 * 60 * 60_000;

/** Validate the online metrics JSON of SPEC §7. */
export function parseOnlineMetrics(raw: unknown, where: string, now: Date): OnlineMetrics {
  const doc = raw as { generated_at?: unknown; variants?: Record<string, unknown> };
  if (typeof doc !== 'object' || doc === null || typeof doc.variants !== 'object' || doc.variants === null) {
    throw new Error(`${where} has no "variants" object ({"generated_at": ..., "variants": {"canary": {...}, "control": {...}}})`);
  }
  if (typeof doc.generated_at === 'string') {
    const at = Date.parse(doc.generated_at);
    if (Number.isNaN(at)) throw new Error(`${where}: generated_at is not an ISO-8601 time`);
    if (now.getTime() - at > MAX_METRICS_AGE_MS) throw new Error(`${where} is stale: generated at ${doc.generated_at}`);
  }
  const variant = (v: unknown): VariantData | undefined => {
    if (typeof v !== 'object' || v === null) return undefined;
    const o = v as Record<string, unknown>;
    const nums = (x: unknown) => Object.fromEntries(Object.entries(typeof x === 'object' && x !== null ? x : {}).filter(([, n]) => typeof n === 'number')) as Record<string, number>;
    return { requests: typeof o.requests === 'number' ? o.requests : NaN, counts: nums(o.counts), means: nums(o.means) };
  };
  return { generatedAt: typeof doc.generated_at === 'string' ? doc.generated_at : undefined, canary: variant(doc.variants.canary), control: variant(doc.variants.control) };
}

export class FileMetricSource implements MetricSource {
  constructor(
    private readonly file: string,
    private readonly now: () => Date,
  ) {}

  describe(): string {
    return `metrics file ${this.file}`;
  }

  async read(): Promise<OnlineMetrics> {
    let text: string;
    try {
      text = await readFile(this.file, 'utf8');
    } catch (err) {
      throw new Error(`${this.file} cannot be read (${(err as NodeJS.ErrnoException).code ?? String(err)})`);
    }
    let raw: unknown;
    try {
      raw = JSON.parse(text);
    } catch {
      throw new Error(`${this.file} is not valid JSON`);
    }
    return parseOnlineMetrics(raw, path.basename(this.file), this.now());
  }
}

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
    const res = await fetch(this.url, { headers: this.token ? { authorization: `Bearer ${this.token}` } : {}, signal: AbortSignal.timeout(15_000) });
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
      headers: { 'content-type': 'application/x-www-form-urlencoded', ...(this.token ? { authorization: `Bearer ${this.token}` } : {}) },
      body: new URLSearchParams({ query }),
      signal: AbortSignal.timeout(15_000),
    });
    const doc = (await res.json().catch(() => undefined)) as { status?: string; error?: string; data?: { resultType: string; result: unknown } } | undefined;
    if (!res.ok || doc?.status !== 'success') throw new Error(`${this.describe()}: ${doc?.error ?? `HTTP ${res.status}`} for ${query}`);
    const { resultType, result } = doc.data!;
    if (resultType === 'scalar') return Number((result as [number, string])[1]);
    if (resultType !== 'vector') throw new Error(`${this.describe()}: ${query} returned a ${resultType}; return one number`);
    const series = result as { value: [number, string] }[];
    if (series.length !== 1) throw new Error(`${this.describe()}: ${query} returned ${series.length} series; aggregate it to one (sum(...))`);
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

/** The metric source the config names (undefined when none is configured). */
export function metricSourceFor(rollout: RolloutConfig, cwd: string, env: NodeJS.ProcessEnv, now: () => Date): MetricSource | undefined {
  const src = rollout.analysis?.source;
  if (!src) return undefined;
  const token = src.token_env ? env[src.token_env] : undefined;
  switch (src.provider) {
    case 'file':
      return new FileMetricSource(path.resolve(cwd, src.path!), now);
    case 'http':
      return new HttpMetricSource(src.url!, token, now);
    case 'prometheus':
      return new PrometheusMetricSource(src.url!, token, rollout.analysis!.metrics, src.requests);
  }
}
