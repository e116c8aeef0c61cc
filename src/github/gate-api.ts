import type { GitHubClient } from './client.js';
import { LIMITS } from '../report/limits.js';

/** What the readiness bars ask GitHub, for the values a config names. */
export interface FactQuestions {
  /** Read this file at this commit (the config at the base commit). */
  fileAt?: { sha: string; path: string };
  /** Does this file exist at this commit (the deploy workflow)? */
  existsAt?: { sha: string; path: string };
  /** Is this login a person? */
  login?: string;
  /** Does this environment require reviewers? */
  environment?: string;
  /** The pull request whose comments hold the sticky comment. */
  pullNumber?: number;
  /** Read the baseline results at a ref (evals.baseline: { ref, path }). */
  baselineAt?: { ref: string; path: string };
}

export interface Facts {
  /** The file's text; null when it does not exist at that commit. */
  fileAt?: string | null;
  existsAt?: boolean;
  /** 'User', 'Organization', or null when no account has that login. */
  ownerKind?: 'User' | 'Organization' | null;
  /** null when the environment does not exist. */
  environment?: { reviewers: number } | null;
  comments?: ExistingComment[];
  /** The baseline's text; null when it is not at that ref; undefined when too large for the API. */
  baselineAt?: string | null;
}

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

export interface CheckOutput {
  title: string;
  summary: string;
  text?: string;
}

const FACTS_QUERY = /* GraphQL */ `
  query Facts(
    $owner: String!
    $repo: String!
    $fileExpr: String!
    $withFile: Boolean!
    $existsExpr: String!
    $withExists: Boolean!
    $login: String!
    $withLogin: Boolean!
    $env: String!
    $withEnv: Boolean!
    $pr: Int!
    $withPr: Boolean!
    $after: String
    $baselineExpr: String!
    $withBaseline: Boolean!
  ) {
    repository(owner: $owner, name: $repo) {
      file: object(expression: $fileExpr) @include(if: $withFile) {
        ... on Blob {
          text
          isTruncated
        }
      }
      baseline: object(expression: $baselineExpr) @include(if: $withBaseline) {
        ... on Blob {
          text
          isTruncated
        }
      }
      exists: object(expression: $existsExpr) @include(if: $withExists) {
        __typename
      }
      environment(name: $env) @include(if: $withEnv) {
        name
        protectionRules(first: 20) {
          nodes {
            type
            reviewers(first: 1) {
              totalCount
            }
          }
        }
      }
      pullRequest(number: $pr) @include(if: $withPr) {
        comments(first: 100, after: $after) {
          nodes {
            databaseId
            body
            url
            viewerDidAuthor
          }
          pageInfo {
            hasNextPage
            endCursor
          }
        }
      }
    }
    owner: repositoryOwner(login: $login) @include(if: $withLogin) {
      __typename
    }
  }
`;

interface FactsResponse {
  repository: {
    file?: { text?: string; isTruncated?: boolean } | null;
    baseline?: { text?: string; isTruncated?: boolean } | null;
    exists?: { __typename: string } | null;
    environment?: {
      name: string;
      protectionRules: { nodes: { type: string; reviewers: { totalCount: number } }[] };
    } | null;
    pullRequest?: {
      comments: {
        nodes: { databaseId: number; body: string; url: string; viewerDidAuthor: boolean }[];
        pageInfo: { hasNextPage: boolean; endCursor: string | null };
      };
    } | null;
  } | null;
  owner?: { __typename: 'User' | 'Organization' } | null;
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
  async facts(q: FactQuestions): Promise<Facts> {
    const vars = {
      owner: this.owner,
      repo: this.repo,
      fileExpr: q.fileAt ? `${q.fileAt.sha}:${q.fileAt.path}` : '',
      withFile: Boolean(q.fileAt),
      existsExpr: q.existsAt ? `${q.existsAt.sha}:${q.existsAt.path}` : '',
      withExists: Boolean(q.existsAt),
      login: q.login?.replace(/^@/, '') ?? '',
      withLogin: Boolean(q.login),
      env: q.environment ?? '',
      withEnv: Boolean(q.environment),
      pr: q.pullNumber ?? 0,
      withPr: q.pullNumber !== undefined,
      after: null as string | null,
      baselineExpr: q.baselineAt ? `${q.baselineAt.ref}:${q.baselineAt.path}` : '',
      withBaseline: Boolean(q.baselineAt),
    };
    const first = await this.client.graphql<FactsResponse>(FACTS_QUERY, vars);
    const repo = first.repository;
    const facts: Facts = {};
    if (q.fileAt) {
      if (repo?.file?.isTruncated)
        throw new Error(`${q.fileAt.path} at ${q.fileAt.sha} is too large to read through the API`);
      facts.fileAt = repo?.file?.text ?? null;
    }
    if (q.existsAt) facts.existsAt = Boolean(repo?.exists);
    // A blob too large for the API reads as unknown: git show in the checkout is tried instead.
    if (q.baselineAt)
      facts.baselineAt = repo?.baseline
        ? repo.baseline.isTruncated
          ? undefined
          : (repo.baseline.text ?? undefined)
        : null;
    if (q.login) facts.ownerKind = first.owner?.__typename ?? null;
    if (q.environment) {
      const env = repo?.environment;
      facts.environment = env
        ? {
            reviewers: env.protectionRules.nodes
              .filter((r) => r.type === 'REQUIRED_REVIEWERS')
              .reduce((n, r) => n + r.reviewers.totalCount, 0),
          }
        : null;
    }
    if (q.pullNumber !== undefined) {
      const comments: ExistingComment[] = [];
      let page = repo?.pullRequest?.comments;
      while (page) {
        for (const c of page.nodes)
          comments.push({ id: c.databaseId, body: c.body, url: c.url, mine: c.viewerDidAuthor });
        if (!page.pageInfo.hasNextPage) break;
        const next = await this.client.graphql<FactsResponse>(FACTS_QUERY, {
          ...vars,
          withFile: false,
          withExists: false,
          withLogin: false,
          withEnv: false,
          withBaseline: false,
          after: page.pageInfo.endCursor,
        });
        page = next.repository?.pullRequest?.comments;
      }
      facts.comments = comments;
    }
    return facts;
  }

  async createCheck(name: string, headSha: string, detailsUrl?: string): Promise<{ id: number; url: string }> {
    const res = await this.client.request('POST /repos/{owner}/{repo}/check-runs', {
      owner: this.owner,
      repo: this.repo,
      name,
      head_sha: headSha,
      status: 'in_progress',
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

  async createComment(pullNumber: number, body: string): Promise<string> {
    const res = await this.client.request('POST /repos/{owner}/{repo}/issues/{issue_number}/comments', {
      owner: this.owner,
      repo: this.repo,
      issue_number: pullNumber,
      body,
    });
    return res.data.html_url;
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
