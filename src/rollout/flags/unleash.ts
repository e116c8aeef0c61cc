import { ConflictError, type FlagProvider, json } from './types.js';

/**
 * Unleash Admin API: the flag's `flexibleRollout` strategy in one environment; `rollout` is the
 * percentage (a string) and `groupId` stays fixed, so raising the share only adds users.
 */
export class UnleashProvider implements FlagProvider {
  private readonly base: string;

  constructor(
    url: string,
    private readonly project: string,
    private readonly environment: string,
    private readonly key: string,
    private readonly token: string,
  ) {
    this.base = `${url.replace(/\/+$/, '')}/api/admin/projects/${encodeURIComponent(project)}/features/${encodeURIComponent(key)}/environments/${encodeURIComponent(environment)}`;
  }

  describe(): string {
    return `Unleash ${new URL(this.base).origin}, ${this.project}/${this.key} in ${this.environment}`;
  }

  private async call(path: string, init: RequestInit = {}): Promise<unknown> {
    return json(
      await fetch(`${this.base}${path}`, {
        ...init,
        headers: { authorization: this.token, 'content-type': 'application/json', ...(init.headers ?? {}) },
        signal: AbortSignal.timeout(15_000),
      }),
      this.describe(),
    );
  }

  private async strategy(): Promise<{ id: string; parameters: Record<string, string> } | undefined> {
    const list = (await this.call('/strategies')) as {
      id: string;
      name: string;
      parameters?: Record<string, string>;
    }[];
    const s = list.find((x) => x.name === 'flexibleRollout');
    return s ? { id: s.id, parameters: s.parameters ?? {} } : undefined;
  }

  async read(): Promise<number> {
    const s = await this.strategy();
    return s ? Number(s.parameters.rollout ?? 0) : 0;
  }

  async write(percent: number, expected: number): Promise<void> {
    const s = await this.strategy();
    const now = s ? Number(s.parameters.rollout ?? 0) : 0;
    if (now !== expected) throw new ConflictError(`the flag is at ${now}%, expected ${expected}%`);
    const parameters = {
      rollout: String(percent),
      stickiness: s?.parameters.stickiness ?? 'default',
      groupId: s?.parameters.groupId ?? this.key,
    };
    if (s)
      await this.call(`/strategies/${s.id}`, {
        method: 'PUT',
        body: JSON.stringify({ name: 'flexibleRollout', parameters }),
      });
    else
      await this.call('/strategies', { method: 'POST', body: JSON.stringify({ name: 'flexibleRollout', parameters }) });
    if (!s) await this.call('/on', { method: 'POST' });
  }
}
