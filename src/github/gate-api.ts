import type { GitHubClient } from './client.js';
import { LIMITS } from '../report/limits.js';

import { askFacts, type FactQuestions, type Facts } from './facts-query.js';

export type { FactName, FactQuestions, Facts } from './facts-query.js';

export interface ExistingComment {
  id: number;
  body: string;
  url: string;
  mine: boolean;
}

export interface CheckAnnotation {
  path: string;
  start_line: number;
  end_line: number;
  annotation_level: 'notice' | 'warning' | 'failure';
  title: string;
  message: string;
}

/** A comment read through REST: who wrote it is known by login. */
export interface RestComment {
  id: number;
  body: string;
  url: string;
  author: string;
}

export interface CheckOutput {
  title: string;
  summary: string;
  text?: string;
}

/** Every GitHub API call the gate makes (check run, sticky comment, the facts the bars ask), in one place. */
export class GateApi {
  /** Requests made, for the budget stated in the README (and checked by the end-to-end test). */
  requests = 0;

  constructor(
    private readonly client: GitHubClient,
    private readonly owner: string,
    private readonly repo: string,
  ) {
    client.hook.before('request', () => {
      this.requests += 1;
    });
  }

  /** One GraphQL read for everything the gate asks (more pages only past 100 PR comments). */
  /** One GraphQL read for everything the gate asks, partial answers kept (github/facts-query.ts). */
  facts(q: FactQuestions): Promise<Facts> {
    return askFacts(this.client, this.owner, this.repo, q);
  }

  async createCheck(
    name: string,
    headSha: string,
    externalId: string,
    detailsUrl?: string,
  ): Promise<{ id: number; url: string }> {
    const res = await this.client.request('POST /repos/{owner}/{repo}/check-runs', {
      owner: this.owner,
      repo: this.repo,
      name,
      head_sha: headSha,
      status: 'in_progress',
      external_id: externalId,
      started_at: new Date().toISOString(),
      ...(detailsUrl ? { details_url: detailsUrl } : {}),
    });
    return { id: Number(res.data.id), url: res.data.html_url ?? '' };
  }

  /** Complete the check; annotations go 50 a request (the first batch with the conclusion). */
  async completeCheck(
    id: number,
    conclusion: 'success' | 'failure',
    output: CheckOutput,
    annotations: CheckAnnotation[],
  ): Promise<void> {
    const batches: CheckAnnotation[][] = [];
    for (let i = 0; i < annotations.length; i += LIMITS.annotationsPerRequest)
      batches.push(annotations.slice(i, i + LIMITS.annotationsPerRequest));
    await this.client.request('PATCH /repos/{owner}/{repo}/check-runs/{check_run_id}', {
      owner: this.owner,
      repo: this.repo,
      check_run_id: id,
      status: 'completed',
      conclusion,
      completed_at: new Date().toISOString(),
      output: { ...output, ...(batches[0] ? { annotations: batches[0] } : {}) },
    });
    for (const batch of batches.slice(1)) {
      await this.client.request('PATCH /repos/{owner}/{repo}/check-runs/{check_run_id}', {
        owner: this.owner,
        repo: this.repo,
        check_run_id: id,
        output: { title: output.title, summary: output.summary, annotations: batch },
      });
    }
  }

  /**
   * Complete the check with its conclusion and summary only, in one request that is made even past the
   * run's API deadline: the last resort, so a check is never left in progress.
   */
  async completeCheckPlain(
    id: number,
    conclusion: 'success' | 'failure' | 'cancelled',
    output: CheckOutput,
  ): Promise<void> {
    await this.client.request('PATCH /repos/{owner}/{repo}/check-runs/{check_run_id}', {
      owner: this.owner,
      repo: this.repo,
      check_run_id: id,
      status: 'completed',
      conclusion,
      completed_at: new Date().toISOString(),
      output,
      request: { final: true },
    });
  }

  /** Check runs of this name on a commit still in progress (an earlier attempt that never finished). */
  async checksInProgress(name: string, headSha: string): Promise<{ id: number; externalId: string; url: string }[]> {
    const res = await this.client.request('GET /repos/{owner}/{repo}/commits/{ref}/check-runs', {
      owner: this.owner,
      repo: this.repo,
      ref: headSha,
      check_name: name,
      status: 'in_progress',
      per_page: 100,
    });
    return res.data.check_runs.map((r) => ({
      id: Number(r.id),
      externalId: r.external_id ?? '',
      url: r.html_url ?? '',
    }));
  }

  /** The pull request's comments through REST (when GraphQL could not read them), with their authors. */
  async listComments(pullNumber: number): Promise<RestComment[]> {
    const all = await this.client.paginate('GET /repos/{owner}/{repo}/issues/{issue_number}/comments', {
      owner: this.owner,
      repo: this.repo,
      issue_number: pullNumber,
      per_page: 100,
    });
    return all.map((c) => ({ id: Number(c.id), body: c.body ?? '', url: c.html_url, author: c.user?.login ?? '' }));
  }

  async deleteComment(commentId: number): Promise<void> {
    await this.client.request('DELETE /repos/{owner}/{repo}/issues/comments/{comment_id}', {
      owner: this.owner,
      repo: this.repo,
      comment_id: commentId,
    });
  }

  /** Create a comment; its author is who this token writes as (for finding our own comments again). */
  async createComment(pullNumber: number, body: string): Promise<{ id: number; url: string; author: string }> {
    const res = await this.client.request('POST /repos/{owner}/{repo}/issues/{issue_number}/comments', {
      owner: this.owner,
      repo: this.repo,
      issue_number: pullNumber,
      body,
    });
    return { id: Number(res.data.id), url: res.data.html_url, author: res.data.user?.login ?? '' };
  }

  async updateComment(commentId: number, body: string): Promise<string> {
    const res = await this.client.request('PATCH /repos/{owner}/{repo}/issues/comments/{comment_id}', {
      owner: this.owner,
      repo: this.repo,
      comment_id: commentId,
      body,
    });
    return res.data.html_url;
  }
}
