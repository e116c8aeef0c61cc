import { ConflictError, type FlagProvider, type FlagState, json } from './types.js';

interface Strategy {
  id: string;
  name: string;
  title?: string | null;
  disabled?: boolean | null;
  parameters?: Record<string, string>;
  constraints?: unknown[];
  segments?: number[];
  variants?: unknown[];
  sortOrder?: number;
}

/**
 * Unleash Admin API: the first `flexibleRollout` strategy of the flag in one environment; `rollout`
 * is the percentage (a whole number, as a string) and `groupId` stays fixed, so raising the share only
 * adds users. A write changes that one parameter and keeps everything else of the strategy (its
 * constraints, segments, variants) and every other strategy; it enables the environment, which is
 * what the SDK needs to serve anything. An environment switched off reads as `off`.
 */
export class UnleashProvider implements FlagProvider {
  private readonly feature: string;

  constructor(
    url: string,
    private readonly project: string,
    private readonly environment: string,
    private readonly key: string,
    private readonly token: string,
  ) {
    this.feature = `${url.replace(/\/+$/, '')}/api/admin/projects/${encodeURIComponent(project)}/features/${encodeURIComponent(key)}`;
  }

  describe(): string {
    return `Unleash ${new URL(this.feature).origin}, ${this.project}/${this.key} in ${this.environment}`;
  }

  private async call(path: string, init: RequestInit = {}): Promise<unknown> {
    return json(
      await fetch(`${this.feature}${path}`, {
        ...init,
        headers: { authorization: this.token, 'content-type': 'application/json', ...(init.headers ?? {}) },
        signal: AbortSignal.timeout(15_000),
      }),
      this.describe(),
    );
  }

  private async state(): Promise<{ enabled: boolean; strategy?: Strategy }> {
    const f = (await this.call('')) as { environments?: { name: string; enabled: boolean; strategies?: Strategy[] }[] };
    const env = f?.environments?.find((e) => e.name === this.environment);
    if (!env) throw new Error(`${this.describe()}: the flag has no environment ${this.environment}`);
    const strategy = (env.strategies ?? []).find((s) => s.name === 'flexibleRollout' && !s.disabled);
    return { enabled: env.enabled, strategy };
  }

  async read(): Promise<FlagState> {
    const { enabled, strategy } = await this.state();
    const percent = strategy ? Number(strategy.parameters?.rollout ?? 0) : 0;
    if (!Number.isFinite(percent)) throw new Error(`${this.describe()}: rollout is ${strategy!.parameters!.rollout}`);
    return enabled ? { percent } : { percent, off: `the ${this.environment} environment is disabled in Unleash` };
  }

  async write(percent: number, expected: number): Promise<void> {
    const { enabled, strategy } = await this.state();
    const now = strategy ? Number(strategy.parameters?.rollout ?? 0) : 0;
    if (now !== expected) throw new ConflictError(`the flag is at ${now}%, expected ${expected}%`);
    const parameters = {
      stickiness: 'default',
      groupId: this.key,
      ...(strategy?.parameters ?? {}),
      rollout: String(percent),
    };
    const env = `/environments/${encodeURIComponent(this.environment)}`;
    if (strategy) {
      const { id, ...rest } = strategy;
      await this.call(`${env}/strategies/${id}`, { method: 'PUT', body: JSON.stringify({ ...rest, parameters }) });
    } else {
      await this.call(`${env}/strategies`, {
        method: 'POST',
        body: JSON.stringify({ name: 'flexibleRollout', parameters, constraints: [] }),
      });
    }
    if (!enabled && percent > 0) await this.call(`${env}/on`, { method: 'POST' });
  }
}
