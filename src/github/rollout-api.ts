import { statusOf, type GitHubClient } from './client.js';

import type { StoredDeployment } from '../rollout/store.js';

/** The rollout's API calls (deployments, the flag file through the Contents API, the alert issue). */
export class RolloutApi {
  constructor(
    private readonly client: GitHubClient,
    private readonly owner: string,
    private readonly repo: string,
  ) {}

  /** The newest deployment this action made for the environment, with all its statuses (oldest first). */
  async latestDeployment(environment: string, task: string): Promise<StoredDeployment | undefined> {
    const res = await this.client.request('GET /repos/{owner}/{repo}/deployments', {
      owner: this.owner,
      repo: this.repo,
      environment,
      task,
      per_page: 1,
    });
    const d = res.data[0];
    if (!d) return undefined;
    const id = Number(d.id);
    // Every page: the record is read from the whole history, however long an outage wrote statuses.
    const statuses = await this.client.paginate('GET /repos/{owner}/{repo}/deployments/{deployment_id}/statuses', {
      owner: this.owner,
      repo: this.repo,
      deployment_id: id,
      per_page: 100,
    });
    return {
      id,
      release: d.sha,
      createdAt: d.created_at,
      statuses: statuses
        .map((s) => ({ state: s.state, description: s.description ?? '', createdAt: s.created_at }))
        .reverse(),
    };
  }

  /**
   * The release: the newest commit from `sha` back that is not one of the rollout's own flag commits
   * (marked by `trailer`, or touching only `flagPath`). The checkout is shallow, so this asks the API.
   */
  async releaseCommit(sha: string, trailer: string, flagPath: string | undefined): Promise<string> {
    const res = await this.client.request('GET /repos/{owner}/{repo}/commits', {
      owner: this.owner,
      repo: this.repo,
      sha,
      per_page: 30,
    });
    let looked = 0;
    for (const c of res.data) {
      if (c.commit.message.split('\n').some((line) => line.trim() === trailer)) continue;
      if (flagPath && looked++ < 5) {
        const full = await this.client.request('GET /repos/{owner}/{repo}/commits/{ref}', {
          owner: this.owner,
          repo: this.repo,
          ref: c.sha,
        });
        const files = full.data.files ?? [];
        if (files.length > 0 && files.every((f) => f.filename === flagPath)) continue;
      }
      return c.sha;
    }
    throw new Error(
      `none of the ${res.data.length} newest commits from ${sha.slice(0, 12)} is a release (all are flag commits): set the release input`,
    );
  }

  async createDeployment(
    sha: string,
    environment: string,
    task: string,
    payload: Record<string, unknown>,
    description: string,
  ): Promise<number> {
    const res = await this.client.request('POST /repos/{owner}/{repo}/deployments', {
      owner: this.owner,
      repo: this.repo,
      ref: sha,
      environment,
      task,
      payload,
      description: description.slice(0, 140),
      auto_merge: false,
      required_contexts: [],
      production_environment: environment === 'production',
    });
    if (!('id' in res.data))
      throw new Error(`GitHub did not create the deployment: ${JSON.stringify(res.data).slice(0, 200)}`);
    return Number(res.data.id);
  }

  async deploymentStatus(
    id: number,
    state: 'in_progress' | 'success' | 'failure' | 'inactive',
    description: string,
    logUrl?: string,
  ): Promise<void> {
    await this.client.request('POST /repos/{owner}/{repo}/deployments/{deployment_id}/statuses', {
      owner: this.owner,
      repo: this.repo,
      deployment_id: id,
      state,
      description: description.slice(0, 140),
      auto_inactive: false,
      ...(logUrl ? { log_url: logUrl } : {}),
    });
  }

  /** The conclusion of the newest check run named `name` on a commit (undefined: none ran). */
  async checkConclusion(sha: string, name: string): Promise<string | null | undefined> {
    const res = await this.client.request('GET /repos/{owner}/{repo}/commits/{ref}/check-runs', {
      owner: this.owner,
      repo: this.repo,
      ref: sha,
      check_name: name,
      per_page: 10,
    });
    const runs = res.data.check_runs.filter((r) => r.status === 'completed');
    return runs.length === 0 ? undefined : runs[0]!.conclusion;
  }

  /** A file's text and blob sha on a branch (undefined: not there). */
  async readFile(path: string, branch: string): Promise<{ text: string; sha: string } | undefined> {
    try {
      const res = await this.client.request('GET /repos/{owner}/{repo}/contents/{path}', {
        owner: this.owner,
        repo: this.repo,
        path,
        ref: branch,
      });
      const data = res.data as { type?: string; content?: string; sha: string };
      if (data.type !== 'file' || data.content === undefined) throw new Error(`${path} is not a file`);
      return { text: Buffer.from(data.content, 'base64').toString('utf8'), sha: data.sha };
    } catch (err) {
      if (statusOf(err) === 404) return undefined;
      throw err;
    }
  }

  /** Commit a file, with its previous blob sha as the precondition (a concurrent writer gets 409/422). */
  async writeFile(
    path: string,
    branch: string,
    text: string,
    previousSha: string | undefined,
    message: string,
  ): Promise<void> {
    await this.client.request('PUT /repos/{owner}/{repo}/contents/{path}', {
      owner: this.owner,
      repo: this.repo,
      path,
      branch,
      message,
      content: Buffer.from(text, 'utf8').toString('base64'),
      ...(previousSha ? { sha: previousSha } : {}),
    });
  }

  async createIssue(title: string, body: string): Promise<{ number: number; url: string }> {
    const res = await this.client.request('POST /repos/{owner}/{repo}/issues', {
      owner: this.owner,
      repo: this.repo,
      title,
      body,
    });
    return { number: res.data.number, url: res.data.html_url };
  }

  /** The newest open issue with exactly this title (an alert already raised), if any. */
  async openIssueTitled(title: string): Promise<number | undefined> {
    const res = await this.client.request('GET /repos/{owner}/{repo}/issues', {
      owner: this.owner,
      repo: this.repo,
      state: 'open',
      per_page: 100,
    });
    return res.data.find((i) => i.title === title && !i.pull_request)?.number;
  }

  /** Add to an open alert issue (a later alert of the same rollout). */
  async commentIssue(issue: number, body: string): Promise<{ number: number; url: string }> {
    const res = await this.client.request('POST /repos/{owner}/{repo}/issues/{issue_number}/comments', {
      owner: this.owner,
      repo: this.repo,
      issue_number: issue,
      body,
    });
    return { number: issue, url: res.data.html_url };
  }
}
