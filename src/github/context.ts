import type { context as githubContext } from '@actions/github';

/** What the gate needs from the workflow run: the repository, the event, the commits it is about. */
export interface RunContext {
  owner: string;
  repo: string;
  eventName: string;
  /** The commit the check run belongs on: the PR head (not the merge SHA), the merge-queue head, the pushed SHA. */
  headSha: string;
  /** The pull request number, on pull request events. */
  pullNumber?: number;
  /** The base commit of a pull request (where the config is read from with config-source: base). */
  baseSha?: string;
  /** A pull request from a fork: the token is read-only. */
  fromFork: boolean;
  /** Commits that count as "this change" for stale-results checks. */
  commits: string[];
  apiUrl: string;
  serverUrl: string;
  runUrl?: string;
  /** 1 on a first run; more on a re-run (whose earlier attempt may have left its check in progress). */
  runAttempt: number;
}

/** The parts of @actions/github's `context` the gate reads (tests build it by hand). */
export type GitHubRunContext = Pick<
  typeof githubContext,
  'payload' | 'eventName' | 'sha' | 'runId' | 'runAttempt' | 'apiUrl' | 'serverUrl'
> & {
  repo: { owner: string; repo: string };
};

const PR_EVENTS = new Set(['pull_request', 'pull_request_target', 'pull_request_review']);

/**
 * The run context on top of @actions/github's: the repository, event, run id and URLs come from it;
 * which commit a check belongs on (PR head, merge-queue head, workflow_run head) and whether the
 * pull request comes from a fork are decided here, from the event payload.
 */
export function runContext(gh: GitHubRunContext): RunContext {
  const { owner, repo } = gh.repo;
  const eventName = gh.eventName ?? '';
  const event = gh.payload as Record<string, unknown>;
  const pr = event.pull_request as
    | {
        number?: number;
        head?: { sha?: string; repo?: { full_name?: string } };
        base?: { sha?: string; repo?: { full_name?: string } };
      }
    | undefined;
  const mq = event.merge_group as { head_sha?: string } | undefined;
  // workflow_run: the second half of the fork recipe (the PR's run uploaded results; this one reports).
  const wr =
    eventName === 'workflow_run'
      ? (event.workflow_run as { head_sha?: string; pull_requests?: { number?: number }[] } | undefined)
      : undefined;
  const sha = gh.sha ?? '';
  const headSha = pr?.head?.sha ?? mq?.head_sha ?? wr?.head_sha ?? sha;
  const serverUrl = gh.serverUrl || 'https://github.com';
  const headRepo = pr?.head?.repo?.full_name;
  const baseRepo = pr?.base?.repo?.full_name;
  return {
    owner,
    repo,
    eventName,
    headSha,
    pullNumber:
      PR_EVENTS.has(eventName) && typeof pr?.number === 'number'
        ? pr.number
        : (wr?.pull_requests?.[0]?.number ?? undefined),
    baseSha: pr?.base?.sha,
    fromFork: Boolean(headRepo && baseRepo && headRepo !== baseRepo),
    commits: [
      ...new Set(
        [pr?.head?.sha, mq?.head_sha, wr?.head_sha, sha].filter(
          (s): s is string => typeof s === 'string' && s.length > 0,
        ),
      ),
    ],
    runAttempt: Number.isFinite(gh.runAttempt) && gh.runAttempt > 0 ? gh.runAttempt : 1,
    apiUrl: gh.apiUrl || 'https://api.github.com',
    serverUrl,
    runUrl:
      Number.isFinite(gh.runId) && gh.runId > 0 ? `${serverUrl}/${owner}/${repo}/actions/runs/${gh.runId}` : undefined,
  };
}
