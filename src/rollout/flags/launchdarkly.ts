import { ConflictError, type FlagProvider, json } from './types.js';

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

  private async flag(): Promise<{
    variations: { _id: string; value: unknown }[];
    environments: Record<
      string,
      {
        fallthrough?: { variation?: number; rollout?: { variations: { variation: number; weight: number }[] } };
        on?: boolean;
      }
    >;
  }> {
    return (await json(
      await fetch(`${this.url}?env=${encodeURIComponent(this.environment)}`, {
        headers: { authorization: this.token },
        signal: AbortSignal.timeout(15_000),
      }),
      this.describe(),
    )) as never;
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
        headers: {
          authorization: this.token,
          'content-type': 'application/json; domain-model=launchdarkly.semanticpatch',
        },
        body: JSON.stringify({
          environmentKey: this.environment,
          comment: `llm-release-gate rollout ${expected}% → ${percent}%`,
          instructions: [
            {
              kind: 'updateFallthroughVariationOrRollout',
              rolloutWeights: { [on._id]: weight, [off._id]: 100_000 - weight },
            },
          ],
        }),
        signal: AbortSignal.timeout(15_000),
      }),
      this.describe(),
    );
  }
}
