import { ConflictError, type FlagProvider, type FlagState, json } from './types.js';

interface LdFlag {
  variations: { _id: string; value: unknown }[];
  environments: Record<
    string,
    {
      on?: boolean;
      fallthrough?: { variation?: number; rollout?: { variations: { variation: number; weight: number }[] } };
    }
  >;
}

/**
 * LaunchDarkly: a semantic patch of the flag's fallthrough to a percentage rollout, weights in
 * thousandths of a percent keyed by variation _id (on = the `true` variation). Targeting rules are
 * not touched. A new flag is Off (it serves its off variation to everyone): a write of a share above
 * 0 turns it on in the same patch.
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

  private async flag(): Promise<LdFlag> {
    const f = (await json(
      await fetch(`${this.url}?env=${encodeURIComponent(this.environment)}`, {
        headers: { authorization: this.token },
        signal: AbortSignal.timeout(15_000),
      }),
      this.describe(),
    )) as LdFlag;
    if (!f?.environments?.[this.environment])
      throw new Error(`${this.describe()}: the flag has no environment ${this.environment}`);
    return f;
  }

  private percentOf(f: LdFlag): FlagState {
    const onIndex = f.variations.findIndex((v) => v.value === true);
    const env = f.environments[this.environment]!;
    const ft = env.fallthrough ?? {};
    const percent = ft.rollout
      ? (ft.rollout.variations.find((v) => v.variation === onIndex)?.weight ?? 0) / 1000
      : ft.variation === onIndex
        ? 100
        : 0;
    // Off, the flag serves its off variation to everyone, whatever the fallthrough says.
    return env.on === true ? { percent } : { percent: 0, off: 'the flag is Off in LaunchDarkly' };
  }

  async read(): Promise<FlagState> {
    return this.percentOf(await this.flag());
  }

  async write(percent: number, expected: number): Promise<void> {
    const f = await this.flag();
    const now = this.percentOf(f);
    if (now.percent !== expected) throw new ConflictError(`the flag is at ${now.percent}%, expected ${expected}%`);
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
            ...(now.off && percent > 0 ? [{ kind: 'turnFlagOn' }] : []),
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
