import type { RolloutApi } from '../../github/rollout-api.js';
import type { RolloutStore, StatusState, StoredDeployment } from '../store.js';

export const DEPLOYMENT_TASK = 'deploy:llm-release-gate';

/** The rollout record in GitHub Deployments (one per release), alerts as issues to the owner. */
export class GitHubStore implements RolloutStore {
  constructor(
    private readonly gh: RolloutApi,
    private readonly opts: {
      environment: string;
      flagKey: string;
      stages: number[];
      checkName: string;
      runUrl?: string;
      /** The gate run on the workspace, when the release has no check run. */
      gateInPlace: () => Promise<boolean>;
    },
  ) {}

  latest(): Promise<StoredDeployment | undefined> {
    return this.gh.latestDeployment(this.opts.environment, DEPLOYMENT_TASK);
  }

  create(release: string): Promise<number> {
    return this.gh.createDeployment(
      release,
      this.opts.environment,
      DEPLOYMENT_TASK,
      { flag: this.opts.flagKey, stages: this.opts.stages },
      `staged rollout of ${this.opts.flagKey}`,
    );
  }

  status(id: number, state: StatusState, description: string): Promise<void> {
    return this.gh.deploymentStatus(id, state, description, this.opts.runUrl);
  }

  /** One issue per alert title (release and kind): a later alert, or one whose record was lost, adds to it. */
  async alert(title: string, body: string, existing?: number): Promise<{ number: number; url: string }> {
    const run = this.opts.runUrl ? `\n\n[workflow run](${this.opts.runUrl})` : '';
    const open = existing ?? (await this.gh.openIssueTitled(title));
    return open !== undefined
      ? this.gh.commentIssue(open, `${body}${run}`)
      : this.gh.createIssue(title, `${body}${run}`);
  }

  async gateVerdict(release: string): Promise<{ allowed: boolean | undefined; note: string }> {
    const conclusion = await this.gh.checkConclusion(release, this.opts.checkName);
    if (conclusion === undefined)
      return {
        allowed: await this.opts.gateInPlace(),
        note: `no "${this.opts.checkName}" check run on ${release.slice(0, 12)}: the gate ran on the workspace`,
      };
    return {
      allowed: conclusion === 'success',
      note: `"${this.opts.checkName}" concluded ${conclusion} on ${release.slice(0, 12)}`,
    };
  }
}
