import type { RolloutConfig } from '../config/schema.js';
import { statusOf, type RolloutPublisher } from '../github/gate-api.js';
import { flagdPercent, withFlagdPercent, type FlagdDocument } from './flags/flagd-document.js';
import { ConflictError, type FlagProvider } from './sources.js';

/** The flagd file in the repository, committed through the Contents API (the file's sha is the precondition). */
export class GitHubFlagdProvider implements FlagProvider {
  private last?: { doc: FlagdDocument; sha?: string };

  constructor(
    private readonly gh: RolloutPublisher,
    private readonly path: string,
    private readonly key: string,
    private readonly branch: string,
  ) {}

  describe(): string {
    return `flagd file ${this.path} on ${this.branch}, flag ${this.key}`;
  }

  async read(): Promise<number> {
    const file = await this.gh.readFile(this.path, this.branch);
    let doc: FlagdDocument;
    try {
      doc = file ? (JSON.parse(file.text) as FlagdDocument) : { flags: {} };
    } catch {
      throw new Error(`${this.path} is not valid JSON`);
    }
    this.last = { doc, sha: file?.sha };
    return flagdPercent(doc, this.key);
  }

  async write(percent: number, expected: number): Promise<void> {
    const now = await this.read().catch(() => undefined);
    if (now !== expected || !this.last) throw new ConflictError(`the flag is at ${now ?? 'an unreadable value'}%, expected ${expected}%`);
    try {
      await this.gh.writeFile(this.path, this.branch, `${JSON.stringify(withFlagdPercent(this.last.doc, this.key, percent), null, 2)}\n`, this.last.sha, `rollout: ${this.key} ${expected}% → ${percent}%`);
    } catch (err) {
      const s = statusOf(err);
      if (s === 409 || s === 422) throw new ConflictError(`${this.path} changed while writing it`);
      throw err;
    }
  }
}

async function json(res: Response, what: string): Promise<unknown> {
  if (!res.ok) throw Object.assign(new Error(`${what} answered HTTP ${res.status}: ${(await res.text()).slice(0, 200)}`), { status: res.status });
  const text = await res.text();
  return text ? JSON.parse(text) : undefined;
}

/**
 * A webhook: POST {flag, percent, release}; 2xx is applied. It has no read, so the live percentage
 * is what the rollout last applied (the deployment record): hand changes elsewhere are not seen.
 */
export class WebhookProvider implements FlagProvider {
  constructor(
    private readonly url: string,
    private readonly key: string,
    private readonly release: string,
    private readonly token: string | undefined,
    private readonly applied: number,
  ) {}

  describe(): string {
    return `webhook ${new URL(this.url).origin}, flag ${this.key}`;
  }

  async read(): Promise<number> {
    return this.applied;
  }

  async write(percent: number): Promise<void> {
    await json(
      await fetch(this.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...(this.token ? { authorization: `Bearer ${this.token}` } : {}) },
        body: JSON.stringify({ flag: this.key, percent, release: this.release }),
        signal: AbortSignal.timeout(15_000),
      }),
      this.describe(),
    );
  }
}

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
      await fetch(`${this.base}${path}`, { ...init, headers: { authorization: this.token, 'content-type': 'application/json', ...(init.headers ?? {}) }, signal: AbortSignal.timeout(15_000) }),
      this.describe(),
    );
  }

  private async strategy(): Promise<{ id: string; parameters: Record<string, string> } | undefined> {
    const list = (await this.call('/strategies')) as { id: string; name: string; parameters?: Record<string, string> }[];
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
    const parameters = { rollout: String(percent), stickiness: s?.parameters.stickiness ?? 'default', groupId: s?.parameters.groupId ?? this.key };
    if (s) await this.call(`/strategies/${s.id}`, { method: 'PUT', body: JSON.stringify({ name: 'flexibleRollout', parameters }) });
    else await this.call('/strategies', { method: 'POST', body: JSON.stringify({ name: 'flexibleRollout', parameters }) });
    if (!s) await this.call('/on', { method: 'POST' });
  }
}

/**
 * LaunchDarkly: a semantic patch of the flag's fallthrough to a percentage rollout, weights in
 * thousandths of a percent keyed by variation _id (on = the `true` variation).
 */
export class LaunchDarklyProvider implements FlagProvider {
  private readonly url: string;

  constructor(
    base: string,
    project: string,
    private readonly environment: string,
    private readonly key: string,
    private readonly token: string,
  ) {
    this.url = `${base.replace(/\/+$/, '')}/api/v2/flags/${encodeURIComponent(project)}/${encodeURIComponent(key)}`;
  }

  describe(): string {
    return `LaunchDarkly flag ${this.key} in ${this.environment}`;
  }

  private async flag(): Promise<{ variations: { _id: string; value: unknown }[]; environments: Record<string, { fallthrough?: { variation?: number; rollout?: { variations: { variation: number; weight: number }[] } }; on?: boolean }> }> {
    return (await json(await fetch(`${this.url}?env=${encodeURIComponent(this.environment)}`, { headers: { authorization: this.token }, signal: AbortSignal.timeout(15_000) }), this.describe())) as never;
  }

  async read(): Promise<number> {
    const f = await this.flag();
    const onIndex = f.variations.findIndex((v) => v.value === true);
    const env = f.environments[this.environment];
    if (!env || env.on === false) return 0;
    const ft = env.fallthrough ?? {};
    if (ft.rollout) return (ft.rollout.variations.find((v) => v.variation === onIndex)?.weight ?? 0) / 1000;
    return ft.variation === onIndex ? 100 : 0;
  }

  async write(percent: number, expected: number): Promise<void> {
    const f = await this.flag();
    const now = await this.read();
    if (now !== expected) throw new ConflictError(`the flag is at ${now}%, expected ${expected}%`);
    const on = f.variations.find((v) => v.value === true);
    const off = f.variations.find((v) => v.value === false);
    if (!on || !off) throw new Error(`${this.key} is not a boolean flag with true and false variations`);
    const weight = Math.round(percent * 1000);
    await json(
      await fetch(this.url, {
        method: 'PATCH',
        headers: { authorization: this.token, 'content-type': 'application/json; domain-model=launchdarkly.semanticpatch' },
        body: JSON.stringify({
          environmentKey: this.environment,
          comment: `llm-release-gate rollout ${expected}% → ${percent}%`,
          instructions: [{ kind: 'updateFallthroughVariationOrRollout', rolloutWeights: { [on._id]: weight, [off._id]: 100_000 - weight } }],
        }),
        signal: AbortSignal.timeout(15_000),
      }),
      this.describe(),
    );
  }
}

/** The provider the config names. `applied` is the percentage the deployment record last set (webhooks cannot be read). */
export function providerFor(
  rollout: RolloutConfig,
  opts: { gh?: RolloutPublisher; branch: string; release: string; env: NodeJS.ProcessEnv; applied: number },
): FlagProvider {
  const f = rollout.flag;
  const token = f.token_env ? opts.env[f.token_env] : undefined;
  switch (f.provider) {
    case 'flagd-file':
      if (!opts.gh) throw new Error('flagd-file needs the GitHub API in the action');
      return new GitHubFlagdProvider(opts.gh, f.path!, f.key, opts.branch);
    case 'webhook':
      return new WebhookProvider(f.url!, f.key, opts.release, token, opts.applied);
    case 'unleash':
      return new UnleashProvider(f.url!, f.project ?? 'default', f.environment ?? 'production', f.key, token ?? '');
    case 'launchdarkly':
      return new LaunchDarklyProvider(f.url ?? 'https://app.launchdarkly.com', f.project ?? 'default', f.environment ?? 'production', f.key, token ?? '');
  }
}
